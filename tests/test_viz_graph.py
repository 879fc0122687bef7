"""tg.viz.draw_graph, save_graph and graph_text: the right nodes, edges, names, values and pictures."""
from __future__ import annotations

import re
import sys

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.viz import drawing as graph_module

needs_dot = pytest.mark.skipif(not tg.viz.dot_available(),
                               reason="the Graphviz `dot` program is not installed (apt-get install graphviz)")


def tensor_nodes(source: str) -> list[str]:
    return re.findall(r"^\s*(t\d+) \[", source, re.M)


def op_nodes(source: str) -> list[str]:
    return re.findall(r"^\s*(op\d+) \[", source, re.M)


def edges(source: str) -> list[tuple[str, str]]:
    return re.findall(r"^\s*(\S+) -> (\S+)", source, re.M)


def label_of(source: str, node: str) -> str:
    found = re.search(rf'^\s*{node} \[label=(?:"(.*?)"|([^ \]]+))', source, re.M)
    return found.group(1) if found.group(1) is not None else found.group(2)


def labels(source: str) -> list[str]:
    return re.findall(r'label="(.*?)"', source)


class StandInLinear:
    """Just enough of nn.Linear for drawing: parameters with PyTorch's names."""

    def __init__(self, n_in: int, n_out: int) -> None:
        self.weight = tg.randn(n_out, n_in, requires_grad=True)
        self.bias = tg.zeros(n_out, requires_grad=True)

    def __call__(self, x):
        return x @ self.weight.T + self.bias

    def named_parameters(self):
        return [("weight", self.weight), ("bias", self.bias)]

    def named_modules(self):
        return [("", self)]


class StandInNet:
    """features (a container holding layer "0") and head: two levels of modules."""

    def __init__(self) -> None:
        self.features = type("Block", (), {})()
        self.features.layer0 = StandInLinear(2, 3)
        self.head = StandInLinear(3, 1)

    def __call__(self, x):
        return self.head(self.features.layer0(x).relu())

    def named_parameters(self):
        return ([(f"features.0.{n}", p) for n, p in self.features.layer0.named_parameters()]
                + [(f"head.{n}", p) for n, p in self.head.named_parameters()])

    def named_modules(self):
        return [("", self), ("features", self.features), ("features.0", self.features.layer0), ("head", self.head)]


def test_draw_graph_of_mul_then_sum_has_four_tensors_two_ops_and_five_edges():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = tg.tensor([3.0, 4.0], requires_grad=True)
    source = tg.viz.draw_graph((a * b).sum()).source
    assert len(tensor_nodes(source)) == 4
    assert len(op_nodes(source)) == 2
    assert len(edges(source)) == 5
    assert sorted(label_of(source, op) for op in op_nodes(source)) == ["mul", "sum"]


def test_draw_graph_puts_every_op_between_its_input_tensors_and_its_result():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = tg.tensor([3.0, 4.0], requires_grad=True)
    source = tg.viz.draw_graph((a * b).sum(), names={"a": a, "b": b}).source
    name_of = {node: label_of(source, node).split("\\l")[0] for node in tensor_nodes(source)}
    op_of = {node: label_of(source, node) for node in op_nodes(source)}
    readable = {(name_of.get(x, op_of.get(x)), name_of.get(y, op_of.get(y))) for x, y in edges(source)}
    assert readable == {("a", "mul"), ("b", "mul"), ("mul", "mul1"), ("mul1", "sum"), ("sum", "sum2")}


def test_a_tensor_used_twice_is_drawn_once_with_an_edge_to_each_op():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    w = tg.tensor([3.0, 4.0], requires_grad=True)
    source = tg.viz.draw_graph((x * w + x).sum(), names={"x": x}).source
    assert len(tensor_nodes(source)) == 5            # x, w, x*w, x*w+x, sum
    assert len(op_nodes(source)) == 3
    x_node = next(n for n in tensor_nodes(source) if label_of(source, n).startswith("x\\l"))
    assert len([e for e in edges(source) if e[0] == x_node]) == 2


def test_tensor_nodes_show_shape_and_dtype():
    x = tg.ones(2, 3, dtype=tg.float64, requires_grad=True)
    source = tg.viz.draw_graph(x.sum()).source
    assert "(2, 3) float64" in source
    assert "() float64" in source


