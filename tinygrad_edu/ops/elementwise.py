"""Elementwise operations: each output element depends on the matching input elements only.

Binary ops broadcast like NumPy. Their backward returns gradients in the broadcast shape;
the engine (`autograd.propagate`) sums them back to each input's own shape.

Each op is a Function (forward and backward side by side) followed by its public function,
declared with `@register`: that declaration makes the Tensor method, the operator and `tg.*`.

Two habits keep the results PyTorch's:

* arithmetic that overflows or meets inf - inf gives inf and nan silently, as PyTorch does, where
  NumPy would warn: `Function.apply` runs every forward (and the engine every backward) with
  NumPy's floating-point warnings off (`backend.quiet_numpy`), so no op needs a block of its own;
* a backward that lets the gradient through in some places and not in others selects with
  `where(mask, grad, 0)`, never `grad * mask`: an infinite gradient times a 0 of the mask would
  be nan, where PyTorch gives 0.
"""
from __future__ import annotations

from typing import Any, Callable

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.shapes import broadcast_shapes
from tinygrad_edu.tensor import Tensor


def as_floating(a):
    """Integer and bool arrays become the default float first, so exp, log and friends give
    float32 for integer input, as in PyTorch (NumPy would give float64)."""
    return a if a.dtype.kind == "f" else a.astype(backend.get_default_dtype())


def shape_error_or(error: Exception, *arrays: Any) -> Exception:
    """A ShapeError naming the shapes when the arrays cannot be broadcast together (the cause of
    `error`, which NumPy raised as a plain ValueError), else `error` itself."""
    shapes = [tuple(getattr(a, "shape", ())) for a in arrays]   # a Python number has no shape
    if broadcast_shapes(*shapes) is not None:
        return error
    listed = ", ".join(map(str, shapes[:-1])) + f" and {shapes[-1]}"
    return ShapeError(f"shapes {listed} cannot be broadcast together")



def broadcasting(compute: Callable, *operands: Any) -> Any:
    """compute(*operands), with NumPy's broadcasting failure (a plain ValueError) turned into a
    ShapeError naming the shapes. (Quiet IEEE arithmetic needs nothing here: Function.apply runs
    every forward quietly.)"""
    try:
        return compute(*operands)
    except ValueError as e:
        raise shape_error_or(e, *operands) from e


class Add(Function):
    """f(a, b) = a + b;  df/da = 1, df/db = 1"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((), ())   # backward reads no input (Function.reads)

    def forward(self, a, b):
        try:
            return a + b   # 3e38 + 3e38 is inf and inf - inf nan, silently (see the module docstring)
        except ValueError as e:
            raise shape_error_or(e, a, b) from e

    def backward(self, grad):
        return grad, grad


@register("add", operators=("__add__", "__radd__"))
def add(input: Tensor, other: Any) -> Tensor:
    """input + other, broadcast, with PyTorch's type promotion (Add, or AddScalar for a number)"""
    if input._keeps_dtype(other):
        return AddScalar.apply(input, scalar=other)
    return Add.apply(*input._operand(other, "add"))


class Sub(Function):
    """f(a, b) = a - b;  df/da = 1, df/db = -1"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((), ())

    def forward(self, a, b):
        try:
            return a - b
        except ValueError as e:
            raise shape_error_or(e, a, b) from e

    def backward(self, grad):
        return grad, (-grad if self.needs_input_grad[1] else None)


@register("sub", aliases=("subtract",), operators=("__sub__",))
def sub(input: Tensor, other: Any) -> Tensor:
    """input - other, broadcast, with PyTorch's type promotion"""
    if input._keeps_dtype(other):
        return AddScalar.apply(input, scalar=-other)
    a, b = input._operand(other, "sub")
    _refuse_bool_subtraction(input, other, a)
    return Sub.apply(a, b)


@register("rsub", method=False, operators=("__rsub__",))
def rsub(input: Tensor, other: Any) -> Tensor:
    """other - input (what `2 - x` runs)"""
    a, b = input._operand(other, "sub")
    _refuse_bool_subtraction(input, other, a)
    return Sub.apply(b, a)


