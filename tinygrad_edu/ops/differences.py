"""diff: the differences of neighbouring elements along a dim, as torch.diff.

Made of narrow (a view) and sub, so its gradient comes from theirs: the gradient of
out[i] = x[i + 1] - x[i] goes to x[i + 1] with a plus and to x[i] with a minus.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops.logic import ne
from tinygrad_edu.ops.movement import cat
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.shapes import wrap_dim
from tinygrad_edu.tensor import Tensor


def _joined(input: Tensor, prepend: Any, append: Any, d: int) -> Tensor:
    """input with prepend before it and append after it along dim d (both the same shape as input except in d)."""
    pieces = []
    for name, extra in (("prepend", prepend), (None, input), ("append", append)):
        if extra is None:
            continue
        if not isinstance(extra, Tensor):
            raise TypeError(f"diff: {name} must be a Tensor, got {type(extra).__name__}")
        if extra.ndim != input.ndim or any(a != b for i, (a, b) in enumerate(zip(extra.shape, input.shape)) if i != d):
            raise ShapeError(f"diff: {name} of shape {extra.shape} must have input's dims and its shape "
                             f"{input.shape} except in dim {d}")
        pieces.append(extra)
    return cat(pieces, d) if len(pieces) > 1 else input


@register("diff")
def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """The n-th forward difference along dim, out[i] = x[i + 1] - x[i] (for bools: x[i + 1] != x[i])"""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"diff: n must be a non-negative int, got {n!r}")
    if input.ndim == 0:
        raise ShapeError("diff: expected a tensor with at least 1 dim, got a 0-d tensor")
    d = wrap_dim(dim, input.ndim, "diff")
    x = _joined(input, prepend, append, d)
    for _ in range(min(n, x.shape[d])):   # n times (a handful); past the size, the result is empty
        after, before = x.narrow(d, 1, x.shape[d] - 1), x.narrow(d, 0, x.shape[d] - 1)
        # a bool difference is "changed or not", as in PyTorch (bool subtraction is refused)
        x = ne(after, before) if x.dtype == backend.bool_ else after - before
    return x
