"""Reductions: many numbers in, fewer out (sum, mean, max, ...).

Their backward spreads the gradient back over the elements that were reduced: every element
of a sum gets the whole upstream gradient, the maximum gets all of it.
"""
from __future__ import annotations

import warnings
from collections import namedtuple
from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.ops.cumulative import cumprod
from tinygrad_edu.ops.elementwise import where
from tinygrad_edu.ops.movement import cat
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.shapes import wrap_dim
from tinygrad_edu.tensor import Tensor


def normalize_dims(dim: Any, ndim: int, op: str) -> tuple[int, ...] | None:
    """Turn an int, a tuple (or list) of ints, or None into a sorted tuple of non-negative dims.
    None means every dim, and so does an empty tuple, as in PyTorch; a dim named twice is an error."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        dims = tuple(dim)
    elif isinstance(dim, int) and not isinstance(dim, bool):
        dims = (dim,)
    else:
        raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {type(dim).__name__}")
    wrapped = [wrap_dim(d, ndim, op) for d in dims]
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise ShapeError(f"{op}: dim {d} appears multiple times in the list of dims {dims}")
    return None if ndim == 0 or not wrapped else tuple(sorted(wrapped))


def reduce_args(t: Tensor, dim: Any, keepdim: bool, axis: Any, keepdims: bool | None, op: str) -> Any:
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
    """f(x) = Σ x_i;  df/dx_i = 1, so the gradient is copied back to every element

    Bool and integer tensors sum to int64, as in PyTorch (NumPy would sum uint8 to uint64)."""
    reads = ((),)

    def forward(self, x, dim, keepdim):
        self.dim = dim
        # a float32 sum past 3.4e38 is inf, silently
        return x.sum(axis=dim, keepdims=keepdim, dtype=None if x.dtype.kind == "f" else backend.int64)

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
    dim: Any        # set by forward: the dims reduced, and the extreme found
    result: Any

    def backward(self, grad):
        # grad · share, as torch.amax's backward: an infinite gradient, or a NaN in the slice
        # (which equals nothing, so 0/0), gives nan, as in PyTorch.
        x = self.inputs[0]
        kept = _kept_shape(x.shape, self.dim)
        hit = x.array == self.result.reshape(kept)
        share = hit / hit.sum(axis=self.dim, keepdims=True)
        return grad.reshape(kept).expand(x.shape) * self.constant(share.astype(x.dtype))


def _check_not_empty(t: Tensor, dims: tuple | None, op: str, no_dim_error: type = IndexError) -> None:
    """The largest of no numbers does not exist: PyTorch's errors for max, min, argmax, argmin
    (an IndexError for an empty dim; with no dim given, an IndexError for argmax and argmin and a
    RuntimeError for max and min)."""
    if dims is None and t.numel() == 0:
        raise no_dim_error(f"{op}: expected a dim to reduce over for an empty tensor of shape {t.shape}; "
                           f"give dim=")
    for d in dims or ():
        if t.shape[d] == 0:
            raise IndexError(f"{op}: expected reduction dim {d} to have non-zero size, but the tensor has "
                             f"shape {t.shape}")


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
    _check_not_empty(input, dim, "max", RuntimeError)
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
    _check_not_empty(input, dim, "min", RuntimeError)
    return Min.apply(input, dim=dim, keepdim=keepdim)


def _count(t: Tensor, dims: tuple | None) -> int:
    return _count_of(t.shape, dims)


def _count_of(shape: tuple, dims: tuple | None) -> int:
    """How many elements a reduction over dims (None: every dim) takes for each result."""
    count = 1
    for d in range(len(shape)) if dims is None else dims:
        count *= shape[d]
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


def _variance(xp: Any, x: Any, dims: tuple | None, keepdim: bool, correction: float) -> Any:
    """Σ (x_i - mean)² / max(0, n - correction) over dims: with no degrees of freedom left, the
    sum is divided by 0, so the result is inf, or nan where all values are equal, as in PyTorch."""
    n = x.size if dims is None else _count_of(x.shape, dims)
    with backend.ieee_quietly(xp):   # x.mean() would warn about an empty slice: sum / n is nan quietly
        centered = x - x.sum(axis=dims, keepdims=True) / n
        return (centered * centered).sum(axis=dims, keepdims=keepdim) / (n - correction if n > correction else 0)


def _variance_backward(fn: Var | Std, grad: Tensor) -> Tensor:
    """PyTorch's var_backward: 2(x - mean)/(n - correction) · grad, from differentiable ops (so
    second derivatives work). Where no degrees of freedom are left, a reduction over every dim
    gives grad · inf (nan where x equals the mean), and one over named dims divides by n -
    correction as it is (by 0: inf), as PyTorch does."""
    x = fn.inputs[0]
    n = _count_of(x.shape, fn.dims)
    grad = grad.reshape(_kept_shape(x.shape, fn.dims))
    if fn.dims is None and n <= fn.correction:
        at_mean = x.array == x.array.sum() / n
        inf_or_nan = fn.xp.where(at_mean, float("nan"), float("inf")).astype(x.dtype)
        return grad * fn.constant(inf_or_nan)
    dof = n - fn.correction
    scale = 2.0 / dof if dof != 0 else float("inf")
    return grad * scale * (x - mean(x, fn.dims, True))


class Var(Function):
    """f(x) = Σ (x_i - mean)² / (n - correction);  df/dx_i = 2(x_i - mean)/(n - correction)

    Where n <= correction, as in PyTorch: the result is inf (nan where all values are equal),
    and so is the gradient of a reduction over every dim (see _variance_backward)."""
    reads = ((0,),)

    def forward(self, x, dims, keepdim, correction):
        self.dims, self.correction = dims, correction
        return _variance(self.xp, x, dims, keepdim, correction)

    def backward(self, grad):
        return _variance_backward(self, grad)


class Std(Function):
    """f(x) = √var(x);  df/dx_i = (x_i - mean)/((n - correction)·f(x)), and 0 where f(x) = 0

    As in PyTorch: where the values do not spread (f(x) = 0) the gradient is 0, not 0/0."""
    reads = ((0,),)
    uses_output = True

    def forward(self, x, dims, keepdim, correction):
        self.dims, self.correction = dims, correction
        variance = _variance(self.xp, x, dims, keepdim, correction)
        return self.xp.sqrt(variance)

    def backward(self, grad):
        out = self.output()
        grad_var = where(self.constant(out.array == 0), 0.0, grad / (out * 2.0))
        return _variance_backward(self, grad_var)


def _variance_args(op: str, t: Tensor, dim: Any, keepdim: bool, correction: float, unbiased: bool | None,
                   axis: Any, keepdims: bool | None) -> tuple:
    """var's and std's arguments checked; PyTorch's warning where no degrees of freedom are left."""
    if unbiased is not None:
        correction = int(unbiased)
    if not backend.is_floating(t.dtype):
        raise TypeError(f"{op}: needs a floating-point tensor, got {t.dtype}; convert it with .float()")
    dims, keepdim = reduce_args(t, dim, keepdim, axis, keepdims, op)
    count = _count(t, dims)
    if count - correction <= 0:
        warnings.warn(f"{op}: degrees of freedom is <= 0 ({count} elements with correction={correction}): "
                      f"the correction should be less than the number of elements reduced; the result is "
                      f"inf, or nan where all the values are equal", UserWarning, stacklevel=3)
    return dims, keepdim, correction


