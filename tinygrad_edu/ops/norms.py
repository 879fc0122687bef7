"""Norms and distances: torch.dist, torch.cdist and torch.linalg's vector_norm, matrix_norm, norm.

Each is built on `norm` of ops/reduce.py (VectorNorm: forward, backward and derivative there),
so the gradient at a zero vector is 0, as in PyTorch, and gradients of gradients work.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.ops.reduce import max as amax, min as amin, norm, normalize_dims
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor

INF = float("inf")


def _floating(t: Any, op: str, name: str = "input") -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    if not backend.is_floating(t.dtype):
        raise DTypeError(f"{op}: expected a floating-point {name}, got {t.dtype}; convert it with .float()")


def _order(p: Any, op: str) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"{op}: the order must be a number (or inf), got {type(p).__name__} {p!r}")
    return float(p)


@register("dist")
def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """‖input - other‖_p over every element, the two broadcast;  d/dinput = the p-norm's gradient at input - other"""
    _floating(input, "dist")
    _floating(other, "dist", "other")
    return norm(input - other, _order(p, "dist"))


@register("cdist", method=False)
def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """‖x1[..., i, :] - x2[..., j, :]‖_p for every pair of rows: (B.., P, M) and (B.., R, M) give (B.., P, R)

    Every difference is formed (P·R·M numbers): simple and exact, where PyTorch may use a
    matrix product for p = 2. compute_mode is accepted and changes nothing. The gradient at a
    zero distance is 0, as in PyTorch."""
    _floating(x1, "cdist", "x1")
    _floating(x2, "cdist", "x2")
    if x1.ndim < 2 or x2.ndim < 2:
        raise ShapeError(f"cdist: x1 and x2 must have at least 2 dims (rows, features), got {x1.shape} and {x2.shape}")
    if x1.shape[-1] != x2.shape[-1]:
        raise ShapeError(f"cdist: x1 {x1.shape} and x2 {x2.shape} must have the same number of features (last dim)")
    p = _order(p, "cdist")
    if p < 0:
        raise ValueError(f"cdist: p must be non-negative, got {p}")
    x1, x2 = x1._operand(x2, "cdist")
    try:
        differences = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    except ShapeError as e:
        raise ShapeError(f"cdist: the batch dims of x1 {x1.shape} and x2 {x2.shape} "
                         f"cannot be broadcast together") from e
    return norm(differences, p, dim=-1)


@register("linalg.vector_norm", method=False, toplevel=False)
def vector_norm(x: Tensor, ord: float = 2, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
                dtype: Any = None) -> Tensor:
    """torch.linalg.vector_norm: (Σ ∣x_i∣^ord)^(1/ord) over dim (every element when None)"""
    if dtype is not None:
        x = x.to(dtype)
    _floating(x, "linalg.vector_norm", "x")
    return norm(x, _order(ord, "linalg.vector_norm"), dim, keepdim)


@register("linalg.matrix_norm", method=False, toplevel=False)
def matrix_norm(A: Tensor, ord: Any = "fro", dim: tuple = (-2, -1), keepdim: bool = False, *,  # noqa: A002, N803
                dtype: Any = None) -> Tensor:
    """torch.linalg.matrix_norm: 'fro', or 1/-1 (largest/smallest column sum of ∣A∣), inf/-inf (row sums) over dim

    ord 2, -2 and 'nuc' need singular values, which tinygrad_edu does not compute."""
    op = "linalg.matrix_norm"
    if dtype is not None:
        A = A.to(dtype)
    _floating(A, op, "A")
    if A.ndim < 2:
        raise ShapeError(f"{op}: A must have at least 2 dims, got shape {A.shape}")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise ShapeError(f"{op}: dim must be a pair of dims, got {dim!r}")
    dims = normalize_dims(dim, A.ndim, op)
    rows, columns = (d % A.ndim for d in dim)
    if ord == "fro":
        return norm(A, 2, dims, keepdim)
    if ord in (2, -2, "nuc"):
        raise NotImplementedError(f"{op}: ord={ord!r} needs singular values, which tinygrad_edu does not "
                                  f"compute; use 'fro', 1, -1, inf or -inf")
    if ord not in (1, -1, INF, -INF):
        raise ValueError(f"{op}: ord must be 'fro', 'nuc', 2, -2, 1, -1, inf or -inf, got {ord!r}")
    summed, across = (rows, columns) if abs(ord) == 1 else (columns, rows)
    sums = A.abs().sum(dim=summed, keepdim=True)
    result = (amax if ord > 0 else amin)(sums, dim=across, keepdim=True)
    return result if keepdim else result.squeeze(dims)


@register("linalg.norm", method=False, toplevel=False)
def linalg_norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,  # noqa: A002, N803
                dtype: Any = None) -> Tensor:
    """torch.linalg.norm: a vector norm (dim an int, or a 1-D A) or a matrix norm (dim a pair, or a 2-D A)

    With neither ord nor dim, the 2-norm of every element (the Frobenius norm of a matrix)."""
    op = "linalg.norm"
    if dtype is not None:
        A = A.to(dtype)
    _floating(A, op, "A")
    if isinstance(dim, int) and not isinstance(dim, bool):
        dim = (dim,)
    if dim is None:
        if ord is None:
            return norm(A, 2, None, keepdim)
        if A.ndim not in (1, 2):
            raise ShapeError(f"{op}: with ord={ord!r} and no dim, A must be 1-D or 2-D, got shape {A.shape}")
        dim = tuple(range(A.ndim))
    if len(dim) == 1:
        if isinstance(ord, str):
            raise ValueError(f"{op}: ord={ord!r} is a matrix norm; a vector norm takes a number")
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim)
    if len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, tuple(dim), keepdim)
    raise ShapeError(f"{op}: dim must be an int or a pair of dims, got {dim!r}")
