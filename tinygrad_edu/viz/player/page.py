"""Put the player's page together: one HTML file with the graph's SVG, the data, the CSS and the JavaScript inside.

The file needs nothing else: no server, no CDN, no Python. Without JavaScript (or on
paper) it still reads, because the same steps are also written out as tables after the graph.
"""
from __future__ import annotations

import html
import json
import os
import weakref
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from tinygrad_edu.files import write_atomically
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.viz.player import data as page_data
from tinygrad_edu.viz.player import sliders as grid
from tinygrad_edu.viz.player.snapshot import GraphSnapshot
from tinygrad_edu.viz.walk import collect_graph

OP = "backprop_page"
TRACE_MAX_VALUES = 8          # trace_backward's default: local derivatives of bigger tensors are not listed


class PlayerPage:
    """A backprop player page: `.html` is the file's text, `.data` what the page shows, as a dict.

    In Jupyter it shows inline (in an iframe, so the page's script and style stay its own).
    """

    def __init__(self, html_text: str, data: dict, path: Path | None = None) -> None:
        self.html = html_text
        self.data = data
        self.path = path

    def save(self, path: str | os.PathLike) -> Path:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, self.html.encode("utf-8"))
        return self.path

    def _repr_html_(self) -> str:
        return inline_frame(self.html)

    def __repr__(self) -> str:
        where = f", saved to {self.path}" if self.path else ""
        return (f"<PlayerPage: {len(self.data['graph']['ops'])} ops, {len(self.data['base']['steps'])} backward "
                f"steps, {len(self.html) // 1024} KiB{where}>")


def inline_frame(page_html: str, height: int = 720) -> str:
    """The page inside an iframe, for Jupyter's rich display."""
    return (f'<iframe srcdoc="{html.escape(page_html, quote=True)}" style="width: 100%; height: {height}px; '
            f'border: 1px solid #ccc" sandbox="allow-scripts"></iframe>')


def backprop_page(root: Tensor | Callable[..., Tensor], path: str | os.PathLike | None = None,
                  inputs: dict[str, Any] | None = None, *, names: dict[str, Tensor] | None = None,
                  module: Any = None, sliders: list[str] | None = None,
                  ranges: dict[str, tuple[float, float]] | None = None, grid_points: int | None = None,
                  max_runs: int = 1000, title: str | None = None, max_values: int = 16) -> PlayerPage:
    """An interactive page that steps through the forward and backward pass of a graph.

    root: a scalar Tensor whose graph is still alive (before backward, or after
        backward(retain_graph=True)); the page runs `trace_backward` on it and leaves every
        `.grad` as it was. Or a function of tensors that returns one: then `inputs` gives its
        arguments by name, and the page gets sliders for the small float inputs (`sliders=`
        picks which) whose every position Python ran in advance (see player/sliders.py).
    path: where to write the HTML file (it is also returned as `PlayerPage.html`).
    names / module: label tensors and parameters as draw_graph does.
    ranges: {input name: (low, high)} for its sliders; grid_points: positions per slider
        (default 11 when every combination is run, 21 when sliders move one at a time);
        max_runs: the most runs for a grid of every combination.
    max_values: tensors with more numbers are shown as shape and statistics.
    """
    if callable(root) and not isinstance(root, Tensor):
        page = _page_with_sliders(root, inputs, module, sliders, ranges or {}, grid_points, max_runs, title,
                                  max_values)
    elif isinstance(root, Tensor):
        if inputs is not None or sliders is not None:
            raise TypeError(f"{OP}: inputs= and sliders= need root to be the function that builds the graph "
                            f"from the inputs (the page reruns it for every slider position), not a Tensor")
        trace = _trace_keeping_grads(root, names, module)
        page = render(trace.graph, page_data.scenario(trace.graph, trace, max_values), None, title, max_values)
    else:
        raise TypeError(f"{OP}: root must be a Tensor or a function that returns one, got {type(root).__name__}")
    if path is not None:
        page.save(path)
    return page


def page_from_trace(trace: Any, max_values: int = 16) -> PlayerPage:
    """The page of a finished `trace_backward` (it keeps a snapshot of the graph)."""
    if getattr(trace, "graph", None) is None:
        raise ValueError(f"{OP}: this trace holds no snapshot of its graph (it was not made by trace_backward)")
    return render(trace.graph, page_data.scenario(trace.graph, trace, max_values), None, None, max_values)