def _refuse_bool_subtraction(input: Tensor, other: Any, promoted: Tensor) -> None:
    """PyTorch refuses `-` with a bool operand: it almost always means a mask to invert."""
    other_is_bool = isinstance(other, bool) or (isinstance(other, Tensor) and other.dtype == backend.bool_)
    if promoted.dtype == backend.bool_:
        raise DTypeError("sub: subtraction, the `-` operator, with two bool tensors is not supported; "
                         "use `!=` (exclusive or) instead")
    if input.dtype == backend.bool_ or other_is_bool:
        raise DTypeError("sub: subtraction, the `-` operator, with a bool tensor is not supported; "
                         "to invert a mask, use the `~` operator instead")


class Mul(Function):
    """f(a, b) = a * b;  df/da = b, df/db = a"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((1,), (0,))

    def forward(self, a, b):
        try:
            return a * b   # 1e30 · 1e30 is inf and 0 · inf nan, silently
        except ValueError as e:
            raise shape_error_or(e, a, b) from e

    def backward(self, grad):
        a, b = self.inputs
        # Mul itself, not `grad * b`: the operands' dtypes were settled in forward, so the
        # checks of the `*` front door would only cost time (a third of a small product's)
        return (Mul.apply(grad, b) if self.needs_input_grad[0] else None,
                Mul.apply(grad, a) if self.needs_input_grad[1] else None)


@register("mul", aliases=("multiply",), operators=("__mul__", "__rmul__"))
def mul(input: Tensor, other: Any) -> Tensor:
    """input * other, broadcast, with PyTorch's type promotion (Mul, or MulScalar for a number)"""
    if input._keeps_dtype(other):
        return MulScalar.apply(input, scalar=other)
    return Mul.apply(*input._operand(other, "mul"))


# ---- the fast path for a Python number ------------------------------------------------------
# `x + 2.0` could wrap 2.0 as a 0-d tensor and run Add, as `x + y` does. AddScalar and MulScalar
# take the number as an option instead, which saves making a tensor on every use; they give
# the same values and gradients as Add and Mul (tests/test_fast_paths.py compares the two).
# To the user they are still an add and a mul (op_name and name() drop the "Scalar").

class AddScalar(Function):
    """f(a) = a + c for a Python number c;  df/da = 1"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((),)

    def forward(self, a, scalar):
        self.scalar = scalar   # not needed by backward; kept so the ONNX export can read it
        return a + scalar

    def backward(self, grad):
        return grad


class MulScalar(Function):
    """f(a) = c·a for a Python number c;  df/da = c"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((),)

    def forward(self, a, scalar):
        self.scalar = scalar
        return a * scalar

    def backward(self, grad):
        return MulScalar.apply(grad, scalar=self.scalar)


class Div(Function):
    """f(a, b) = a / b;  df/da = 1/b, df/db = -a/b²"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((1,), (0, 1))

    def forward(self, a, b):
        # x/0 is inf (or nan), silently, as in PyTorch
        try:
            return a / b
        except ValueError as e:
            raise shape_error_or(e, a, b) from e

    def backward(self, grad):
        a, b = self.inputs
        grad_a = grad / b
        return grad_a, (-grad_a * a / b if self.needs_input_grad[1] else None)


def _true_division_operands(input: Tensor, other: Any) -> tuple[Tensor, Tensor]:
    a, b = input._operand(other, "div")
    if not backend.is_floating(a.dtype):   # true division of integers gives floats, as in PyTorch
        a, b = a.float(), b.float()
    return a, b


@register("div", aliases=("divide", "true_divide"), operators=("__truediv__",))
def div(input: Tensor, other: Any) -> Tensor:
    """input / other, broadcast; integers divide to floats, as in PyTorch"""
    return Div.apply(*_true_division_operands(input, other))


@register("rdiv", kind="operator", operators=("__rtruediv__",))
def rdiv(input: Tensor, other: Any) -> Tensor:
    """other / input (what `1 / x` runs)"""
    a, b = _true_division_operands(input, other)
    return Div.apply(b, a)


class Neg(Function):
    """f(a) = -a;  df/da = -1"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((),)

    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad


