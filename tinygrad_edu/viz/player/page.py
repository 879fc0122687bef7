"""The player's entry points: `backprop_page` runs trace_backward on a graph (or on a grid of
slider values) and hands the traces to render.py, which writes the page."""
from __future__ import annotations

import os
import weakref
from typing import Any, Callable

from tinygrad_edu.tensor import Tensor
from tinygrad_edu.viz.player import data as page_data
from tinygrad_edu.viz.player import sliders as grid
from tinygrad_edu.viz.player.render import OP, PlayerPage, page_from_trace, render
from tinygrad_edu.viz.walk import collect_graph

__all__ = ["backprop_page", "page_from_trace", "PlayerPage", "DrawingSource"]
TRACE_MAX_VALUES = 8          # trace_backward's default: local derivatives of bigger tensors are not listed


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
        return backprop_page(roots[0], names=names, module=module)  # type: ignore[arg-type]  # all alive: checked above