def test_values_appear_only_when_asked_for():
    x = tg.tensor([1.5, -2.25], requires_grad=True)
    y = (x * 2.0).sum()
    assert "1.5" not in tg.viz.draw_graph(y).source
    shown = tg.viz.draw_graph(y, show_values=True).source
    assert "value [ 1.5 , -2.25]" in shown or "value [ 1.5, -2.25]" in shown
    assert "value -1.5" in shown                      # the sum: 3 - 4.5


def test_big_tensors_show_mean_std_min_max_and_norm_instead_of_values():
    data = np.arange(20, dtype=np.float32).reshape(4, 5)
    x = tg.tensor(data, requires_grad=True)
    source = tg.viz.draw_graph(x.sum(), show_values=True).source
    summary = f"mean {data.mean():.4g}  std {data.std():.4g}  min 0  max 19  norm {np.linalg.norm(data):.4g}"
    assert summary in source


def test_gradients_appear_after_backward_with_retain_graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    assert "grad" not in " ".join(labels(tg.viz.draw_graph(y, show_grads=True).source))
    y.backward(retain_graph=True)
    source = tg.viz.draw_graph(y, show_grads=True, names={"x": x}).source
    x_node = next(n for n in tensor_nodes(source) if label_of(source, n).startswith("x\\l"))
    assert "grad [2., 4.]" in label_of(source, x_node)


def test_retain_grads_lets_intermediate_tensors_show_their_gradients():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3.0
    y = (h * h).sum()
    tg.viz.retain_grads(y)
    y.backward(retain_graph=True)
    source = tg.viz.draw_graph(y, show_grads=True, names={"h": h}).source
    h_node = next(n for n in tensor_nodes(source) if label_of(source, n).startswith("h\\l"))
    assert "grad [ 6., 12.]" in label_of(source, h_node)


def test_a_graph_freed_by_backward_is_still_drawn_with_every_op_and_the_leaves_gradients():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    source = tg.viz.draw_graph(y, show_values=True, show_grads=True).source
    assert sorted(label_of(source, n) for n in op_nodes(source)) == ["mul", "sum"]
    labels = [label_of(source, n) for n in tensor_nodes(source)]
    assert any("grad [2., 4.]" in label for label in labels)                        # the leaf's gradient
    assert any(label.startswith("mul1\\l(2,) float32\\lfreed by backward()") for label in labels), labels


def test_draw_graph_rejects_what_is_not_a_tensor():
    with pytest.raises(TypeError, match="draw_graph: expected a Tensor"):
        tg.viz.draw_graph([[1.0, 2.0]])


def test_a_leaf_alone_is_one_node_without_edges():
    source = tg.viz.draw_graph(tg.tensor([1.0], requires_grad=True)).source
    assert len(tensor_nodes(source)) == 1 and not op_nodes(source) and not edges(source)


def test_draw_graph_of_several_roots_shares_their_common_part():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    source = tg.viz.draw_graph([h.sum(), h.mean()]).source
    assert len([n for n in op_nodes(source) if label_of(source, n) == "mul"]) == 2   # x*x and mean's scaling
    assert len(tensor_nodes(source)) == 5    # x, h, h.sum(), mean's sum, h.mean() (1/n is an option of mul)


def test_parameters_are_labelled_with_module_names_and_modules_become_nested_clusters():
    net = StandInNet()
    source = tg.viz.draw_graph(net(tg.randn(4, 2)).sum(), module=net).source
    for name in ["features.0.weight", "features.0.bias", "head.weight", "head.bias"]:
        assert f'label="{name}\\l' in source
    assert "subgraph cluster_features {" in source
    assert "subgraph cluster_features_0 {" in source
    assert "subgraph cluster_head {" in source
    # features.0 sits inside features: its cluster opens before features' closes
    features = source.index("subgraph cluster_features {")
    inner = source.index("subgraph cluster_features_0 {")
    head = source.index("subgraph cluster_head {")
    assert features < inner < head


def test_ops_using_a_modules_parameters_are_drawn_inside_its_cluster_and_relu_outside():
    net = StandInNet()
    source = tg.viz.draw_graph(net(tg.randn(4, 2)).sum(), module=net).source
    head_cluster = source[source.index("subgraph cluster_head {"):]
    head_cluster = head_cluster[:head_cluster.index("}")]
    head_ops = sorted(label_of(source, n) for n in re.findall(r"^\s*(op\d+) \[", head_cluster, re.M))
    assert head_ops == ["add", "matmul", "permute"]   # x @ weight.T + bias
    relu = next(n for n in op_nodes(source) if label_of(source, n) == "relu")
    assert not re.search(rf"^\s*{relu} \[", head_cluster, re.M)


