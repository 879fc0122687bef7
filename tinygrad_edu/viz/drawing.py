"""Draw the computational graph with Graphviz: tensors, the ops between them, values, gradients.

(`tg.viz.draw_graph` is this module's drawing with the backprop player attached: viz/graph.py.)

    tg.study.keep_graphs()                                     # study mode: keep every value and gradient
    loss = model(x).sum()
    loss.backward()
    tg.viz.draw_graph(loss, show_values=True, show_grads=True, module=model)   # shows inline in Jupyter

Tensors are boxes (shape, dtype, and when asked their values and gradients), ops are ovals.
Outside study mode backward() frees the intermediate tensors (training loops should not keep
them): a graph drawn after it still shows every op and shape, and the leaves' values and
gradients, but its intermediate boxes say "freed by backward()" (for graphs of up to 500 ops;
a bigger one keeps no outline, and drawing it asks for study mode). `retain_grads(root)` before
backward keeps only the intermediate gradients, as PyTorch's retain_grad() does.

Graphviz is optional: the Python package (`pip install "tinygrad_edu[viz]"`) builds the DOT
source; the `dot` program turns it into pictures. Without `dot`, the source is still built and
rendering fails with a message that says how to install it.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Sequence

from tinygrad_edu.files import write_atomically
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.viz.walk import FreedTensor, Graph, collect_graph, op_inputs, derivative_rule, format_numbers, shape_text, tensor_names

PYTHON_PACKAGE_HINT = 'drawing graphs needs the graphviz Python package: pip install "tinygrad_edu[viz]"'
DOT_PROGRAM_HINT = ("the Graphviz program `dot` was not found on PATH; install Graphviz to render graphs: "
                    "`apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
                    "`conda install -c conda-forge graphviz`, or https://graphviz.org/download/")

COLORS = {"parameter": "#ffe8a3", "input": "#cfe6ff", "root": "#c9efc4", "tensor": "#ffffff",
          "const": "#f2f2f2", "op": "#e4e4e4", "module": "#fff4d6"}


class GraphvizNotFoundError(RuntimeError):
    """The `dot` program is missing. `dot_path` is the DOT source written instead, if any."""

    def __init__(self, message: str, dot_path: Path | None = None) -> None:
        super().__init__(message)
        self.dot_path = dot_path


def dot_available() -> bool:
    """True when the Graphviz `dot` program can be found on PATH."""
    return shutil.which("dot") is not None


def _graphviz() -> Any:
    try:
        import graphviz
    except ImportError as e:
        raise ImportError(f"{PYTHON_PACKAGE_HINT} ({e})") from None
    return graphviz


_digraph_class: type | None = None


def _graph_class() -> type:
    """A graphviz.Digraph whose rendering explains how to install Graphviz when `dot` is missing.

    Made on first use, because graphviz is imported only then.
    """
    global _digraph_class
    if _digraph_class is not None:
        return _digraph_class
    graphviz = _graphviz()

    class ComputationGraph(graphviz.Digraph):  # type: ignore[name-defined]  # graphviz is imported lazily
        """A graphviz.Digraph of a tinygrad_edu graph (`.source` is the DOT text)."""

        def pipe(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().pipe(*args, **kwargs)
            except graphviz.ExecutableNotFound:
                raise GraphvizNotFoundError(f"rendering the graph failed: {DOT_PROGRAM_HINT}") from None

        def render(self, *args: Any, **kwargs: Any) -> str:
            try:
                return super().render(*args, **kwargs)
            except graphviz.ExecutableNotFound:
                raise GraphvizNotFoundError(f"rendering the graph failed (the DOT source was written "
                                            f"next to the requested file): {DOT_PROGRAM_HINT}") from None

        def to_html(self) -> str:
            """The graph as the backprop player page (tg.viz.backprop_page), as HTML text."""
            drawn_from = getattr(self, "drawn_from", None)   # set by tg.viz.draw_graph (viz/graph.py)
            if drawn_from is None:
                raise ValueError("to_html: this drawing does not know the tensors it was drawn from; "
                                 "draw it with tg.viz.draw_graph")
            return drawn_from.page().html

        def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict:
            # In Jupyter, show the DOT text and the hint instead of a traceback when dot is missing.
            try:
                return super()._repr_mimebundle_(include, exclude, **kwargs)
            except GraphvizNotFoundError as e:
                return {"text/plain": f"{e}\n\n{self.source}"}

    _digraph_class = ComputationGraph
    return ComputationGraph


def retain_grads(root: Tensor | Sequence[Tensor]) -> None:
    """Make every intermediate tensor behind `root` keep its `.grad` after the next backward,
    so `draw_graph(..., show_grads=True)` can show gradients everywhere, not only at leaves."""
    graph = collect_graph(root, "retain_grads")
    for t in graph.tensors:
        if t.grad_fn is not None:
            t.retain_grad()


def module_placement(graph: Graph, module: Any) -> dict[int, str]:
    """id(tensor or op) -> the dotted path of the module it belongs to ("" = no module).

    Parameters belong to the module that owns them. An op belongs to a module when it uses
    that module's parameters (or tensors computed from them alone, such as `weight.T`), and
    so does its result. Parameter-free modules such as ReLU leave no trace in the graph,
    so their ops are drawn outside every cluster.
    """
    if module is None:
        return {}
    place: dict[int, str] = {}
    from_params: dict[int, str] = {}
    for name, p in module.named_parameters():
        place[id(p)] = from_params[id(p)] = name.rpartition(".")[0]
    for fn in graph.ops:
        paths = {from_params[id(t)] for t in op_inputs(fn) if id(t) in from_params}
        if len(paths) != 1:
            continue
        path = paths.pop()
        out = graph.output_of[id(fn)]
        place[id(fn)] = place[id(out)] = path
        if all(id(t) in from_params for t in op_inputs(fn)):
            from_params[id(out)] = path
    return place


def _tensor_label(t: Tensor, name: str, show_values: bool, show_grads: bool, max_values: int) -> str:
    lines = [name, f"{shape_text(t.shape)} {t.dtype}" + ("" if t.device == "cpu" else f" on {t.device}")]
    if t._version and t.grad_fn is not None:   # changed in place inside the graph (a parameter's
        # version counts its optimizer steps, which would only clutter the picture)
        lines.append(f"version {t._version} (changed in place)")
    if isinstance(t, FreedTensor):   # drawn after backward() outside study mode
        if show_values or show_grads:
            lines.append("freed by backward()")
    elif show_values:
        lines.append("value " + format_numbers(t, max_values))
    if show_grads and t._grad is not None:   # _grad: no warning for a non-leaf that kept none
        lines.append("grad " + format_numbers(t._grad, max_values))
    # \l ends a left-aligned line in DOT, so multi-line arrays keep their columns.
    return "".join(line.replace("\n", "\\l") + "\\l" for line in lines)


def _tensor_style(t: Tensor, graph: Graph, is_parameter: bool) -> dict[str, str]:
    if graph.is_root(t):
        kind = "root"
    elif is_parameter:
        kind = "parameter"
    elif t.grad_fn is not None:
        kind = "tensor"
    else:
        kind = "input" if t.requires_grad else "const"
    style = "rounded,filled,dashed" if kind == "const" else "rounded,filled"
    return {"shape": "box", "style": style, "fillcolor": COLORS[kind], "fontname": "Helvetica"}


def _cluster_paths(path: str, modules: dict[str, Any]) -> list[str]:
    """The chain of module paths from the outermost to `path` (`features`, `features.0`)."""
    parts = path.split(".")
    chain = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return [p for p in chain if p in modules]


def draw_graph(root: Tensor | Sequence[Tensor], show_values: bool = False, show_grads: bool = False,
               module: Any = None, collapse_modules: bool = False, names: dict[str, Tensor] | None = None,
               max_values: int = 16, rankdir: str = "TB") -> Any:
    """Draw the graph behind `root` (a tensor or a list of tensors) as a `graphviz.Digraph`.

    show_values / show_grads: print each tensor's values / `.grad` (tensors with more than
        `max_values` elements get mean, std, min, max and norm instead).
    module: an nn.Module; its parameters are labelled with their names (`conv1.weight`) and
        each sub-module whose parameters appear is drawn as a cluster.
    collapse_modules: draw each module that owns parameters as one box (for big graphs).
    names: extra labels, e.g. {"x": x, "loss": loss}.

    Draw before or after backward(). After it, every op and shape is there, with the leaves'
    values and gradients; the intermediate tensors' values and gradients only in study mode
    (`tg.study.keep_graphs()`, which keeps the whole graph), else they read "freed by backward()".
    (A graph of more than 500 ops keeps nothing to draw after backward() outside study mode.)
    It may also be the graph a `backward(create_graph=True)` recorded: draw `x.grad`.
    """
    if collapse_modules and module is None:
        raise ValueError("draw_graph: collapse_modules=True needs module= (the nn.Module whose layers to collapse)")
    graph = collect_graph(root, "draw_graph", after_backward=True)
    labels = tensor_names(graph, module, names)
    place = module_placement(graph, module)
    modules, params = _modules_and_parameters(module)
    node_ids, nodes_in = _nodes_by_module(graph, labels, place, params,
                                          show_values=show_values, show_grads=show_grads, max_values=max_values)
    edges = _edges(graph, node_ids)
    if collapse_modules:
        nodes_in, edges = _collapse(nodes_in, edges, module, modules)
    return _digraph(nodes_in, edges, modules, rankdir)


def _modules_and_parameters(module: Any) -> tuple[dict[str, Any], set[int]]:
    """The named sub-modules of `module` (without itself, "") and the ids of its parameters."""
    modules = dict(module.named_modules()) if module is not None and hasattr(module, "named_modules") else {}
    modules.pop("", None)
    params = {id(p) for _, p in module.named_parameters()} if module is not None else set()
    return modules, params


def _nodes_by_module(graph: Graph, labels: dict[int, str], place: dict[int, str], params: set[int], *,
                     show_values: bool, show_grads: bool, max_values: int) -> tuple[dict[int, str], dict]:
    """A node for every tensor (a box) and op (an oval): id(tensor or op) -> node id, and
    module path -> [(node id, label, attrs)] for the nodes drawn inside that module."""
    node_ids: dict[int, str] = {}
    nodes_in: dict[str, list[tuple[str, str, dict]]] = {}   # module path -> (node id, label, attrs)
    for i, t in enumerate(graph.tensors):
        node_ids[id(t)] = f"t{i}"
        label = _tensor_label(t, labels[id(t)], show_values, show_grads, max_values)
        nodes_in.setdefault(place.get(id(t), ""), []).append(
            (f"t{i}", label, _tensor_style(t, graph, id(t) in params)))
    for i, fn in enumerate(graph.ops):
        node_ids[id(fn)] = f"op{i}"
        attrs = {"shape": "oval", "style": "filled", "fillcolor": COLORS["op"], "fontname": "Helvetica",
                 "tooltip": derivative_rule(fn)}
        nodes_in.setdefault(place.get(id(fn), ""), []).append((f"op{i}", fn.op_name(), attrs))
    return node_ids, nodes_in


def _edges(graph: Graph, node_ids: dict[int, str]) -> list[tuple[str, str]]:
    """Arrows from each op's inputs to the op, and from the op to its output."""
    edges: list[tuple[str, str]] = []
    for fn in graph.ops:
        edges.extend((node_ids[id(t)], node_ids[id(fn)]) for t in op_inputs(fn))
        edges.append((node_ids[id(fn)], node_ids[id(graph.output_of[id(fn)])]))
    return edges


