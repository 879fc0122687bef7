"""unique and unique_consecutive: the distinct elements (or slices along dim) of a tensor.

Both find runs of equal rows: unique after sorting (so equal rows sit side by side), and
unique_consecutive as the rows stand. A row starts a run where it differs from the one before
it; NaN differs from everything, so each NaN is its own value, as in PyTorch. They are not
differentiable (nor are they in PyTorch): the results never require grad.
"""
from __future__ import annotations

import math
from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.shapes import wrap_dim
from tinygrad_edu.tensor import Tensor


def _runs(input: Tensor, sort: bool, return_inverse: bool, return_counts: bool, dim: Any, op: str) -> Any:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    xp, x = input.xp, input.array
    if dim is None:
        rows = x.reshape(-1, 1)
    else:
        if input.ndim == 0:
            raise ShapeError(f"{op}: dim={dim} needs a tensor with at least 1 dim, got a 0-d tensor")
        d = wrap_dim(dim, input.ndim, op)
        if x.shape[d] and 0 in input.shape:
            raise ShapeError(f"{op}: input of shape {input.shape} has a size-0 dim other than dim {d}, "
                             f"so its slices along dim {d} cannot be compared")
        moved = xp.moveaxis(x, d, 0)
        rows = moved.reshape(moved.shape[0], math.prod(moved.shape[1:]))   # not -1: a size may be 0
    n = rows.shape[0]
    if sort and rows.shape[1]:
        # lexsort's last key sorts first: the rows in order of their first column, then the second...
        order = xp.argsort(rows[:, 0], kind="stable") if rows.shape[1] == 1 else xp.lexsort(rows.T[::-1])
    else:
        order = xp.arange(n)
    ordered = rows[order]
    starts = xp.ones(n, dtype=bool)
    starts[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    values = ordered[starts]
    if dim is not None:
        values = xp.moveaxis(values.reshape((values.shape[0],) + moved.shape[1:]), 0, d)
    else:
        values = values.reshape(-1)
    outputs = [Tensor._make(values, input._device, False, None)]
    if return_inverse:
        inverse = xp.empty(n, dtype=backend.int64)
        inverse[order] = xp.cumsum(starts) - 1
        outputs.append(Tensor._make(inverse.reshape(x.shape if dim is None else (n,)), input._device, False, None))
    if return_counts:
        bounds = xp.concatenate([xp.flatnonzero(starts), xp.asarray([n])])
        outputs.append(Tensor._make(xp.diff(bounds).astype(backend.int64), input._device, False, None))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


@register("unique")
def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002
           dim: int | None = None) -> Any:
    """The distinct elements (or slices along dim), sorted; with return_inverse/return_counts also where each came from and how often

    The result is always sorted, also with sorted=False (PyTorch leaves that order unspecified)."""
    return _runs(input, True, return_inverse, return_counts, dim, "unique")


@register("unique_consecutive")
def unique_consecutive(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                       dim: int | None = None) -> Any:
    """input with each run of equal consecutive elements (or slices along dim) kept once: [1, 1, 2, 1] -> [1, 2, 1]"""
    return _runs(input, False, return_inverse, return_counts, dim, "unique_consecutive")