@register("neg", aliases=("negative",), operators=("__neg__",))
def neg(input: Tensor) -> Tensor:
    """-input"""
    if input.dtype == backend.bool_:
        raise DTypeError("neg: negation, the `-` operator, on a bool tensor is not supported; to invert "
                         "a mask, use the `~` operator instead")
    return Neg.apply(input)


class PowScalar(Function):
    """f(a) = a^p for a number p;  df/da = p·a^(p-1)"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it

    def forward(self, a, exponent):
        self.exponent = exponent
        dtype = backend.scalar_result_dtype(a.dtype, exponent)   # int tensor ** 0.5 is float32
        return a.astype(dtype, copy=False) ** self.xp.asarray(exponent, dtype=dtype)

    def backward(self, grad):
        a, = self.inputs
        p = self.exponent
        if p == 0:   # a^0 = 1 everywhere, also at a = 0: zeros, as in PyTorch (not grad · 0, nan for inf)
            return self.constant(self.xp.zeros(grad.shape, dtype=grad.dtype))
        return grad * (p * a ** (p - 1) if p != 2 else 2.0 * a)


class Pow(Function):
    """f(a, b) = a^b;  df/da = b·a^(b-1) (0 where b = 0), df/db = a^b·ln(a) (0 where a = 0 and b >= 0)

    As in PyTorch, and in agreement with PowScalar: the exponent 0 gives the base a zero
    gradient, also at 0^0; 0^b for b >= 0 gives the exponent a zero gradient (a^b·ln(a) would
    be 0·(-inf)). Elsewhere the formulas hold as they are: ln(a) of a negative base is nan, and
    0^b for b < 0 gives the exponent -inf."""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    uses_output = True

    def forward(self, a, b):
        try:
            return a ** b
        except ValueError as e:
            raise shape_error_or(e, a, b) from e

    def backward(self, grad):
        a, b = self.inputs
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            exponent_zero = self.constant(b.array == 0)
            grad_a = where(exponent_zero, 0.0, grad * b * a ** (b - 1.0))
        if self.needs_input_grad[1]:
            zero_base = self.constant((a.array == 0) & (b.array >= 0))
            log_a = where(zero_base, 1.0, a).log()   # log 1 = 0 there, not log 0 = -inf (0·-inf is nan)
            grad_b = grad * where(zero_base, 0.0, self.output() * log_a)
        return grad_a, grad_b


@register("pow", operators=("__pow__",))
def pow(input: Tensor, exponent: Any) -> Tensor:  # noqa: A001 — PyTorch's name
    """input ** exponent, broadcast (PowScalar for a number exponent, Pow for a tensor one)"""
    if isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
        return PowScalar.apply(input, exponent=exponent)
    return Pow.apply(*input._operand(exponent, "pow"))


@register("rpow", kind="operator", operators=("__rpow__",))
def rpow(input: Tensor, base: Any) -> Tensor:
    """base ** input (what `2 ** x` runs)"""
    a, b = input._operand(base, "pow")
    return Pow.apply(b, a)


class Exp(Function):
    """f(a) = e^a;  df/da = e^a (the output itself)"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((),)
    uses_output = True

    def forward(self, a):
        return self.xp.exp(as_floating(a))   # e^1000 is inf, silently

    def backward(self, grad):
        return grad * self.output()


@register("exp")
def exp(input: Tensor) -> Tensor:
    """e^input, elementwise"""
    return Exp.apply(input)


class Log(Function):
    """f(a) = ln(a);  df/da = 1/a"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it

    def forward(self, a):
        # log(0) is -inf, log(-1) nan, silently
        return self.xp.log(as_floating(a))

    def backward(self, grad):
        return grad / self.inputs[0]


@register("log")
def log(input: Tensor) -> Tensor:
    """the natural logarithm, elementwise"""
    return Log.apply(input)


class Sqrt(Function):
    """f(a) = √a;  df/da = 1/(2√a)"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((),)
    uses_output = True

    def forward(self, a):
        return self.xp.sqrt(as_floating(a))

    def backward(self, grad):
        return grad / (2.0 * self.output())


@register("sqrt")
def sqrt(input: Tensor) -> Tensor:
    """the square root, elementwise"""
    return Sqrt.apply(input)