def _digraph(nodes_in: dict[str, list], edges: list[tuple[str, str]], modules: dict[str, Any], rankdir: str) -> Any:
    """The graphviz.Digraph with the nodes in their module clusters and each distinct arrow once."""
    g = _graph_class()(name="computational_graph", graph_attr={"rankdir": rankdir},
                       node_attr={"fontsize": "11"})
    _emit_nodes(g, nodes_in, modules)
    seen = set()
    for edge in edges:
        if edge not in seen:   # x * x feeds one tensor into one op twice; one arrow says enough
            seen.add(edge)
            g.edge(*edge)
    return g

def _collapse(nodes_in: dict, edges: list, module: Any, modules: dict) -> tuple[dict, list]:
    """Replace everything inside each module that owns parameters by one box."""
    collapsed: dict[str, list] = {"": list(nodes_in.get("", []))}
    box_of: dict[str, str] = {}
    for path, nodes in nodes_in.items():
        if not path:
            continue
        box = f"m_{path.replace('.', '_')}"
        for node_id, _, _ in nodes:
            box_of[node_id] = box
        kind = type(modules[path]).__name__ if path in modules else "module"
        own = [f"{name.rpartition('.')[2]} {shape_text(p.shape)}" for name, p in module.named_parameters()
               if name.rpartition(".")[0] == path]
        ancestors = _cluster_paths(path.rpartition(".")[0], modules) if "." in path else []
        collapsed.setdefault(ancestors[-1] if ancestors else "", []).append(
            (box, "\\n".join([f"{path}: {kind}"] + own),
             {"shape": "box3d", "style": "filled", "fillcolor": COLORS["module"], "fontname": "Helvetica"}))
    new_edges = []
    for a, b in edges:
        a, b = box_of.get(a, a), box_of.get(b, b)
        if a != b:
            new_edges.append((a, b))
    return collapsed, new_edges


