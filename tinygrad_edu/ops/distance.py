"""How alike two batches of vectors are: cosine_similarity (the angle) and pairwise_distance
(the length of the difference), as in PyTorch's torch.nn.functional.

Both are built from differentiable Tensor ops, so their gradients (and gradients of gradients)
come from those ops; the docstrings give the gradient you would derive by hand.
"""
from __future__ import annotations

from tinygrad_edu import backend
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops.elementwise import where
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.shapes import broadcast_shapes, wrap_dim
from tinygrad_edu.tensor import Tensor


def _common_shape(x1: Tensor, x2: Tensor, op: str) -> tuple[Tensor, Tensor]:
    """Both inputs as floating-point tensors of their common (broadcast) shape."""
    if not isinstance(x1, Tensor) or not isinstance(x2, Tensor):
        raise TypeError(f"{op}: x1 and x2 must be Tensors, got {type(x1).__name__} and {type(x2).__name__}")
    shape = broadcast_shapes(x1.shape, x2.shape)
    if shape is None:
        raise ShapeError(f"{op}: x1 of shape {x1.shape} and x2 of shape {x2.shape} cannot be broadcast together")
    x1, x2 = (x if backend.is_floating(x.dtype) else x.float() for x in (x1, x2))
    x1, x2 = x1._operand(x2, op)
    return x1.expand(*shape), x2.expand(*shape)


def _length(x: Tensor, dim: int) -> Tensor:
    """‖x‖ along dim (kept), with gradient x/‖x‖, and 0 (not 0/0) where x is all zeros, as PyTorch's norm."""
    squares = (x * x).sum(dim=dim, keepdim=True)
    nonzero = Tensor._make(squares.array > 0, x._device, False, None)
    return where(nonzero, where(nonzero, squares, 1.0).sqrt(), 0.0)


@register("cosine_similarity", kind="functional")
def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps)) along dim;  d/dx1 = (x̂2 - cos·x̂1)/‖x1‖ with x̂ = x/‖x‖

    As in PyTorch, each length is clamped at eps to keep a zero vector from dividing by zero,
    and the clamp changes the value only: the gradient is taken as if it were not there."""
    x1, x2 = _common_shape(x1, x2, "cosine_similarity")
    dim = wrap_dim(dim, x1.ndim, "cosine_similarity")
    lengths = []
    for x in (x1, x2):
        length = _length(x, dim)
        lengths.append(length + (length.clamp(min=eps) - length).detach())
    return ((x1 / lengths[0]) * (x2 / lengths[1])).sum(dim=dim)


@register("pairwise_distance", kind="functional")
def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """‖x1 - x2 + eps‖_p along the last dim;  d/dx1 = sign(d)·|d|^(p-1) / ‖d‖_p^(p-1), d = x1 - x2 + eps"""
    x1, x2 = _common_shape(x1, x2, "pairwise_distance")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or p < 0:
        raise ValueError(f"pairwise_distance: p must be a non-negative number, got {p!r}")
    if x1.ndim == 0:
        raise ShapeError("pairwise_distance: expected vectors (at least 1-D inputs), got 0-d tensors")
    dim = x1.ndim - 1
    difference = x1 - x2 + eps
    if p == 2:
        distance = _length(difference, dim)
    elif p == float("inf"):
        distance = difference.abs().max(dim=dim, keepdim=True)
    elif p == 0:   # the number of elements that differ: a count, with no gradient
        distance = (difference.abs() > 0).to(difference.dtype).sum(dim=dim, keepdim=True).detach()
    else:
        distance = (difference.abs() ** p).sum(dim=dim, keepdim=True) ** (1.0 / p)
    return distance if keepdim else distance.squeeze(dim)