class Exp2(Function):
    """f(a) = 2^a;  df/da = 2^a·ln 2 (the output times ln 2)"""
    reads = ((),)
    uses_output = True

    def forward(self, a):
        return self.xp.exp2(as_floating(a))

    def backward(self, grad):
        return grad * self.output() * 0.6931471805599453


@register("exp2")
def exp2(input: Tensor) -> Tensor:
    """2^input, elementwise"""
    return Exp2.apply(input)


class Expm1(Function):
    """f(a) = e^a - 1;  df/da = e^a (the output plus 1)"""
    reads = ((),)
    uses_output = True

    def forward(self, a):
        return self.xp.expm1(as_floating(a))   # exact near 0, where e^a - 1 cancels

    def backward(self, grad):
        return grad * (self.output() + 1.0)


@register("expm1")
def expm1(input: Tensor) -> Tensor:
    """e^input - 1, elementwise, accurate for input near 0"""
    return Expm1.apply(input)


class Log2(Function):
    """f(a) = log₂ a;  df/da = 1/(a·ln 2)"""
    ufunc, ln_base = "log2", 0.6931471805599453   # log2 and log10 are exact at powers of their base

    def forward(self, a):
        return getattr(self.xp, self.ufunc)(as_floating(a))

    def backward(self, grad):
        return grad / (self.inputs[0] * self.ln_base)


class Log10(Log2):
    """f(a) = log₁₀ a;  df/da = 1/(a·ln 10)"""
    ufunc, ln_base = "log10", 2.302585092994046


@register("log2")
def log2(input: Tensor) -> Tensor:
    """The base-2 logarithm, elementwise"""
    return Log2.apply(input)


@register("log10")
def log10(input: Tensor) -> Tensor:
    """The base-10 logarithm, elementwise"""
    return Log10.apply(input)


class Log1p(Function):
    """f(a) = ln(1 + a);  df/da = 1/(1 + a)"""

    def forward(self, a):
        return self.xp.log1p(as_floating(a))   # exact near 0, where 1 + a rounds

    def backward(self, grad):
        return grad / (self.inputs[0] + 1.0)


@register("log1p")
def log1p(input: Tensor) -> Tensor:
    """ln(1 + input), elementwise, accurate for input near 0"""
    return Log1p.apply(input)


class Reciprocal(Function):
    """f(a) = 1/a;  df/da = -1/a² (minus the output squared)"""
    reads = ((),)
    uses_output = True

    def forward(self, a):
        a = as_floating(a)
        return self.xp.divide(a.dtype.type(1), a)   # 1/0 is inf, silently

    def backward(self, grad):
        r = self.output()
        return grad * -(r * r)


@register("reciprocal")
def reciprocal(input: Tensor) -> Tensor:
    """1 / input, elementwise (integers give float32)"""
    return Reciprocal.apply(input)


class Rsqrt(Function):
    """f(a) = 1/√a;  df/da = -1/(2·a^(3/2)) = -f(a)³/2"""
    reads = ((),)
    uses_output = True

    def forward(self, a):
        a = as_floating(a)
        return a.dtype.type(1) / self.xp.sqrt(a)   # rsqrt(0) is inf, silently

    def backward(self, grad):
        r = self.output()
        return grad * (r * r * r * -0.5)


@register("rsqrt")
def rsqrt(input: Tensor) -> Tensor:
    """1 / √input, elementwise"""
    return Rsqrt.apply(input)


class Lerp(Function):
    """f(a, b, w) = a + w·(b - a);  df/da = 1 - w, df/db = w, df/dw = b - a"""

    def forward(self, start, end, weight):
        return broadcasting(self._line, start, end, weight)

    def _line(self, a, b, w):
        # PyTorch's two forms: from the nearer end, so that weight 1 gives exactly `end`
        return self.xp.where(self.xp.abs(w) < 0.5, a + w * (b - a), b - (b - a) * (1 - w))

    def backward(self, grad):
        start, end, weight = self.inputs
        return (grad * (1.0 - weight) if self.needs_input_grad[0] else None,
                grad * weight if self.needs_input_grad[1] else None,
                grad * (end - start) if self.needs_input_grad[2] else None)


