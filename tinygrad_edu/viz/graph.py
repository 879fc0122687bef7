"""`tg.viz.draw_graph`: the Graphviz drawing of viz/drawing.py, which also becomes the backprop
player (`drawing.to_html()`, viz/player/).

The drawing itself lives in drawing.py, so that the player, which draws its graphs with it and
runs trace_backward, is imported by this module and never imports it back.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any

from tinygrad_edu.viz import drawing
from tinygrad_edu.viz.drawing import (DOT_PROGRAM_HINT, PYTHON_PACKAGE_HINT, GraphvizNotFoundError, dot_available,
                                      retain_grads, save_graph)
from tinygrad_edu.viz.player.page import DrawingSource

__all__ = ["draw_graph", "save_graph", "retain_grads", "dot_available", "GraphvizNotFoundError",
           "DOT_PROGRAM_HINT", "PYTHON_PACKAGE_HINT"]


@functools.wraps(drawing.draw_graph)
def draw_graph(root: Any, *args: Any, **kwargs: Any) -> Any:
    picture = drawing.draw_graph(root, *args, **kwargs)
    given = _SIGNATURE.bind(root, *args, **kwargs).arguments
    # weak links to what it was drawn from, for picture.to_html(): a drawing keeps no graph alive
    picture.drawn_from = DrawingSource(root, given.get("names"), given.get("module"))
    return picture


_SIGNATURE = inspect.signature(drawing.draw_graph)
