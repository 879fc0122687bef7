"""Rounding and integer division: floor, ceil, round, trunc, frac, //, % and fmod.

Rounding gives a step function: its derivative is zero wherever it exists, so floor, ceil,
round and trunc pass a zero gradient back, as in PyTorch (no learning signal goes through
them). An integer tensor is already whole: rounding it gives a copy, of the same dtype.

The three divisions differ in how they round the quotient a/b, and so in the sign of the
remainder:

    floor_divide  a // b      ⌊a/b⌋                   (Python's rule)
    remainder     a % b       a - b·⌊a/b⌋, b's sign   (Python's rule)
    fmod                      a - b·trunc(a/b), a's sign (C's rule)

On integer tensors a zero divisor raises, as in PyTorch; on floats it gives inf or nan, silently.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
from tinygrad_edu.errors import DTypeError
from tinygrad_edu.ops.elementwise import broadcasting
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor


class IntegerDivisionByZero(ZeroDivisionError, RuntimeError):
    """An integer tensor divided by zero: Python's ZeroDivisionError, and PyTorch's RuntimeError."""


# ---- rounding --------------------------------------------------------------------------------

class _Rounding(Function):
    """What floor, ceil, round and trunc share: f is constant between integers, so df/dx = 0."""
    reads = ((),)

    def backward(self, grad):
        # zeros, not grad · 0: an infinite gradient must give 0 too, not nan
        return self.constant(self.xp.zeros(grad.shape, dtype=grad.dtype))


class Floor(_Rounding):
    """f(x) = ⌊x⌋, the largest integer <= x;  df/dx = 0"""

    def forward(self, x):
        return self.xp.floor(x)


class Ceil(_Rounding):
    """f(x) = ⌈x⌉, the smallest integer >= x;  df/dx = 0"""

    def forward(self, x):
        return self.xp.ceil(x)


class Trunc(_Rounding):
    """f(x) = x without its fractional part (towards zero);  df/dx = 0"""

    def forward(self, x):
        return self.xp.trunc(x)


class Round(_Rounding):
    """f(x) = x rounded to `decimals` places, halves to even (2.5 -> 2);  df/dx = 0"""

    def forward(self, x, decimals):
        if not decimals:
            return self.xp.round(x)
        # float16 is scaled in float32, as PyTorch does: 12345.6·10 would overflow float16
        wide = x.astype(self.xp.float32) if x.dtype == self.xp.float16 else x
        return self.xp.round(wide, decimals).astype(x.dtype, copy=False)


def _rounded(op: str, fn: type[_Rounding], input: Tensor, **options: Any) -> Tensor:
    if input.dtype == backend.bool_:
        raise DTypeError(f"{op}: not implemented for bool tensors")
    if not backend.is_floating(input.dtype):
        return input.clone()   # already whole: a copy, as in PyTorch
    return fn.apply(input, **options)


@register("floor")
def floor(input: Tensor) -> Tensor:
    """The largest integer <= input, elementwise; gradient zero"""
    return _rounded("floor", Floor, input)


@register("ceil")
def ceil(input: Tensor) -> Tensor:
    """The smallest integer >= input, elementwise; gradient zero"""
    return _rounded("ceil", Ceil, input)


@register("trunc", aliases=("fix",))
def trunc(input: Tensor) -> Tensor:
    """input rounded towards zero, elementwise; gradient zero"""
    return _rounded("trunc", Trunc, input)


@register("round")
def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001 — PyTorch's name
    """input rounded to `decimals` places (halves to even), elementwise; gradient zero"""
    if isinstance(decimals, bool) or not isinstance(decimals, int):
        raise TypeError(f"round: decimals must be an int, got {type(decimals).__name__}")
    if decimals and not backend.is_floating(input.dtype):
        raise DTypeError(f"round: decimals={decimals} is only implemented for floating-point tensors, "
                         f"got {input.dtype}")
    return _rounded("round", Round, input, decimals=decimals)


class Frac(Function):
    """f(x) = x - trunc(x), the fractional part (with x's sign);  df/dx = 1"""
    reads = ((),)

    def forward(self, x):
        return x - self.xp.trunc(x)

    def backward(self, grad):
        return grad


@register("frac")
def frac(input: Tensor) -> Tensor:
    """input - trunc(input): the fractional part, with input's sign"""
    if not backend.is_floating(input.dtype):
        raise DTypeError(f"frac: only implemented for floating-point tensors, got {input.dtype}")
    return Frac.apply(input)


# ---- integer division ------------------------------------------------------------------------

def _division_operands(op: str, input: Tensor, other: Any, reflected: bool = False) -> tuple[Tensor, Tensor]:
    """Dividend and divisor, promoted as PyTorch does (int // 2.5 is float32), checked."""
    a, b = input._operand(other, op)
    if reflected:
        a, b = b, a
    if a.dtype == backend.bool_:
        raise DTypeError(f"{op}: not implemented for bool tensors; convert them with .long() or .float() first")
    if not backend.is_floating(a.dtype) and bool((b.array == 0).any()):
        raise IntegerDivisionByZero(f"{op}: integer division by zero (the divisor of shape {b.shape} holds a 0)")
    return a, b


class FloorDivide(Function):
    """f(a, b) = ⌊a/b⌋;  no derivative is defined (PyTorch raises too): a step function in a and b"""

    def forward(self, a, b):
        return broadcasting(self.xp.floor_divide, a, b)   # 1.0 // 0 is inf, silently

    def backward(self, grad):
        raise RuntimeError("floor_divide: the derivative of a // b is not implemented, as in PyTorch; "
                           "for a gradient, write (a / b).floor() (zero) or a / b")


@register("floor_divide", operators=("__floordiv__",))
def floor_divide(input: Tensor, other: Any) -> Tensor:
    """⌊input / other⌋, elementwise, broadcast (Python's `//`)"""
    return FloorDivide.apply(*_division_operands("floor_divide", input, other))


@register("rfloordiv", kind="operator", operators=("__rfloordiv__",))
def rfloordiv(input: Tensor, other: Any) -> Tensor:
    """other // input (what `7 // x` runs)"""
    return FloorDivide.apply(*_division_operands("floor_divide", input, other, reflected=True))


class Remainder(Function):
    """f(a, b) = a - b·⌊a/b⌋ (the sign of b);  df/da = 1, df/db = -⌊a/b⌋"""
    reads = ((), (0, 1))

    def forward(self, a, b):
        return broadcasting(self.xp.remainder, a, b)   # x % 0.0 is nan, silently

    def backward(self, grad):
        a, b = self.inputs[0].array, self.inputs[1].array
        # ⌊a/b⌋ is piecewise constant in a and b: a constant for gradients of gradients
        quotient = self.constant(broadcasting(self.xp.floor_divide, a, b))
        return grad, (-(grad * quotient) if self.needs_input_grad[1] else None)


@register("remainder", operators=("__mod__",))
def remainder(input: Tensor, other: Any) -> Tensor:
    """input - other·⌊input/other⌋: Python's `%`, the result has other's sign"""
    return Remainder.apply(*_division_operands("remainder", input, other))


@register("rmod", kind="operator", operators=("__rmod__",))
def rmod(input: Tensor, other: Any) -> Tensor:
    """other % input (what `7 % x` runs)"""
    return Remainder.apply(*_division_operands("remainder", input, other, reflected=True))


class Fmod(Function):
    """f(a, b) = a - b·trunc(a/b) (the sign of a, as C's fmod);  df/da = 1, df/db = -trunc(a/b)"""
    reads = ((), (0, 1))

    def forward(self, a, b):
        return broadcasting(self.xp.fmod, a, b)

    def backward(self, grad):
        a, b = self.inputs[0].array, self.inputs[1].array
        quotient = self.constant(broadcasting(lambda x, y: self.xp.trunc(x / y), a, b))
        return grad, (-(grad * quotient) if self.needs_input_grad[1] else None)


@register("fmod")
def fmod(input: Tensor, other: Any) -> Tensor:
    """input - other·trunc(input/other): C's remainder, the result has input's sign"""
    return Fmod.apply(*_division_operands("fmod", input, other))