@register("lerp")
def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """input + weight·(end - input), broadcast: weight 0 gives input, weight 1 gives end"""
    if not isinstance(end, Tensor):
        raise TypeError(f"lerp: end must be a Tensor, got {type(end).__name__}")
    if not backend.is_floating(input.dtype):
        raise DTypeError(f"lerp: needs floating-point tensors, got {input.dtype}")
    for name, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t.dtype != input.dtype:   # PyTorch promotes none of them
            raise DTypeError(f"lerp: expected dtype {input.dtype} for `{name}` but got dtype {t.dtype}")
    if not isinstance(weight, Tensor):
        weight = Tensor._make(input.xp.asarray(weight, dtype=input.dtype), input._device, False, None)
    return Lerp.apply(input, end, weight)


def sign_of(xp, a):
    """-1, 0 or 1 for each element, as PyTorch's sign: 0 for NaN (NumPy gives NaN), and a bool
    array stays bool."""
    if a.dtype.kind == "b":
        return a.copy()
    s = xp.sign(a)
    return xp.where(xp.isnan(s), s.dtype.type(0), s) if s.dtype.kind == "f" else s


class Sign(Function):
    """f(a) = -1, 0 or 1 (0 for NaN, as in PyTorch);  df/da = 0

    Its derivative is zero wherever it exists: no learning signal passes through sign()."""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((),)

    def forward(self, a):
        return sign_of(self.xp, a)

    def backward(self, grad):
        return self.constant(self.xp.zeros(grad.shape, dtype=grad.dtype))


