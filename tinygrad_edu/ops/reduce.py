"""Reductions: many numbers in, fewer out (sum, mean, max, ...).

Their backward spreads the gradient back over the elements that were reduced: every element
of a sum gets the whole upstream gradient, the maximum gets all of it.
"""
from __future__ import annotations

import warnings
from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.shapes import wrap_dims
from tinygrad_edu.tensor import Tensor


def normalize_dims(dim: Any, ndim: int, op: str) -> tuple[int, ...] | None:
    """Turn an int, a tuple or None into a sorted tuple of non-negative dims (None = all)."""
    if dim is None:
        return None
    dims = wrap_dims(dim, ndim, op)
    return None if ndim == 0 else dims


def reduce_args(t: Tensor, dim: Any, keepdim: bool, axis: Any, keepdims: bool | None, op: str):
    """Accept PyTorch's dim/keepdim and NumPy's axis/keepdims spellings."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: give dim or axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return normalize_dims(dim, t.ndim, op), bool(keepdim)


def _kept_shape(shape: tuple, dims: tuple | None) -> tuple:
    """The shape of a reduction's result with keepdim=True: reduced dims become 1."""
    if dims is None:
        return (1,) * len(shape)
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


class Sum(Function):
    """f(x) = Σ x_i;  df/dx_i = 1, so the gradient is copied back to every element"""

    def forward(self, x, dim, keepdim):
        self.dim = dim
        return x.sum(axis=dim, keepdims=keepdim)

    def backward(self, grad):
        shape = self.inputs[0].shape
        return grad.reshape(_kept_shape(shape, self.dim)).expand(shape)


@register("sum")
def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,  # noqa: A001
        keepdims: bool | None = None) -> Tensor:
    """The sum over dim (an int, a tuple, or None for every element)"""
    dim, keepdim = reduce_args(input, dim, keepdim, axis, keepdims, "sum")
    return Sum.apply(input, dim=dim, keepdim=keepdim)


class _Extreme(Function):
    """Shared backward of max and min: df/dx = 1/k at each of the k elements that attained the extreme, 0 elsewhere (as torch.amax)"""

    def backward(self, grad):
        x = self.inputs[0]
        kept = _kept_shape(x.shape, self.dim)
        hit = x.data == self.result.reshape(kept)
        share = hit / hit.sum(axis=self.dim, keepdims=True)
        return grad.reshape(kept).expand(x.shape) * self.constant(share.astype(x.dtype))


class Max(_Extreme):
    """f(x) = max x_i;  df/dx_i = 1 for the largest element (shared on ties), else 0"""

    def forward(self, x, dim, keepdim):
        self.dim = dim
        self.result = x.max(axis=dim, keepdims=keepdim)
        return self.result


@register("max", aliases=("amax",))
def max(input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,  # noqa: A001
        keepdims: bool | None = None) -> Tensor:
    """The largest value over dim (values only, like torch.amax)"""
    dim, keepdim = reduce_args(input, dim, keepdim, axis, keepdims, "max")
    return Max.apply(input, dim=dim, keepdim=keepdim)


class Min(_Extreme):
    """f(x) = min x_i;  df/dx_i = 1 for the smallest element (shared on ties), else 0"""

    def forward(self, x, dim, keepdim):
        self.dim = dim
        self.result = x.min(axis=dim, keepdims=keepdim)
        return self.result


@register("min", aliases=("amin",))
def min(input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,  # noqa: A001
        keepdims: bool | None = None) -> Tensor:
    """The smallest value over dim (values only, like torch.amin)"""
    dim, keepdim = reduce_args(input, dim, keepdim, axis, keepdims, "min")
    return Min.apply(input, dim=dim, keepdim=keepdim)


def _count(t: Tensor, dims: tuple | None) -> int:
    if dims is None:
        return t.numel()
    count = 1
    for d in dims:
        count *= t.shape[d]
    return count


@register("mean")
def mean(t: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
         keepdims: bool | None = None) -> Tensor:
    """f(x) = Σ x_i / n;  df/dx_i = 1/n"""
    if not backend.is_floating(t.dtype):
        raise TypeError(f"mean: needs a floating-point tensor, got {t.dtype}; convert it with .float()")
    dims, keepdim = reduce_args(t, dim, keepdim, axis, keepdims, "mean")
    count = _count(t, dims)
    # The mean of no numbers is undefined: nan, as in PyTorch (not 0, which would look like data).
    return Sum.apply(t, dim=dims, keepdim=keepdim) * (1.0 / count if count else float("nan"))


@register("var")
def var(t: Tensor, dim: Any = None, keepdim: bool = False, *, correction: int = 1, unbiased: bool | None = None,
        axis: Any = None, keepdims: bool | None = None) -> Tensor:
    """f(x) = Σ (x_i - mean)² / (n - correction); correction=1 is the unbiased estimate (PyTorch's default)"""
    if unbiased is not None:
        correction = int(unbiased)
    if not backend.is_floating(t.dtype):
        raise TypeError(f"var: needs a floating-point tensor, got {t.dtype}; convert it with .float()")
    dims, keepdim = reduce_args(t, dim, keepdim, axis, keepdims, "var")
    centered = t - mean(t, dims, True)
    squares = Sum.apply(centered * centered, dim=dims, keepdim=keepdim)
    count = _count(t, dims)
    if count - correction <= 0:
        # No degrees of freedom left (e.g. the unbiased variance of one number): nan, with
        # PyTorch's warning rather than NumPy's "invalid value encountered in divide".
        warnings.warn(f"var: degrees of freedom is <= 0 ({count} elements with correction={correction}); "
                      f"the result is nan", UserWarning, stacklevel=3)
        return squares * float("nan")
    return squares / float(count - correction)


@register("std")
def std(t: Tensor, dim: Any = None, keepdim: bool = False, *, correction: int = 1, unbiased: bool | None = None,
        axis: Any = None, keepdims: bool | None = None) -> Tensor:
    """The standard deviation: the square root of var"""
    return var(t, dim, keepdim, correction=correction, unbiased=unbiased, axis=axis, keepdims=keepdims).sqrt()


def arg_reduce(t: Tensor, op: str, dim: int | None, keepdim: bool, axis: int | None, keepdims: bool | None) -> Tensor:
    """argmax/argmin: the index of the extreme (not differentiable: indices are integers)."""
    dims, keepdim = reduce_args(t, dim, keepdim, axis, keepdims, op)
    if dims is not None and len(dims) != 1:
        raise TypeError(f"{op}: dim must be a single int")
    if t.numel() == 0:
        raise ValueError(f"{op}: cannot take the {op} of an empty tensor of shape {t.shape}")
    axis_ = None if dims is None else dims[0]
    # With axis=None the index counts through the flattened tensor, as in PyTorch.
    result = getattr(t.xp, op)(t.data, axis=axis_, keepdims=keepdim)
    return Tensor._make(t.xp.asarray(result, dtype=backend.int64), t.device, False, None)


@register("argmax")
def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
           keepdims: bool | None = None) -> Tensor:
    """The index of the largest value (through the flattened tensor when dim is None)"""
    return arg_reduce(input, "argmax", dim, keepdim, axis, keepdims)


@register("argmin")
def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
           keepdims: bool | None = None) -> Tensor:
    """The index of the smallest value (through the flattened tensor when dim is None)"""
    return arg_reduce(input, "argmin", dim, keepdim, axis, keepdims)