def test_collapsed_view_draws_one_box_per_layer():
    net = StandInNet()
    x = tg.randn(4, 2)
    source = tg.viz.draw_graph(net(x).sum(), module=net, collapse_modules=True, names={"x": x}).source
    boxes = re.findall(r"^\s*(m_\w+) \[", source, re.M)
    assert sorted(boxes) == ["m_features_0", "m_head"]
    assert sorted(label_of(source, n) for n in op_nodes(source)) == ["relu", "sum"]
    assert len(tensor_nodes(source)) == 3             # x, relu's result, the loss
    assert "weight (3, 2)" in label_of(source, "m_features_0")
    assert "subgraph cluster_features {" in source    # the container still groups its layer
    assert len(edges(source)) == 6                    # x->box->relu->t->box->sum->loss


def test_collapsing_without_a_module_is_a_clear_error():
    x = tg.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="collapse_modules=True needs module="):
        tg.viz.draw_graph(x.sum(), collapse_modules=True)


def test_draw_graph_draws_the_graph_recorded_by_a_create_graph_backward():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * x * x).sum().backward(create_graph=True)
    assert x.grad.grad_fn is not None
    source = tg.viz.draw_graph(x.grad, show_values=True, names={"x": x}).source
    assert op_nodes(source)
    assert 'label="x\\l' in source
    root = tensor_nodes(source)[-1]
    assert "value [ 3., 12.]" in label_of(source, root)     # d(x³)/dx = 3x²


def test_draw_graph_handles_a_chain_of_thousands_of_ops():
    x = tg.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    source = tg.viz.draw_graph(y).source
    assert len(op_nodes(source)) == 3000


def test_draw_graph_works_on_every_device(device):
    x = tg.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    source = tg.viz.draw_graph(y, show_values=True, show_grads=True, names={"x": x}).source
    assert "grad [2., 4.]" in source and "value 5." in source


def test_the_graphviz_package_missing_gives_an_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    monkeypatch.setattr(graph_module, "_digraph_class", None)
    x = tg.tensor([1.0], requires_grad=True)
    with pytest.raises(ImportError, match=r'pip install "tinygrad_edu\[viz\]"'):
        tg.viz.draw_graph(x.sum())


@needs_dot
def test_render_writes_an_svg_through_dot(tmp_path):
    net = StandInNet()
    graph = tg.viz.draw_graph(net(tg.randn(2, 2)).sum(), module=net, show_values=True)
    written = graph.render(tmp_path / "net", format="svg")
    svg = open(written, encoding="utf-8").read()
    assert written.endswith(".svg") and svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "head.weight" in svg and "features.0 (StandInLinear)" in svg