def _trace_keeping_grads(root: Tensor, names: dict | None, module: Any) -> Any:
    """trace_backward(root) with the graph kept alive and every .grad put back as it was."""
    from tinygrad_edu.study.trace import trace_backward
    # the engine may add into an existing .grad in place: keep its numbers, not only the tensor
    saved = [(t, t._grad, None if t._grad is None else t._grad.array.copy()) for t in collect_graph(root, OP).tensors]
    try:
        return trace_backward(root, retain_graph=True, names=names, module=module, max_values=TRACE_MAX_VALUES)
    finally:
        for t, grad, numbers in saved:
            t._grad = grad
            if grad is not None:
                grad.array[...] = numbers


def _page_with_sliders(build: Callable, inputs: dict | None, module: Any, sliders: list[str] | None,
                       ranges: dict, grid_points: int | None, max_runs: int, title: str | None,
                       max_values: int) -> PlayerPage:
    from tinygrad_edu.study.trace import trace_backward
    tensors = grid.as_inputs(inputs, OP)
    axes = grid.slider_axes(tensors, sliders, ranges, grid_points or 11, OP)
    if grid_points is None and len(axes) and 11 ** len(axes) > max_runs:
        axes = grid.slider_axes(tensors, sliders, ranges, 21, OP)   # one at a time: room for finer steps

    def run(args: dict[str, Tensor]) -> Any:
        out = build(**args)
        if not isinstance(out, Tensor):
            raise TypeError(f"{OP}: the function must return a Tensor, got {type(out).__name__}")
        if out.grad_fn is None:
            raise ValueError(f"{OP}: the function's result has no graph behind it; make the inputs that "
                             f"should get gradients with requires_grad=True")
        return trace_backward(out, names=args, module=module, max_values=TRACE_MAX_VALUES)

    start = run(tensors)
    mode, traces = grid.precompute(run, tensors, axes, max_runs)
    for moved in traces:
        if moved.graph.structure() != start.graph.structure():
            raise ValueError(f"{OP}: the function built a different graph for other input values; sliders "
                             f"need the same ops for every value (no branching on values)")
    scenarios = [page_data.scenario(t.graph, t, max_values) for t in traces]
    slider_info = grid.slider_data(axes, mode) | {"scenarios": scenarios}
    return render(start.graph, page_data.scenario(start.graph, start, max_values), slider_info, title, max_values)


def render(snapshot: GraphSnapshot, base: dict, slider_info: dict | None, title: str | None,
           max_values: int) -> PlayerPage:
    """The page for one graph: `base` is the scenario it starts with (data.scenario)."""
    structure = page_data.structure(snapshot)
    root = next((t for t in structure["tensors"] if t["kind"] == "root"), structure["tensors"][-1])
    title = title or f"Backprop player: {root['name']}"
    svg = render_svg(snapshot.dot)
    info = {"title": title, "graph": structure, "base": base, "sliders": slider_info, "has_svg": svg is not None}
    text = (_asset("player.html")
            .replace("{{title}}", html.escape(title))
            .replace("{{css}}", _asset("player.css"))
            .replace("{{graph}}", svg if svg is not None else _no_svg_note(snapshot.dot))
            .replace("{{tables}}", static_tables(structure, base))
            .replace("{{data}}", json.dumps(info, separators=(",", ":")).replace("</", "<\\/"))
            .replace("{{js}}", _asset("player.js")))
    return PlayerPage(text, info)


def _asset(name: str) -> str:
    return resources.files("tinygrad_edu.viz.player").joinpath(name).read_text(encoding="utf-8")


def render_svg(dot: str | None) -> str | None:
    """The SVG that Graphviz's `dot` draws from draw_graph's source; None without Graphviz."""
    if dot is None:
        return None
    from tinygrad_edu.viz.graph import dot_available
    if not dot_available():
        return None
    import graphviz
    svg = graphviz.Source(dot).pipe(format="svg").decode("utf-8")
    return svg[svg.index("<svg"):]   # inline in HTML: no XML prolog or doctype