@register("var")
def var(t: Tensor, dim: Any = None, keepdim: bool = False, *, correction: float = 1, unbiased: bool | None = None,
        axis: Any = None, keepdims: bool | None = None) -> Tensor:
    """f(x) = Σ (x_i - mean)² / (n - correction); correction=1 is the unbiased estimate (PyTorch's default)"""
    dims, keepdim, correction = _variance_args("var", t, dim, keepdim, correction, unbiased, axis, keepdims)
    return Var.apply(t, dims=dims, keepdim=keepdim, correction=correction)


@register("std")
def std(t: Tensor, dim: Any = None, keepdim: bool = False, *, correction: float = 1, unbiased: bool | None = None,
        axis: Any = None, keepdims: bool | None = None) -> Tensor:
    """The standard deviation: the square root of var"""
    dims, keepdim, correction = _variance_args("std", t, dim, keepdim, correction, unbiased, axis, keepdims)
    return Std.apply(t, dims=dims, keepdim=keepdim, correction=correction)


def arg_reduce(t: Tensor, op: str, dim: int | None, keepdim: bool, axis: int | None, keepdims: bool | None) -> Tensor:
    """argmax/argmin: the index of the extreme (not differentiable: indices are integers)."""
    if isinstance(dim if axis is None else axis, (tuple, list)):
        raise TypeError(f"{op}: dim must be a single int")
    dims, keepdim = reduce_args(t, dim, keepdim, axis, keepdims, op)
    _check_not_empty(t, dims, op)
    axis_ = None if dims is None else dims[0]
    # With axis=None the index counts through the flattened tensor, as in PyTorch.
    result = getattr(t.xp, op)(t.array, axis=axis_, keepdims=keepdim)
    return Tensor._make(t.xp.asarray(result, dtype=backend.int64), t._device, False, None)


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


