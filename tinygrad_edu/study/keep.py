"""Study mode: backward() keeps the whole graph, with every value and every gradient.

Ordinary backward() frees what forward saved as soon as it has used it and gives gradients
only to leaves, so training loops keep no intermediate array alive. To look at backprop after
the fact, as micrograd and torchviz users do, turn study mode on:

    tg.study.keep_graphs()                     # from here on (e.g. the first cell of a notebook)
    loss.backward()
    tg.viz.draw_graph(loss, show_values=True, show_grads=True)   # every value and gradient

    with tg.study.keep_graphs():               # or only inside a block
        loss.backward()

In study mode backward() acts as backward(retain_graph=True) and every intermediate tensor
gets its `.grad`, as if each had called retain_grad(). Without it, draw_graph after backward()
still draws every op and shape and the leaves' values and gradients of a graph of up to 500
ops (autograd.OUTLINE_MAX_OPS), but the intermediate values and gradients are gone.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu.autograd import _state


class keep_graphs:  # noqa: N801 (a function-like switch, as torch.set_grad_enabled)
    """Turn study mode on (or off with `keep_graphs(False)`): at once as a plain call, and only
    for the block when used with `with`."""

    def __init__(self, enabled: bool = True) -> None:
        self._before = _state.keep_graphs
        _state.keep_graphs = bool(enabled)

    def __enter__(self) -> keep_graphs:
        return self

    def __exit__(self, *exc: Any) -> None:
        _state.keep_graphs = self._before


def keeping_graphs() -> bool:
    """Whether study mode is on in this thread."""
    return _state.keep_graphs