def _no_svg_note(dot: str | None) -> str:
    from tinygrad_edu.viz.graph import DOT_PROGRAM_HINT, PYTHON_PACKAGE_HINT
    hint = PYTHON_PACKAGE_HINT if dot is None else DOT_PROGRAM_HINT
    source = f"<pre>{html.escape(dot)}</pre>" if dot else ""
    return f'<p class="pl-note">No picture of the graph: {html.escape(hint)}</p>{source}'


def static_tables(structure: dict, base: dict) -> str:
    """Every forward and backward step as plain HTML tables: what the page says without JavaScript."""
    tensors, ops, e = structure["tensors"], structure["ops"], html.escape
    values, grads = base["values"], base["grads"]

    def named(i: int) -> str:
        return f"<b>{e(tensors[i]['name'])}</b> = <code>{e(values[i])}</code>"

    forward = "".join(
        f"<tr><td>{k + 1}</td><td>{e(o['op'])}</td><td>{'<br>'.join(named(i) for i in o['inputs'])}</td>"
        f"<td>{named(o['output'])}</td></tr>" for k, o in enumerate(ops))
    backward = []
    for s in base["steps"]:
        handed = "<br>".join(f"<b>{e(i['name'])}</b>: local derivative <code>{e(i['local'])}</code>, "
                             f"gradient <code>{e(i['grad'] or '-')}</code> {e(i['note'])}" for i in s["inputs"])
        sums = "".join(f"<br><b>{e(x['name'])}</b> adds up paths: {e(' + '.join(x['terms']))} = "
                       f"<code>{e(x['total'])}</code>" for x in s["sums"])
        backward.append(f"<tr><td>{s['number']}</td><td>{e(ops[s['op']]['op'])}</td>"
                        f"<td><b>{e(tensors[s['output']]['name'])}</b>: <code>{e(s['upstream'])}</code></td>"
                        f"<td>{e(s['rule'])}</td><td>{handed}{sums}</td></tr>")
    nodes = "".join(f"<tr><td>{e(t['name'])}</td><td>{e(t['kind'])}</td><td>{e(t['shape'])} {e(t['dtype'])}</td>"
                    f"<td><code>{e(values[i])}</code></td><td><code>{e(grads[i] or '-')}</code></td></tr>"
                    for i, t in enumerate(tensors))
    return ("<h2>Forward, op by op</h2><table class='pl-table' id='pl-forward-table'><thead><tr><th>#</th>"
            "<th>op</th><th>inputs</th><th>result</th></tr></thead><tbody>" + forward + "</tbody></table>"
            "<h2>Backward, step by step (trace_backward's order)</h2><table class='pl-table' id='pl-backward-table'>"
            "<thead><tr><th>step</th><th>op</th><th>gradient arriving at</th><th>rule</th>"
            "<th>handed to the inputs</th></tr></thead><tbody>" + "".join(backward) + "</tbody></table>"
            "<h2>Every tensor</h2><table class='pl-table' id='pl-tensor-table'><thead><tr><th>tensor</th>"
            "<th>kind</th><th>shape</th><th>value</th><th>gradient</th></tr></thead><tbody>" + nodes
            + "</tbody></table>")


class DrawingSource:
    """What a draw_graph drawing keeps to become a player page (`drawing.to_html()`): weak
    links to the tensors it was drawn from, so that a drawing never keeps a graph alive."""

    def __init__(self, root: Tensor | list[Tensor], names: dict[str, Tensor] | None, module: Any) -> None:
        roots = [root] if isinstance(root, Tensor) else list(root)
        self.roots = [weakref.ref(r) for r in roots]
        self.names = {name: weakref.ref(t) for name, t in (names or {}).items()}
        self.module = weakref.ref(module) if module is not None else None

    def page(self) -> PlayerPage:
        roots = [r() for r in self.roots]
        names = {name: ref() for name, ref in self.names.items()}
        if any(r is None for r in roots) or any(t is None for t in names.values()):
            raise RuntimeError("to_html: a tensor this graph was drawn from no longer exists; keep a variable "
                               "holding it (such as `loss`) while making the page")
        if len(roots) != 1:
            raise ValueError(f"to_html: the player steps backward from one root, and this graph was drawn "
                             f"from {len(roots)}; draw it from one tensor, or call tg.viz.backprop_page(root)")
        module = self.module() if self.module is not None else None
        return backprop_page(roots[0], names=names, module=module)
