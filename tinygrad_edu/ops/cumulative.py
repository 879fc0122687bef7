"""Cumulative ops: running sums, products, extremes and log-sum-exps along one dim.

Output i combines the inputs 0..i. The gradient runs the other way: input j took part in
the outputs j, j+1, ..., so its gradient is a sum taken from the end of the dim (a reversed
cumsum) of what each of those outputs hands back.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function, is_grad_enabled
from tinygrad_edu.errors import DTypeError
from tinygrad_edu.ops.elementwise import where
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.shapes import wrap_dim
from tinygrad_edu.ops.sorting import int64_tensor, pick, values_and_indices
from tinygrad_edu.tensor import Tensor

CummaxResult = values_and_indices("cummax")
CumminResult = values_and_indices("cummin")


def _along(xp: Any, compute: Any, x: Any, dim: int, reverse: bool) -> Any:
    """compute(x, axis=dim), or, with reverse, the same running from the end of the dim."""
    if not reverse:
        return compute(x, axis=dim)
    return xp.flip(compute(xp.flip(x, axis=dim), axis=dim), axis=dim)


def _check(input: Any, dim: Any, op: str) -> int:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    return wrap_dim(dim, input.ndim, op)


def _accumulator_dtype(input: Tensor, dtype: Any) -> Any:
    """cumsum's and cumprod's result dtype, as in PyTorch: `dtype` when given, else int64 for
    bool and integer tensors (so running totals do not overflow int8), else the input's."""
    if dtype is not None:
        return backend.as_dtype(dtype)
    return input.dtype if backend.is_floating(input.dtype) else backend.int64


def _on_a_vector_if_0d(input: Tensor, dim: int, run: Any) -> Any:
    """A 0-d tensor counts as one element along dim 0, as in PyTorch (NumPy has no axis to run along)."""
    if input.ndim:
        return run(input, dim)
    result = run(input.reshape(1), 0)
    if isinstance(result, tuple):
        return tuple(r.reshape(()) for r in result)
    return result.reshape(())


class CumSum(Function):
    """f(x)_i = Σ_{j<=i} x_j;  df_i/dx_j = 1 for j <= i, so the gradient is grad summed from the end"""
    reads = ((),)

    def forward(self, x, dim, reverse):
        self.dim, self.reverse = dim, reverse
        # a float32 running sum past 3.4e38 is inf, silently
        return _along(self.xp, self.xp.cumsum, x, dim, reverse)

    def backward(self, grad):
        return CumSum.apply(grad, dim=self.dim, reverse=not self.reverse)


def reversed_cumsum(t: Tensor, dim: int) -> Tensor:
    """out_i = Σ_{j>=i} t_j along dim: the running sum from the end."""
    return CumSum.apply(t, dim=dim, reverse=True)


@register("cumsum")
def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """The running sum along dim (int64 for bool and integer tensors, or the dtype given)"""
    d = _check(input, dim, "cumsum")
    input = input.to(_accumulator_dtype(input, dtype))
    return _on_a_vector_if_0d(input, d, lambda t, d: CumSum.apply(t, dim=d, reverse=False))


class CumProd(Function):
    """f(x)_i = Π_{j<=i} x_j;  df_i/dx_k = Π_{j<=i, j≠k} x_j for k <= i, else 0

    Without zeros that is f_i/x_k, so the gradient is (grad·f summed from the end)/x. A zero
    cannot be divided by; the two ways around it, PyTorch's, are in the helpers below."""
    uses_output = True

    def forward(self, x, dim):
        self.dim = dim
        return self.xp.cumprod(x, axis=dim)

    def backward(self, grad):
        x, out = self.inputs[0], self.output()
        if not (x.array == 0).any():
            return reversed_cumsum(grad * out, self.dim) / x
        if is_grad_enabled():   # create_graph: the gradient itself must be differentiable everywhere
            return _cumprod_grad_every_product(x, grad, self.dim)
        return _cumprod_grad_first_zero(x, out, grad, self.dim)


def _cumprod_grad_first_zero(x: Tensor, out: Tensor, grad: Tensor, dim: int) -> Tensor:
    """The gradient with zeros in x, in O(n): before a row's first zero x_k is not 0, so f_i/x_k
    holds; at the first zero z, df_i/dx_z is the running product with x_z taken out (x_z set
    to 1); after it every product with x_k also holds x_z = 0, so the gradient there is 0."""
    zero = x.array == 0
    zeros_so_far = x.xp.cumsum(zero, axis=dim)
    before = Tensor._make(zeros_so_far == 0, x._device, False, None)
    first = Tensor._make(zero & (zeros_so_far == 1), x._device, False, None)
    below = reversed_cumsum(grad * out, dim) / where(before, x, 1.0)
    at_first = reversed_cumsum(grad * cumprod(where(first, 1.0, x), dim), dim)
    return where(before, below, where(first, at_first, 0.0))