@register("sign")
def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of each element; differentiable, with gradient zero"""
    return Sign.apply(input)


class Abs(Function):
    """f(a) = |a|;  df/da = sign(a) (0 at 0 and at NaN, as in PyTorch)

    The gradient is grad · sign(a), as in PyTorch: at a = 0 an infinite gradient gives nan there."""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it

    def forward(self, a):
        return self.xp.abs(a)

    def backward(self, grad):
        a = self.inputs[0].array
        return grad * self.constant(sign_of(self.xp, a))


@register("square")
def square(input: Tensor) -> Tensor:
    """input · input (int64 for a bool tensor, as PyTorch's input ** 2)"""
    if input.dtype == backend.bool_:
        input = input.to(backend.int64)
    return input * input


@register("abs", operators=("__abs__",))
def abs(input: Tensor) -> Tensor:
    """|input|, elementwise"""
    return Abs.apply(input)


def _split_between(fn: Function, grad: Tensor, a_loses: Any, b_loses: Any) -> tuple[Tensor | None, Tensor | None]:
    """maximum's and minimum's backward, as PyTorch's: grad, halved where a == b, to each input
    except where it loses (a NaN loses nowhere: both inputs get the whole gradient there)."""
    zero = fn.constant(fn.xp.zeros((), dtype=grad.dtype))
    a, b = fn.inputs[0].array, fn.inputs[1].array
    shared = Where.apply(MulScalar.apply(grad, scalar=0.5), grad, condition=a == b)
    return (Where.apply(zero, shared, condition=a_loses) if fn.needs_input_grad[0] else None,
            Where.apply(zero, shared, condition=b_loses) if fn.needs_input_grad[1] else None)


class Maximum(Function):
    """f(a, b) = max(a, b);  the gradient goes to the larger input, split in half on ties"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it

    def forward(self, a, b):
        try:
            return self.xp.maximum(a, b)
        except ValueError as e:
            raise shape_error_or(e, a, b) from e

    def backward(self, grad):
        a, b = self.inputs[0].array, self.inputs[1].array
        return _split_between(self, grad, a < b, a > b)


@register("maximum")
def maximum(input: Tensor, other: Any) -> Tensor:
    """The larger of input and other, elementwise (broadcast)"""
    return Maximum.apply(*input._operand(other, "maximum"))


class Minimum(Function):
    """f(a, b) = min(a, b);  the gradient goes to the smaller input, split in half on ties"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it

    def forward(self, a, b):
        try:
            return self.xp.minimum(a, b)
        except ValueError as e:
            raise shape_error_or(e, a, b) from e

    def backward(self, grad):
        a, b = self.inputs[0].array, self.inputs[1].array
        return _split_between(self, grad, a > b, a < b)


@register("minimum")
def minimum(input: Tensor, other: Any) -> Tensor:
    """The smaller of input and other, elementwise (broadcast)"""
    return Minimum.apply(*input._operand(other, "minimum"))


class Clamp(Function):
    """f(a) = min(max(a, low), high);  df/da = 1 where low <= a <= high, else 0"""

    def forward(self, a, low, high):
        self.low, self.high = low, high
        return self.xp.clip(a, low, high)

    def backward(self, grad):
        a = self.inputs[0].array
        inside = self.xp.ones(a.shape, dtype=bool)
        if self.low is not None:
            inside &= a >= self.low
        if self.high is not None:
            inside &= a <= self.high
        return Where.apply(grad, self.constant(self.xp.zeros((), dtype=grad.dtype)), condition=inside)


@register("clamp", aliases=("clip",))
def clamp(input: Tensor, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    """input limited to [min, max] (either bound may be left out)

    The bounds promote the dtype as in PyTorch: an integer tensor with a float bound gives float32."""
    if min is None and max is None:
        raise ValueError("clamp: give at least one of min and max")
    dtype = input.dtype
    for bound in (min, max):
        if bound is not None:
            dtype = backend.scalar_result_dtype(dtype, bound)
    if dtype != input.dtype:
        input = input.to(dtype)
    return Clamp.apply(input, low=min, high=max)


class Where(Function):
    """f(a, b) = a where condition else b;  df/da = condition, df/db = not condition"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((), ())

    def forward(self, a, b, condition):
        self.condition = condition
        try:
            return self.xp.where(condition, a, b)
        except ValueError as e:
            raise shape_error_or(e, condition, a, b) from e

    def backward(self, grad):
        zero = self.constant(self.xp.zeros((), dtype=grad.dtype))
        return (Where.apply(grad, zero, condition=self.condition) if self.needs_input_grad[0] else None,
                Where.apply(zero, grad, condition=self.condition) if self.needs_input_grad[1] else None)


def _where_method(self: Tensor, condition: Any, other: Any) -> Tensor:
    """`x.where(condition, y)`: x where condition holds, else y (PyTorch's argument order for the method)"""
    return where(condition, self, other)


@register("where", method=_where_method)
def where(condition: Any, a: Any, b: Any) -> Tensor:
    """a where condition holds, else b, broadcasting all three (as a method: self where condition, else other)"""
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        if not isinstance(condition, Tensor):
            raise TypeError("where: give the condition or one of the values as a Tensor")
        a = Tensor(a, device=condition.device)   # two plain numbers: like torch.where(c, 1.0, 0.0)
    ref = a if isinstance(a, Tensor) else b
    if not isinstance(condition, Tensor):
        condition = Tensor(condition, device=ref.device)
    if condition.dtype != backend.bool_:
        raise TypeError(f"where: the condition must be a bool tensor, got {condition.dtype}")
    if condition.device != ref.device:
        raise RuntimeError(f"where: condition is on {condition.device} but the values are on {ref.device}")
    if isinstance(a, Tensor):
        a, b = a._operand(b, "where")
    else:
        b, a = b._operand(a, "where")
    return Where.apply(a, b, condition=condition.array)


class Erf(Function):
    """f(a) = erf(a);  df/da = 2/√π · e^(-a²)"""

    def forward(self, a):
        return backend.erf(as_floating(a))

    def backward(self, grad):
        a = self.inputs[0]
        return grad * (1.1283791670955126 * (-(a * a)).exp())


@register("erf")
def erf(input: Tensor) -> Tensor:
    """The Gauss error function, elementwise"""
    return Erf.apply(input)


class Erfc(Function):
    """f(a) = erfc(a) = 1 - erf(a);  df/da = -2/√π · e^(-a²)"""

    def forward(self, a):
        return backend.erfc(as_floating(a))

    def backward(self, grad):
        a = self.inputs[0]
        return grad * (-1.1283791670955126 * (-(a * a)).exp())


@register("erfc")
def erfc(input: Tensor) -> Tensor:
    """The complementary error function 1 - erf, elementwise, exact where erf is near 1"""
    return Erfc.apply(input)