def _emit_nodes(g: Any, nodes_in: dict[str, list], modules: dict[str, Any]) -> None:
    """Put each node into the cluster of its module, nesting clusters like the modules nest."""
    children: dict[str, set[str]] = {}
    for path in nodes_in:
        if not path:
            continue
        chain = [""] + _cluster_paths(path, modules)
        for parent, child in zip(chain, chain[1:]):
            children.setdefault(parent, set()).add(child)

    def fill(target: Any, path: str) -> None:
        for node_id, label, attrs in nodes_in.get(path, []):
            target.node(node_id, label, **attrs)
        for child in sorted(children.get(path, ())):
            with target.subgraph(name=f"cluster_{child.replace('.', '_')}") as cluster:
                kind = type(modules[child]).__name__
                cluster.attr(label=f"{child} ({kind})", style="rounded,dashed", color="#b58900",
                             fontname="Helvetica")
                fill(cluster, child)

    fill(g, "")
    # nodes of a path that is not a known module (only with a stand-in module) stay at top level
    for path, nodes in nodes_in.items():
        if path and not _cluster_paths(path, modules):
            for node_id, label, attrs in nodes:
                g.node(node_id, label, **attrs)


def save_graph(graph: Any, path: str | os.PathLike, format: str | None = None) -> Path:  # noqa: A002
    """Render `graph` (from draw_graph) to `path` and return the written file.

    The format comes from `format`, else from the file's suffix, else SVG. Without the
    Graphviz `dot` program, the DOT source is written to `<path>.dot` instead and
    GraphvizNotFoundError is raised with install instructions (its `dot_path` names the file).
    """
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".") or "svg").lower()
    target = path if path.suffix.lstrip(".").lower() == fmt else path.with_name(path.name + "." + fmt)
    target.parent.mkdir(parents=True, exist_ok=True)
    graphviz = _graphviz()
    try:
        data = graphviz.Digraph.pipe(graph, format=fmt)
    except (graphviz.ExecutableNotFound, GraphvizNotFoundError):
        dot_path = target.with_suffix(".dot")
        write_atomically(dot_path, graph.source.encode("utf-8"))
        raise GraphvizNotFoundError(
            f"save_graph: could not write {target}: {DOT_PROGRAM_HINT}. The DOT source was written to "
            f"{dot_path}; once Graphviz is installed, render it with `dot -T{fmt} {dot_path} -o {target}`",
            dot_path) from None
    write_atomically(target, data)
    return target

