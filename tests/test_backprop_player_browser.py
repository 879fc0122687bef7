"""The backprop player in a real browser: headless Chromium (Debian's package) driven by Playwright.

Steps forward and backward with clicks and arrow keys and checks, after each step, the
highlighted node and the numbers shown against Python's; clicks a node and reads its panel;
moves a slider and reads the new output. A screenshot of each state goes to the test's
temporary folder. One browser serves the whole module.
"""
from __future__ import annotations

import os
import shutil

import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.viz.player.data import full_text
from tinygrad_edu.viz.walk import format_numbers


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


playwright = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright (the test extra)")
if not tg.viz.dot_available():
    pytest.skip("the player's graph needs Graphviz's dot", allow_module_level=True)
if chromium_path() is None:
    pytest.skip("no Chromium installed (apt-get install chromium, as .ci/run does; or set CHROMIUM=path)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path())   # the system's: nothing downloaded
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, tmp_path):
    pages = []

    def open_(page_object, name):
        path = page_object.save(tmp_path / f"{name}.html")
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        pages.append((page, errors))
        return page

    yield open_
    for page, errors in pages:
        page.close()
        assert errors == [], f"the page's script failed: {errors}"


def highlighted(page, cls: str) -> set[str]:
    return set(page.locator(f"#pl-graph g.node.{cls} > title").all_text_contents())


def check_forward(page, data, k: int) -> None:
    """After forward step k (from 0): its op and result are highlighted and the result's value shown."""
    op = data["graph"]["ops"][k]
    result = data["graph"]["tensors"][op["output"]]
    assert page.inner_text("#pl-step-label") == f"forward {k + 1} of {len(data['graph']['ops'])}"
    assert highlighted(page, "pl-current") == {op["node"], result["node"]}
    assert page.locator("#pl-card dd code").last.inner_text() == data["base"]["values"][op["output"]]


def check_backward(page, data, trace, b: int) -> None:
    """After backward step b: the op and the tensor the gradient arrives at are highlighted,
    and the gradients shown are trace_backward's."""
    step = trace.steps[b]
    shown = data["base"]["steps"][b]
    assert page.inner_text("#pl-step-label") == f"backward {b + 1} of {len(trace.steps)}"
    assert highlighted(page, "pl-back-current") == {data["graph"]["ops"][shown["op"]]["node"],
                                                      data["graph"]["tensors"][shown["output"]]["node"]}
    assert data["graph"]["tensors"][shown["output"]]["name"] == step.output
    assert page.inner_text("#pl-card .pl-upstream") == format_numbers(step.upstream, 16)
    handed = [format_numbers(i.gradient, 16) for i in step.inputs if i.gradient is not None]
    assert page.locator("#pl-card .pl-handed").all_inner_texts() == handed


def festival(x, w, b):
    return ((x * w).sum() + b).sigmoid()


def festival_inputs():
    return {"x": tg.tensor([3.0, 2.0, 4.0, 2.0]), "w": tg.tensor([4.0, 2.0, 2.0, 1.0], requires_grad=True),
            "b": tg.tensor(-25.0, requires_grad=True)}


def test_festival_neuron_steps_panel_and_slider(open_page, tmp_path):
    made = tg.viz.backprop_page(festival, inputs=festival_inputs(), ranges={"x": (0, 4), "w": (0, 4), "b": (-30, -20)})
    data = made.data
    inputs = festival_inputs()
    trace = tg.study.trace_backward(festival(**inputs), names=inputs)
    page = open_page(made, "festival")
    page.screenshot(path=tmp_path / "festival-0-start.png")
    forward = len(data["graph"]["ops"])

    page.click("#pl-next")                                # forward with the button
    check_forward(page, data, 0)
    page.screenshot(path=tmp_path / "festival-1-forward-1.png")
    for k in range(1, forward):                           # ... and with the arrow key
        page.keyboard.press("ArrowRight")
        check_forward(page, data, k)
    for b in range(len(trace.steps)):
        page.keyboard.press("ArrowRight")
        check_backward(page, data, trace, b)
        page.screenshot(path=tmp_path / f"festival-2-backward-{b + 1}.png")
    page.keyboard.press("ArrowLeft")                      # back with the key and with the button
    check_backward(page, data, trace, len(trace.steps) - 2)
    page.click("#pl-back")
    check_backward(page, data, trace, len(trace.steps) - 3)

    page.click("#pl-graph g.node:has(> title:text-is('t1'))")   # w, the weights
    assert page.inner_text("#pl-panel h3") == "tensor w"
    assert page.inner_text("#pl-panel .pl-value") == full_text(inputs["w"].numpy(), 16)
    assert page.inner_text("#pl-panel .pl-grad") == full_text(trace.leaf("w").gradient, 16)
    page.screenshot(path=tmp_path / "festival-3-panel-w.png")

    b_slider = page.locator(".pl-slider").last             # b: from -25 down to -30
    b_slider.fill("0")
    b = float(data["sliders"]["axes"][-1]["values"][0])
    assert b == -30.0
    moved = festival(inputs["x"], inputs["w"], tg.tensor(b))
    assert page.inner_text("#pl-output") == f"{data['graph']['tensors'][-1]['name']} = {format_numbers(moved.numpy())}"
    assert page.inner_text("#pl-output") != f"{data['graph']['tensors'][-1]['name']} = {data['base']['values'][-1]}"
    page.screenshot(path=tmp_path / "festival-4-slider-b.png")


def small_convnet_loss():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32, 3))
    images = tg.randn(2, 1, 8, 8)
    return model, nn.functional.cross_entropy(model(images), tg.tensor([0, 2]))


def test_small_convnet_steps_and_panel(open_page, tmp_path):
    model, loss = small_convnet_loss()
    made = tg.viz.backprop_page(loss, module=model)
    data = made.data
    trace = tg.study.trace_backward(loss, module=model)
    page = open_page(made, "convnet")
    forward = len(data["graph"]["ops"])

    page.keyboard.press("ArrowRight")
    check_forward(page, data, 0)
    page.screenshot(path=tmp_path / "convnet-1-forward-conv.png")
    page.locator("#pl-step").fill(str(forward))            # the step slider: to the end of forward
    check_forward(page, data, forward - 1)
    for b in range(3):
        page.click("#pl-next")
        check_backward(page, data, trace, b)
    page.screenshot(path=tmp_path / "convnet-2-backward-3.png")

    weight = next(t for t in data["graph"]["tensors"] if t["name"] == "0.weight")
    page.click(f"#pl-graph g.node:has(> title:text-is('{weight['node']}'))")
    assert page.inner_text("#pl-panel h3") == "tensor 0.weight"
    assert page.inner_text("#pl-panel .pl-value") == full_text(model[0].weight.numpy(), 16)   # 18 numbers: statistics
    assert page.inner_text("#pl-panel .pl-grad") == full_text(trace.leaf("0.weight").gradient, 16)
    page.screenshot(path=tmp_path / "convnet-3-panel-conv-weight.png")


def test_without_javascript_the_tables_carry_the_steps(browser, tmp_path):
    model, loss = small_convnet_loss()
    path = tg.viz.backprop_page(loss, module=model).save(tmp_path / "static.html")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(path.as_uri())
    assert not page.is_visible("#pl-controls")
    rows = page.locator("#pl-backward-table tbody tr")
    assert rows.count() == len(tg.study.trace_backward(small_convnet_loss()[1]).steps)
    page.screenshot(path=tmp_path / "convnet-4-without-javascript.png", full_page=True)
    context.close()