# ---- products, log-sum-exp, norms, and two results at once ---------------------------------

def _reversed_along(t: Tensor, dim: int) -> Tensor:
    """t with its elements along dim in reverse order (differentiable: an integer-array index)."""
    n = t.shape[dim]
    backwards = Tensor._make(t.xp.arange(n - 1, -1, -1, dtype=backend.int64), t._device, False, None)
    return t[(slice(None),) * dim + (backwards,)]


def _product_of_the_others(x: Tensor, dim: int) -> Tensor:
    """Π_{i≠k} x_i along dim, for each k, without dividing (so zeros are fine): the product of
    what stands before k times the product of what stands after it, both running products."""
    ones_shape = tuple(1 if i == dim else n for i, n in enumerate(x.shape))
    one = Tensor._make(x.xp.ones(ones_shape, dtype=x.dtype), x._device, False, None)
    all_but_last = (slice(None),) * dim + (slice(0, x.shape[dim] - 1),)
    before = cumprod(cat([one, x[all_but_last]], dim), dim)
    after = _reversed_along(cumprod(cat([one, _reversed_along(x, dim)[all_but_last]], dim), dim), dim)
    return before * after


class Prod(Function):
    """f(x) = Π x_i;  df/dx_k = Π_{i≠k} x_i, which is f/x_k where x_k ≠ 0

    With a zero in x, f/x_k would be 0/0: the products of the others are made without dividing
    (as in PyTorch), so the one zero of a slice gets the product of the rest, the others 0."""
    uses_output = True

    def forward(self, x, dim, keepdim):
        self.dim = dim
        return x.prod(axis=dim, keepdims=keepdim)

    def backward(self, grad):
        x, out = self.inputs[0], self.output()
        kept = _kept_shape(x.shape, None if self.dim is None else (self.dim,))
        grad, out = grad.reshape(kept), out.reshape(kept)
        if x.numel() == 0 or not (x.array == 0).any():
            return grad * out / x if x.numel() else grad.expand(x.shape)
        if self.dim is None:   # a product over everything is a product along the flattened tensor
            return grad * _product_of_the_others(x.reshape(-1), 0).reshape(x.shape)
        return grad * _product_of_the_others(x, self.dim)


