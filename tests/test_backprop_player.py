"""The backprop player's page data: every step is trace_backward's, every number the tensor's.

The page's JavaScript only shows text that Python wrote, so checking the data checks what a
reader sees; tests/test_backprop_player_browser.py checks that the page shows it.
"""
from __future__ import annotations

import ast
import json
import re
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.viz.player.page import backprop_page
from tinygrad_edu.viz.walk import format_numbers, summary

ROOT = Path(__file__).parent.parent
pytestmark = pytest.mark.skipif(not tg.viz.dot_available(), reason="the player's graph needs Graphviz's dot")


def shared_input_graph():
    """a reaches the loss by three paths (a * a, then + a) and b is broadcast: the hard cases."""
    a = tg.tensor([1.5, -2.0, 0.5], requires_grad=True)
    b = tg.tensor([[0.25], [2.0]], requires_grad=True)
    loss = ((a * a + a) * b).tanh().sum()
    return loss, {"a": a, "b": b, "loss": loss}


def page_data(page) -> dict:
    """The data the page's script reads, taken from the HTML itself."""
    text = re.search(r'<script type="application/json" id="pl-data">(.*?)</script>', page.html, re.S).group(1)
    return json.loads(text.replace("<\\/", "</"))


def test_every_backward_step_on_the_page_is_trace_backwards_step():
    loss, names = shared_input_graph()
    page = backprop_page(loss, names=names)
    again, again_names = shared_input_graph()   # the same graph built once more, traced on its own
    expected = tg.study.trace_backward(again, names=again_names)
    data = page_data(page)
    ops, tensors, steps = data["graph"]["ops"], data["graph"]["tensors"], data["base"]["steps"]
    assert len(steps) == len(expected.steps) == len(ops)
    for shown, step in zip(steps, expected.steps):
        assert ops[shown["op"]]["op"] == step.op
        assert tensors[shown["output"]]["name"] == step.output
        assert shown["upstream"] == format_numbers(step.upstream, 16)
        assert shown["rule"] == step.rule and shown["from"] == step.paths
        assert [i["name"] for i in shown["inputs"]] == [i.name for i in step.inputs]
        for given, want in zip(shown["inputs"], step.inputs):
            assert given["grad"] == (None if want.gradient is None else format_numbers(want.gradient, 16))
            assert given["local"].rsplit(" (", 1)[0] == format_numbers(want.local_derivative, 99)
    assert data == page.data | {}   # what the HTML holds is what Python built


def test_every_number_is_the_tensors_own():
    a = tg.tensor([0.1, 0.2, 0.3], requires_grad=True)
    w = tg.tensor([[1 / 3, -2 / 7, 5.0]], requires_grad=True)
    mid = (w * a).sigmoid()
    loss = mid.sum()
    data = backprop_page(loss, names={"a": a, "w": w, "mid": mid, "loss": loss}).data
    loss.backward()
    by_name = {t["name"]: i for i, t in enumerate(data["graph"]["tensors"])}
    for name, tensor, grad in (("a", a, a.grad), ("w", w, w.grad), ("mid", mid, None), ("loss", loss, None)):
        i = by_name[name]
        assert data["base"]["values"][i] == format_numbers(tensor.numpy(), 16)
        full = data["base"]["full_values"][i] or data["base"]["values"][i]
        # every digit: the text reads back to exactly the same float32 numbers
        np.testing.assert_array_equal(np.array(ast.literal_eval(full), dtype=np.float32), tensor.numpy())
        if grad is not None:
            full_grad = data["base"]["full_grads"][i] or data["base"]["grads"][i]
            np.testing.assert_array_equal(np.array(ast.literal_eval(full_grad), dtype=np.float32), grad.numpy())


def test_a_tensor_reached_by_several_paths_shows_the_running_sum():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    loss = (a * a + a).sum()
    data = backprop_page(loss, names={"a": a}).data
    sums = [s for step in data["base"]["steps"] for s in step["sums"]]
    loss.backward()
    assert [s["name"] for s in sums] == ["a"]   # once, after the step that brought the last paths
    assert len(sums[0]["terms"]) == 3            # + a, then a * a's two inputs
    assert sums[0]["total"] == format_numbers(a.grad.numpy(), 16) == "[3., 5.]"


def test_the_page_leaves_every_grad_and_the_graph_as_they_were():
    loss, names = shared_input_graph()
    names["a"].grad = tg.ones(3)
    backprop_page(loss, names=names)
    assert names["a"].grad.tolist() == [1.0, 1.0, 1.0] and names["b"].grad is None
    loss.backward()   # the graph is still alive
    assert names["b"].grad is not None


def test_large_tensors_are_shown_as_shape_and_statistics():
    x = tg.randn(6, 5, requires_grad=True)
    loss = (x * 2.0).relu().sum()
    data = backprop_page(loss, names={"x": x}).data
    i = [t["name"] for t in data["graph"]["tensors"]].index("x")
    assert data["base"]["values"][i] == summary(x.numpy()) and data["graph"]["tensors"][i]["shape"] == "(6, 5)"


def test_a_convnet_page_names_parameters_and_draws_module_clusters():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(72, 3))
    loss = nn.functional.cross_entropy(model(tg.randn(2, 1, 8, 8)), tg.tensor([0, 2]))
    page = backprop_page(loss, module=model)
    names = [t["name"] for t in page.data["graph"]["tensors"]]
    assert {"0.weight", "0.bias", "3.weight", "3.bias"} <= set(names)
    assert 'id="graph' in page.html or "<svg" in page.html
    assert "cluster_0" in page.html and "cluster_3" in page.html   # Graphviz's module clusters


