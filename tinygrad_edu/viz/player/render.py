"""Put the player's page together: one HTML file with the graph's SVG, the data, the CSS and the JavaScript inside.

The file needs nothing else: no server, no CDN, no Python. Without JavaScript (or on
paper) it still reads, because the same steps are also written out as tables after the graph.
This module makes a page from a finished trace; page.py runs the traces (and imports this).
"""
from __future__ import annotations

import html
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from tinygrad_edu.files import write_atomically
from tinygrad_edu.viz.player import data as page_data
from tinygrad_edu.viz.player.snapshot import GraphSnapshot

OP = "backprop_page"


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


def page_from_trace(trace: Any, max_values: int = 16) -> PlayerPage:
    """The page of a finished `trace_backward` (it keeps a snapshot of the graph)."""
    if getattr(trace, "graph", None) is None:
        raise ValueError(f"{OP}: this trace holds no snapshot of its graph (it was not made by trace_backward)")
    return render(trace.graph, page_data.scenario(trace.graph, trace, max_values), None, None, max_values)


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
    from tinygrad_edu.viz.drawing import dot_available
    if not dot_available():
        return None
    import graphviz
    svg = graphviz.Source(dot).pipe(format="svg").decode("utf-8")
    return svg[svg.index("<svg"):]   # inline in HTML: no XML prolog or doctype


def _no_svg_note(dot: str | None) -> str:
    from tinygrad_edu.viz.drawing import DOT_PROGRAM_HINT, PYTHON_PACKAGE_HINT
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