@register("prod")
def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The product over dim (one int) or of every element; int64 for bool and integer tensors"""
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"prod: dim must be a single int (as in PyTorch), got {dim!r}; "
                        f"multiply one dim at a time")
    dims, keepdim = reduce_args(input, dim, keepdim, None, None, "prod")
    if dtype is not None:
        input = input.to(dtype)
    elif not backend.is_floating(input.dtype):
        input = input.to(backend.int64)   # as in PyTorch: running products of int8 would overflow
    return Prod.apply(input, dim=None if dims is None else dims[0], keepdim=keepdim)


class LogSumExp(Function):
    """f(x) = log Σ e^(x_i);  df/dx_i = e^(x_i - f), the softmax of x"""
    uses_output = True

    def forward(self, x, dims, keepdim):
        self.dims = dims
        # Shifting by the largest value keeps e^x from overflowing; an infinite largest value
        # is not shifted by (inf - inf would be nan), as in PyTorch.
        shift = x.max(axis=dims, keepdims=True) if x.size else self.xp.zeros(_kept_shape(x.shape, dims), x.dtype)
        shift = self.xp.where(self.xp.isinf(shift), 0, shift).astype(x.dtype)
        total = self.xp.exp(x - shift).sum(axis=dims, keepdims=keepdim)
        return self.xp.log(total) + shift.reshape(total.shape)

    def backward(self, grad):
        x = self.inputs[0]
        kept = _kept_shape(x.shape, self.dims)
        return grad.reshape(kept) * (x - self.output().reshape(kept)).exp()


@register("logsumexp")
def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """log(sum(exp(input))) over dim (an int or a tuple), computed without overflow"""
    if not backend.is_floating(input.dtype):
        input = input.to(backend.get_default_dtype())   # as in PyTorch: integers give float32
    dims, keepdim = reduce_args(input, dim, keepdim, None, None, "logsumexp")
    return LogSumExp.apply(input, dims=dims, keepdim=keepdim)


class VectorNorm(Function):
    """f(x) = (Σ |x_i|^p)^(1/p);  df/dx_i = x_i·|x_i|^(p-2) / f^(p-1), and 0 where f = 0

    p = 1: df/dx_i = sign(x_i); p = ±inf: sign(x_i) at the largest (smallest) |x_i|, shared on
    ties; p = 0 counts the non-zero elements, with gradient 0. As in PyTorch."""
    uses_output = True

    def forward(self, x, p, dims, keepdim):
        self.p, self.dims = p, dims
        size = self.xp.abs(x)
        if p == float("inf"):
            return size.max(axis=dims, keepdims=keepdim)
        if p == float("-inf"):
            return size.min(axis=dims, keepdims=keepdim)
        if p == 0:
            return (size != 0).sum(axis=dims, keepdims=keepdim).astype(x.dtype)
        if p == 1:
            return size.sum(axis=dims, keepdims=keepdim)
        if p == 2:
            return self.xp.sqrt((x * x).sum(axis=dims, keepdims=keepdim))
        return (size ** p).sum(axis=dims, keepdims=keepdim) ** (1.0 / p)

    def backward(self, grad):
        x, p = self.inputs[0], self.p
        kept = _kept_shape(x.shape, self.dims)
        grad, norm = grad.reshape(kept), self.output().reshape(kept)
        if p == 0:
            return self.constant(self.xp.zeros(x.shape, dtype=x.dtype))
        if p == 1:
            return grad * x.sign()
        if p in (float("inf"), float("-inf")):
            size = self.xp.abs(x.array)
            extreme = (size == norm.array) | self.xp.isnan(size)   # NaN is the extreme wherever it is
            share = extreme / extreme.sum(axis=self.dims, keepdims=True)
            return x.sign() * grad * self.constant(share.astype(x.dtype))
        zero_norm = self.constant(norm.array == 0)
        # where(zero_norm, 1, norm) first: dividing by 0 and then masking would be nan in double backward
        scale = where(zero_norm, 0.0, grad / where(zero_norm, 1.0, norm) ** (p - 1))
        if p == 2:
            return x * scale
        if p < 1:   # |x|^(p-1) is inf at 0, where PyTorch's gradient is 0
            zero_x = self.constant(x.array == 0)
            return where(zero_x, 0.0, x.sign() * where(zero_x, 1.0, x.abs()) ** (p - 1)) * grad * norm ** (1 - p)
        return x.sign() * x.abs() ** (p - 1) * scale


@register("norm")
def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """The p-norm over dim (p = 2, 1, inf, -inf, 0, any number, or 'fro'; every element when dim is None)"""
    if dtype is not None:
        input = input.to(dtype)
    if not backend.is_floating(input.dtype):
        raise DTypeError(f"norm: needs a floating-point tensor, got {input.dtype}; convert it with .float()")
    if p == "fro":
        p = 2   # the Frobenius norm of a matrix is the 2-norm of its elements
    elif isinstance(p, str):
        raise ValueError(f"norm: p={p!r} is not supported; use a number, inf, -inf or 'fro' "
                         f"(the nuclear norm needs singular values)")
    elif isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"norm: p must be a number or 'fro', got {type(p).__name__} {p!r}")
    dims, keepdim = reduce_args(input, dim, keepdim, None, None, "norm")
    if p in (float("inf"), float("-inf")):
        _check_not_empty(input, dims, "norm", RuntimeError)
    return VectorNorm.apply(input, p=float(p), dims=dims, keepdim=keepdim)


@register("var_mean", method=False)
def var_mean(input: Tensor, dim: Any = None, *, correction: float = 1, keepdim: bool = False,
             unbiased: bool | None = None) -> tuple[Tensor, Tensor]:
    """(var, mean) over dim in one call, as torch.var_mean"""
    return (var(input, dim, keepdim, correction=correction, unbiased=unbiased), mean(input, dim, keepdim))


@register("std_mean", method=False)
def std_mean(input: Tensor, dim: Any = None, *, correction: float = 1, keepdim: bool = False,
             unbiased: bool | None = None) -> tuple[Tensor, Tensor]:
    """(std, mean) over dim in one call, as torch.std_mean"""
    return (std(input, dim, keepdim, correction=correction, unbiased=unbiased), mean(input, dim, keepdim))


MinMax = namedtuple("aminmax", ("min", "max"))  # type: ignore[name-match]  # PyTorch's type name


@register("aminmax")
def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> tuple[Tensor, Tensor]:
    """The smallest and the largest value over dim (a named tuple: min, max)"""
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"aminmax: dim must be a single int or None, got {dim!r}")
    return MinMax(min(input, dim, keepdim), max(input, dim, keepdim))
