"""The page of a script's graph: what `tinygrad-edu view examples/07_backprop_by_hand.py` shows.

The script runs as `python script.py ARGS` would; then its global variables are searched for
what to show: the last `trace_backward` result, else the tensor with the largest graph that
is still alive (before backward, after backward(retain_graph=True), or in study mode). The
script's variable names label the tensors, and an nn.Module among them names parameters.
"""
from __future__ import annotations

import runpy
import sys
from pathlib import Path
from typing import Any

from tinygrad_edu.tensor import Tensor
from tinygrad_edu.viz.player.page import PlayerPage, backprop_page, page_from_trace
from tinygrad_edu.viz.walk import collect_graph


class NothingToShow(ValueError):
    """The script left no trace and no live graph in its global variables."""


def run_script(path: Path, args: list[str]) -> dict[str, Any]:
    """Run the script with `args` as its command line; return its global variables."""
    saved = sys.argv
    sys.argv = [str(path), *args]
    try:
        return runpy.run_path(str(path), run_name="__main__")
    finally:
        sys.argv = saved


def page_from_globals(script_globals: dict[str, Any], where: str) -> PlayerPage:
    from tinygrad_edu.nn import Module
    from tinygrad_edu.study.trace import BackwardTrace
    traces = [v for v in script_globals.values() if isinstance(v, BackwardTrace)]
    if traces:
        return page_from_trace(traces[-1])
    tensors = {name: v for name, v in script_globals.items() if isinstance(v, Tensor) and not name.startswith("_")}
    sizes = {}
    for name, t in tensors.items():
        if t.grad_fn is not None and not t.grad_fn.freed and t.numel() == 1:
            sizes[name] = len(collect_graph(t, "view").ops)
    if not sizes:
        raise NothingToShow(f"{where} left no trace_backward result and no recorded graph of a scalar in its "
                            f"global variables (a graph is gone once backward() ran without retain_graph=True "
                            f"or study mode)")
    root = tensors[max(sizes, key=lambda name: sizes[name])]
    module = next((v for v in script_globals.values() if isinstance(v, Module)), None)
    return backprop_page(root, names=tensors, module=module)


def page_from_script(path: str | Path, args: list[str] | None = None) -> PlayerPage:
    path = Path(path)
    return page_from_globals(run_script(path, list(args or [])), str(path))