def _cumprod_grad_every_product(x: Tensor, grad: Tensor, dim: int) -> Tensor:
    """The gradient with zeros in x, in O(n²) memory but differentiable everywhere (for second
    derivatives, as PyTorch does): grad_k = Σ_{i>=k} grad_i · Π_{j<=i, j≠k} x_j, with every
    product Π_{j<=i, j≠k} made at once as the cumprod of x with x_k replaced by 1, for each k."""
    n, xp = x.shape[dim], x.xp
    moved = x.transpose(dim, -1)
    rows = moved.unsqueeze(-2).expand(*moved.shape[:-1], n, n)            # [..., k, j] = x_j
    left_out = Tensor._make(xp.eye(n, dtype=bool), x._device, False, None)
    products = cumprod(where(left_out, 1.0, rows), -1)                    # [..., k, i] = Π_{j<=i, j≠k} x_j
    later = Tensor._make(xp.triu(xp.ones((n, n), dtype=bool)), x._device, False, None)   # i >= k
    upstream = grad.transpose(dim, -1).unsqueeze(-2)                      # [..., 1, i] = grad_i
    return (where(later, upstream, 0.0) * products).sum(-1).transpose(dim, -1)


@register("cumprod")
def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """The running product along dim (int64 for bool and integer tensors, or the dtype given)"""
    d = _check(input, dim, "cumprod")
    input = input.to(_accumulator_dtype(input, dtype))
    return _on_a_vector_if_0d(input, d, lambda t, d: CumProd.apply(t, dim=d))


def _running_extreme(input: Tensor, dim: int, accumulate: Any) -> tuple[Tensor, Tensor]:
    """cummax's and cummin's values and indices. The index is that of the latest element equal
    to the running extreme (PyTorch's choice on ties); a NaN is the extreme from where it
    appears on, with the index of the latest NaN."""
    xp, x = input.xp, input.array
    running = accumulate(x, axis=dim)
    hit = x == running
    if x.dtype.kind == "f":
        hit |= xp.isnan(x)
    n = x.shape[dim]
    position = xp.arange(n).reshape((n,) + (1,) * (x.ndim - 1 - dim))
    indices = xp.maximum.accumulate(xp.where(hit, position, 0), axis=dim)
    return pick(input, indices, dim), int64_tensor(indices, input)   # the gradient goes back to the extreme


@register("cummax")
def cummax(input: Tensor, dim: int) -> tuple:
    """The running maximum along dim and where it was found (a named tuple: values, indices)"""
    d = _check(input, dim, "cummax")
    return CummaxResult(*_on_a_vector_if_0d(input, d, lambda t, d: _running_extreme(t, d, t.xp.maximum.accumulate)))


@register("cummin")
def cummin(input: Tensor, dim: int) -> tuple:
    """The running minimum along dim and where it was found (a named tuple: values, indices)"""
    d = _check(input, dim, "cummin")
    return CumminResult(*_on_a_vector_if_0d(input, d, lambda t, d: _running_extreme(t, d, t.xp.minimum.accumulate)))


class LogCumSumExp(Function):
    """f(x)_i = log Σ_{j<=i} e^(x_j);  df_i/dx_j = e^(x_j - f_i) for j <= i, else 0"""
    uses_output = True

    def forward(self, x, dim, reverse):
        self.dim, self.reverse = dim, reverse
        # logaddexp never overflows: -inf and inf pass through
        return _along(self.xp, self.xp.logaddexp.accumulate, x, dim, reverse)

    def backward(self, grad):
        # grad_j = Σ_{i>=j} grad_i e^(x_j - f_i) = e^(x_j + log Σ_{i>=j} e^(log grad_i - f_i)):
        # computed in log space, so that e^(-f_i) cannot overflow; log needs positive numbers,
        # so the positive and negative parts of grad go separately (PyTorch's formula).
        x, out = self.inputs[0], self.output()
        lowest = self.xp.finfo(grad.dtype).min   # stands for log 0 where grad has no such part
        log_size = grad.abs().log()

        def part(mask: Tensor) -> Tensor:
            log_terms = where(mask, log_size - out, lowest)   # lowest - out would overflow to -inf
            return (LogCumSumExp.apply(log_terms, dim=self.dim, reverse=not self.reverse) + x).exp()
        return part(grad > 0) - part(grad < 0)


@register("logcumsumexp")
def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """log(cumsum(exp(input))) along dim, computed without overflow"""
    d = _check(input, dim, "logcumsumexp")
    if not backend.is_floating(input.dtype):
        raise DTypeError(f"logcumsumexp: needs a floating-point tensor, got {input.dtype}; convert it with .float()")
    return _on_a_vector_if_0d(input, d, lambda t, d: LogCumSumExp.apply(t, dim=d, reverse=False))
