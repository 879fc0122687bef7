"""Diagonals: diagonal reads one out of a tensor, diag_embed writes one into zeros; diag and
trace are made of them.

The two Functions are each other's backward: the gradient of reading a diagonal is writing the
upstream gradient onto that diagonal of zeros, and the other way round.

A diagonal of (dim1, dim2) at `offset` is the elements [i, i + offset] (offset > 0: above the
main diagonal) or [i - offset, i] (offset < 0: below); the other dims come first, in their
order, and the diagonal is the last dim of the result (PyTorch's and NumPy's layout).
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu.autograd import Function
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.shapes import wrap_dim
from tinygrad_edu.tensor import Tensor


def _positions(xp: Any, length: int, offset: int) -> tuple[Any, Any]:
    """The (row, column) positions of a diagonal of `length` elements at `offset`."""
    steps = xp.arange(length)
    return steps + max(-offset, 0), steps + max(offset, 0)


class Diagonal(Function):
    """f(x) = the elements x[..., i, i + offset, ...] of dims dim1, dim2;
    df/dx = 1 on that diagonal, 0 elsewhere"""
    reads = ((),)   # backward needs only the input's shape

    def forward(self, x, offset, dim1, dim2):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2
        # a copy: NumPy's diagonal is a read-only view, which no in-place op could write into
        return self.xp.diagonal(x, offset, dim1, dim2).copy()

    def backward(self, grad):
        return DiagonalEmbed.apply(grad, offset=self.offset, dim1=self.dim1, dim2=self.dim2,
                                   shape=self.inputs[0].shape)


class DiagonalEmbed(Function):
    """f(v) = zeros(shape) with v's last dim written on the diagonal of dims dim1, dim2;
    df/dv = 1 at each written place, so the gradient is the diagonal of the upstream gradient"""
    reads = ((),)

    def forward(self, v, offset, dim1, dim2, shape):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2
        out = self.xp.zeros(shape, dtype=v.dtype)
        rows, columns = _positions(self.xp, v.shape[-1], offset)
        # moveaxis is a writable view of out: the other dims first, in order, as in v
        self.xp.moveaxis(out, (dim1, dim2), (-2, -1))[..., rows, columns] = v
        return out

    def backward(self, grad):
        return Diagonal.apply(grad, offset=self.offset, dim1=self.dim1, dim2=self.dim2)


def _offset(offset: Any, op: str) -> int:
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise TypeError(f"{op}: the offset must be an int, got {type(offset).__name__} {offset!r}")
    return offset


def _two_dims(dim1: int, dim2: int, ndim: int, op: str) -> tuple[int, int]:
    d1, d2 = wrap_dim(dim1, ndim, op), wrap_dim(dim2, ndim, op)
    if d1 == d2:
        raise ShapeError(f"{op}: dim1 and dim2 must be two different dims, got {dim1} and {dim2} "
                         f"(both dim {d1} of a {ndim}-D tensor)")
    return d1, d2


@register("diagonal")
def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of dims dim1 and dim2 at offset (> 0 above the main one), as the last dim

    Unlike PyTorch's, the result is a copy, not a view: write into a diagonal through
    indexing (x[i, i] = ...) or diag_embed."""
    if input.ndim < 2:
        raise ShapeError(f"diagonal: expected a tensor with at least 2 dims, got shape {input.shape}")
    d1, d2 = _two_dims(dim1, dim2, input.ndim, "diagonal")
    return Diagonal.apply(input, offset=_offset(offset, "diagonal"), dim1=d1, dim2=d2)


@register("diag_embed")
def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices (in dims dim1, dim2 of the result) with input's last dim on their offset-th diagonal, zeros elsewhere"""
    offset = _offset(offset, "diag_embed")
    if input.ndim == 0:
        raise ShapeError("diag_embed: expected a tensor with at least 1 dim, got a 0-d tensor")
    d1, d2 = _two_dims(dim1, dim2, input.ndim + 1, "diag_embed")
    size = input.shape[-1] + abs(offset)
    shape = list(input.shape[:-1])
    for d in sorted((d1, d2)):
        shape.insert(d, size)
    return DiagonalEmbed.apply(input, offset=offset, dim1=d1, dim2=d2, shape=tuple(shape))


@register("diag")
def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A vector put on the diagonal-th diagonal of a square matrix, or a matrix's diagonal-th diagonal as a vector"""
    if input.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if input.ndim == 2:
        return Diagonal.apply(input, offset=_offset(diagonal, "diag"), dim1=0, dim2=1)
    raise ShapeError(f"diag: expected a 1-D or 2-D tensor, got shape {input.shape}")


@register("trace")
def trace(input: Tensor) -> Tensor:
    """The sum of a matrix's main diagonal (int64 for integer matrices);  d/dx = the identity"""
    if input.ndim != 2:
        raise ShapeError(f"trace: expected a matrix (2-D tensor), got shape {input.shape}")
    return Diagonal.apply(input, offset=0, dim1=0, dim2=1).sum()