def test_the_page_is_one_self_contained_file_that_reads_without_javascript():
    loss, names = shared_input_graph()
    text = backprop_page(loss, names=names).html
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", text)   # nothing fetched: no CDN, no server
    tables = text[text.index('id="pl-tables"'):]
    for step in tg.study.trace_backward(loss, names=names).steps:
        assert format_numbers(step.upstream, 16).replace("\n", "") in tables.replace("\n", "")


def festival(x, w, b):
    return ((x * w).sum() + b).sigmoid()


FESTIVAL_INPUTS = {"x": tg.tensor([3.0, 2.0, 4.0, 2.0]), "w": tg.tensor([4.0, 2.0, 2.0, 1.0], requires_grad=True),
                   "b": tg.tensor(-25.0, requires_grad=True)}


def root_value(scenario: dict, data: dict) -> str:
    root = next(i for i, t in enumerate(data["graph"]["tensors"]) if t["kind"] == "root")
    return scenario["values"][root]


def test_sliders_one_at_a_time_hold_pythons_run_for_every_position():
    data = backprop_page(festival, inputs=FESTIVAL_INPUTS, ranges={"b": (-30, -20)}, sliders=["w", "b"]).data
    sliders = data["sliders"]
    assert sliders["mode"] == "one at a time" and [a["label"] for a in sliders["axes"]][-1] == "b"
    b_axis = sliders["axes"][-1]
    assert b_axis["values"] == [f"{v:.4g}" for v in np.linspace(-30, -20, 21)]   # -25 is on the grid
    for j, shown in enumerate(b_axis["values"]):
        run = sliders["scenarios"][b_axis["scenarios"][j]]
        b = tg.tensor(float(shown), requires_grad=True)
        assert root_value(run, data) == format_numbers(festival(FESTIVAL_INPUTS["x"], FESTIVAL_INPUTS["w"], b).numpy())
    assert sliders["scenarios"][b_axis["scenarios"][b_axis["base"]]] == data["base"]


def test_sliders_on_few_inputs_run_every_combination():
    data = backprop_page(lambda x: (x * x).sum().sqrt(), inputs={"x": tg.tensor([3.0, 4.0], requires_grad=True)},
                         ranges={"x": (0, 5)}, grid_points=6).data
    sliders = data["sliders"]
    assert sliders["mode"] == "grid" and sliders["strides"] == [6, 1]
    run = sliders["scenarios"][1 * 6 + 3]           # x = [1, 3]
    assert sliders["axes"][0]["values"][1] == "1" and sliders["axes"][1]["values"][3] == "3"
    x = tg.tensor([1.0, 3.0], requires_grad=True)
    (x * x).sum().sqrt().backward()
    assert root_value(run, data) == format_numbers(np.float32(np.sqrt(10.0)))
    assert run["grads"][0] == format_numbers(x.grad.numpy())


def test_trace_and_drawing_give_the_same_page():
    loss, names = shared_input_graph()
    drawing = tg.viz.draw_graph(loss, names=names)
    from_drawing = page_data(type("P", (), {"html": drawing.to_html()}))
    trace = tg.study.trace_backward(loss, names=names)
    from_trace = page_data(type("P", (), {"html": trace.to_html()}))
    assert from_drawing["base"] == from_trace["base"] and from_drawing["graph"] == from_trace["graph"]
    assert trace._repr_html_().startswith("<iframe srcdoc=")


def test_bad_arguments_are_clear_errors():
    loss, names = shared_input_graph()
    with pytest.raises(TypeError, match="backprop_page: inputs= and sliders= need root to be the function"):
        backprop_page(loss, inputs={"a": names["a"]})
    with pytest.raises(TypeError, match="backprop_page: root must be a Tensor or a function"):
        backprop_page([1, 2])
    with pytest.raises(ValueError, match="sliders= names 'q'"):
        backprop_page(festival, inputs=FESTIVAL_INPUTS, sliders=["q"])
    with pytest.raises(ValueError, match="a different graph for other input values"):
        backprop_page(lambda x: x.relu().sum() if x.item() > 0 else x.sum(),
                      inputs={"x": tg.tensor(0.5, requires_grad=True)})
    loss.backward()
    with pytest.raises(RuntimeError, match="backprop_page: cannot walk the graph"):
        backprop_page(loss)
    drawing = tg.viz.draw_graph(shared_input_graph()[0])   # its root is gone as soon as it is drawn
    with pytest.raises(RuntimeError, match="to_html: a tensor this graph was drawn from no longer exists"):
        drawing.to_html()


def test_view_command_writes_the_page_of_a_scripts_graph(tmp_path):
    script = tmp_path / "tiny.py"
    script.write_text("import sys\nimport tinygrad_edu as tg\nw = tg.tensor([0.5, -1.0], requires_grad=True)\n"
                      "loss = (w * float(sys.argv[1])).sigmoid().sum()\n")
    out = tmp_path / "tiny.html"
    done = subprocess.run([sys.executable, "-m", "tinygrad_edu", "view", "--out", str(out), str(script), "2"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "w" in [t["name"] for t in page_data(type("P", (), {"html": out.read_text()}))["graph"]["tensors"]]
    script.write_text("import tinygrad_edu as tg\nx = tg.tensor([1.0])\n")
    done = subprocess.run([sys.executable, "-m", "tinygrad_edu", "view", "--out", str(out), str(script)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "left no trace_backward result and no recorded graph" in done.stderr


@pytest.mark.slow
def test_the_committed_tutorial_pages_hold_todays_numbers():
    pages = runpy.run_path(str(ROOT / "docs" / "player" / "pages.py"), run_name="pages")["pages"]()
    for name, page in pages.items():
        committed = page_data(type("P", (), {"html": (ROOT / "docs" / "player" / name).read_text()}))
        assert committed == page_data(page), f"docs/player/{name} is stale: run python docs/player/pages.py"