@needs_dot
def test_render_writes_a_png_through_dot(tmp_path):
    import matplotlib.image

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    written = tg.viz.draw_graph((x * x).sum()).render(tmp_path / "g", format="png")
    assert open(written, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    height, width = matplotlib.image.imread(written).shape[:2]
    assert height > 50 and width > 20


@needs_dot
def test_save_graph_writes_the_format_its_suffix_names(tmp_path):
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    graph = tg.viz.draw_graph((x * x).sum())
    svg = tg.viz.save_graph(graph, tmp_path / "out" / "graph.svg")
    png = tg.viz.save_graph(graph, tmp_path / "out" / "graph", format="png")
    assert svg == tmp_path / "out" / "graph.svg" and "<svg" in svg.read_text()
    assert png == tmp_path / "out" / "graph.png" and png.read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["graph.png", "graph.svg"]


@needs_dot
def test_the_graph_renders_inline_in_jupyter_as_svg():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    bundle = tg.viz.draw_graph((x * x).sum())._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


@needs_dot
def test_save_graph_writes_files_with_ordinary_permissions(tmp_path):
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    written = tg.viz.save_graph(tg.viz.draw_graph((x * x).sum()), tmp_path / "graph.svg")
    assert written.stat().st_mode & 0o777 == 0o644     # not the 0o600 of a bare temporary file


def hide_dot(monkeypatch, tmp_path):
    empty = tmp_path / "empty_bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert not tg.viz.dot_available()


def test_without_dot_the_source_is_still_built_and_render_says_how_to_install(monkeypatch, tmp_path):
    hide_dot(monkeypatch, tmp_path)
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    graph = tg.viz.draw_graph((x * x).sum())
    assert "digraph" in graph.source and len(op_nodes(graph.source)) == 2
    with pytest.raises(tg.viz.GraphvizNotFoundError, match=r"apt-get install graphviz.*brew install graphviz.*conda"):
        graph.render(tmp_path / "g", format="svg")


def test_without_dot_save_graph_writes_the_dot_file_and_explains(monkeypatch, tmp_path):
    hide_dot(monkeypatch, tmp_path)
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    graph = tg.viz.draw_graph((x * x).sum())
    with pytest.raises(tg.viz.GraphvizNotFoundError, match=r"`dot` was not found.*apt-get install graphviz") as info:
        tg.viz.save_graph(graph, tmp_path / "graph.svg")
    assert info.value.dot_path == tmp_path / "graph.dot"
    assert info.value.dot_path.read_text() == graph.source
    assert info.value.dot_path.stat().st_mode & 0o777 == 0o644
    assert "dot -Tsvg" in str(info.value)
    assert not (tmp_path / "graph.svg").exists()


def test_without_dot_jupyter_shows_the_source_and_the_hint(monkeypatch, tmp_path):
    hide_dot(monkeypatch, tmp_path)
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    bundle = tg.viz.draw_graph((x * x).sum())._repr_mimebundle_()
    assert "apt-get install graphviz" in bundle["text/plain"] and "digraph" in bundle["text/plain"]


def test_graph_text_draws_a_tree_with_shared_tensors_written_once():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    w = tg.tensor([3.0, 4.0], requires_grad=True)
    text = tg.viz.graph_text((x * w + x).sum(), names={"x": x, "w": w})
    assert text == "\n".join([
        "sum3 () float32  <- sum",
        "└── add2 (2,) float32  <- add",
        "    ├── mul1 (2,) float32  <- mul",
        "    │   ├── x (2,) float32  [leaf]",
        "    │   └── w (2,) float32  [leaf]",
        "    └── x (see above)",
    ])


def test_graph_text_shows_values_gradients_and_parameter_names(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)     # needs nothing installed
    layer = StandInLinear(2, 1)
    with tg.no_grad():
        layer.weight.copy_(tg.tensor([[1.0, -1.0]]))
    y = layer(tg.tensor([[2.0, 3.0]])).sum()
    y.backward(retain_graph=True)
    text = tg.viz.graph_text(y, show_values=True, show_grads=True, module=layer)
    assert "weight (1, 2) float32  [parameter]  value [[ 1., -1.]]  grad [[2., 3.]]" in text
    assert "const0 (1, 2) float32  [constant]" in text
    assert text.splitlines()[0].startswith("sum4 () float32  <- sum  value -1.")


def test_graph_text_handles_a_chain_of_thousands_of_ops():
    y = tg.tensor([1.0], requires_grad=True)
    for _ in range(3000):
        y = y + 1.0
    assert len(tg.viz.graph_text(y).splitlines()) == 3000 + 1   # each add's result, then the leaf


def test_draw_graph_with_a_real_nn_module_names_parameters_like_pytorch():
    from tinygrad_edu import nn

    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    source = tg.viz.draw_graph(model(tg.randn(4, 2)).sum(), module=model).source
    assert 'label="0.weight\\l' in source and 'label="2.bias\\l' in source
    assert "subgraph cluster_0 {" in source and "subgraph cluster_2 {" in source
    collapsed = tg.viz.draw_graph(model(tg.randn(4, 2)).sum(), module=model, collapse_modules=True).source
    assert sorted(re.findall(r"^\s*(m_\w+) \[", collapsed, re.M)) == ["m_0", "m_2"]


def test_a_module_without_named_parameters_is_a_clear_error():
    x = tg.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"draw_graph: module= must be an nn.Module .* got list"):
        tg.viz.draw_graph(x.sum(), module=[x])
    with pytest.raises(TypeError, match=r"graph_text: module= must be an nn.Module"):
        tg.viz.graph_text(x.sum(), module=[x])
