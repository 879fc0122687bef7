"""Stacking: vstack, hstack, dstack and column_stack, NumPy's ways of joining tensors.

Each is `cat` after lifting every tensor to enough dims (PyTorch's atleast_1d/2d/3d rules), so
the gradient is cat's: each input gets its slice back, reshaped to its own shape.
"""
from __future__ import annotations

from typing import Sequence

from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops.movement import _check_joinable, cat
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor


def _at_least(t: Tensor, ndim: int) -> Tensor:
    """t with size-1 dims added as torch.atleast_1d/2d/3d add them: a vector (n,) becomes (1, n),
    then (1, n, 1); a matrix (m, n) becomes (m, n, 1)."""
    if t.ndim >= ndim:
        return t
    if t.ndim == 0:
        return t.reshape((1,) * ndim)
    if t.ndim == 1:
        return t.reshape((1, t.shape[0]) + (1,) * (ndim - 2))
    return t.reshape(t.shape + (1,))


def _joined(tensors: Sequence[Tensor], dim: int, op: str) -> Tensor:
    """cat along dim, its shape error told in op's words."""
    try:
        return cat(tensors, dim)
    except ShapeError as e:
        raise ShapeError(f"{op}: " + str(e).removeprefix("cat: ")) from e


def _listed(tensors: Sequence[Tensor], op: str) -> list[Tensor]:
    if isinstance(tensors, Tensor):
        raise TypeError(f"{op}: expected a sequence of Tensors, got a single Tensor; wrap it in a list")
    tensors = list(tensors)
    _check_joinable(tensors, op)
    return tensors


@register("vstack", method=False, aliases=("row_stack",))
def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Tensors joined row-wise (along dim 0), vectors first made rows (1, n)"""
    return _joined([_at_least(t, 2) for t in _listed(tensors, "vstack")], 0, "vstack")


@register("hstack", method=False)
def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Tensors joined column-wise: along dim 0 for vectors, dim 1 otherwise"""
    tensors = [_at_least(t, 1) for t in _listed(tensors, "hstack")]
    return _joined(tensors, 0 if tensors[0].ndim == 1 else 1, "hstack")


@register("dstack", method=False)
def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """Tensors joined depth-wise (along dim 2), each first made at least 3-D"""
    return _joined([_at_least(t, 3) for t in _listed(tensors, "dstack")], 2, "dstack")


@register("column_stack", method=False)
def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """Tensors joined along dim 1, each 0-d or 1-D one first made a column (n, 1)"""
    tensors = _listed(tensors, "column_stack")
    return _joined([t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in tensors], 1, "column_stack")
