"""Products beyond matmul: tensordot, kron and the cross product (torch.cross, torch.linalg.cross).

All three are made of differentiable ops (einsum, reshape and broadcast multiplication, roll),
so their gradients, and gradients of gradients, come from those; each docstring gives the
gradient you would derive by hand.
"""
from __future__ import annotations

from typing import Any, Sequence

from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops.matmul import LETTERS, _check_same_dtype, einsum
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.shaping import roll
from tinygrad_edu.ops.shapes import broadcast_shapes, wrap_dim
from tinygrad_edu.tensor import Tensor


def _contracted_dims(a: Tensor, b: Tensor, dims: Any) -> tuple[list[int], list[int]]:
    """tensordot's dims as two lists of paired dims: an int n pairs a's last n with b's first n."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int) and not isinstance(dims, bool):
        if not 0 <= dims <= min(a.ndim, b.ndim):
            raise ShapeError(f"tensordot: dims={dims} must be between 0 and the smaller number of dims "
                             f"({min(a.ndim, b.ndim)}) of a {a.shape} and b {b.shape}")
        return list(range(a.ndim - dims, a.ndim)), list(range(dims))
    if not isinstance(dims, (list, tuple)) or len(dims) != 2:
        raise TypeError(f"tensordot: dims must be an int or a pair of lists of dims, got {dims!r}")
    first, second = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(first) != len(second):
        raise ShapeError(f"tensordot: dims {dims!r} name {len(first)} dims of a but {len(second)} of b")
    return [wrap_dim(d, a.ndim, "tensordot") for d in first], [wrap_dim(d, b.ndim, "tensordot") for d in second]


@register("tensordot", method=False)
def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Σ over paired dims of a·b (dims=n: a's last n with b's first n), the other dims of a then b

    An einsum whose paired dims share a letter: its gradient for a is the upstream gradient
    contracted with b over b's free dims, and the other way round."""
    _check_same_dtype(a, b, "tensordot")
    dims_a, dims_b = _contracted_dims(a, b, dims)
    if len(set(dims_a)) != len(dims_a) or len(set(dims_b)) != len(dims_b):
        raise ShapeError(f"tensordot: a dim is named twice in dims {dims!r}")
    if a.ndim + b.ndim > len(LETTERS):
        raise ShapeError(f"tensordot: at most {len(LETTERS)} dims in all, got a {a.shape} and b {b.shape}")
    for i, j in zip(dims_a, dims_b):
        if a.shape[i] != b.shape[j]:
            raise ShapeError(f"tensordot: dim {i} of a {a.shape} (size {a.shape[i]}) and dim {j} of b "
                             f"{b.shape} (size {b.shape[j]}) are paired but differ in size")
    letters = iter(LETTERS)
    subscripts_a = [next(letters) for _ in range(a.ndim)]
    subscripts_b = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(dims_a, dims_b):
        subscripts_b[j] = subscripts_a[i]
    free = [s for i, s in enumerate(subscripts_a) if i not in dims_a] + \
           [s for j, s in enumerate(subscripts_b) if j not in dims_b]
    return einsum(f"{''.join(subscripts_a)},{''.join(subscripts_b)}->{''.join(free)}", a, b)


@register("kron")
def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: every element of input times the whole of other, tiled as blocks

    out[i·m + k] = input[i]·other[k] in every dim, computed as one broadcast product of
    input with a size-1 dim after each of its dims and other with one before each of its;
    d/dinput[i] = Σ_k grad[i·m + k]·other[k]."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(f"kron: expected two Tensors, got {type(input).__name__} and {type(other).__name__}")
    ndim = max(input.ndim, other.ndim)
    a_shape = (1,) * (ndim - input.ndim) + input.shape
    b_shape = (1,) * (ndim - other.ndim) + other.shape
    a = input.reshape(tuple(s for n in a_shape for s in (n, 1)))
    b = other.reshape(tuple(s for n in b_shape for s in (1, n)))
    return (a * b).reshape(tuple(m * n for m, n in zip(a_shape, b_shape)))


def _cross(input: Tensor, other: Tensor, dim: int | None, op: str) -> Tensor:
    """c_i = a_(i+1)·b_(i+2) - a_(i+2)·b_(i+1) along dim (indices mod 3), with a and b rolled;
    d/da = other × grad, d/db = grad × input."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(f"{op}: expected two Tensors, got {type(input).__name__} and {type(other).__name__}")
    if input.ndim != other.ndim:
        raise ShapeError(f"{op}: input {input.shape} and other {other.shape} must have the same number of dims")
    shape = broadcast_shapes(input.shape, other.shape)
    if shape is None:
        raise ShapeError(f"{op}: input {input.shape} and other {other.shape} cannot be broadcast together")
    if dim is None:   # torch.cross's old default: the first dim of size 3
        dim = next((i for i, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise ShapeError(f"{op}: no dim of size 3 in input {input.shape} and other {other.shape}")
    d = wrap_dim(dim, len(shape), op)
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise ShapeError(f"{op}: dim {dim} must have size 3 in both, got input {input.shape} and other {other.shape}")
    a, b = input.expand(shape), other.expand(shape)
    return roll(a, -1, d) * roll(b, -2, d) - roll(a, -2, d) * roll(b, -1, d)


@register("cross")
def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along dim (None: the first dim of size 3), input and other broadcast"""
    return _cross(input, other, dim, "cross")


@register("linalg.cross", method=False, toplevel=False)
def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """torch.linalg.cross: the cross product of 3-vectors along dim (default the last), broadcast"""
    return _cross(input, other, dim, "linalg.cross")
