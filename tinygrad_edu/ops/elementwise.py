"""Elementwise operations: each output element depends on the matching input elements only.

Binary ops broadcast like NumPy. Their backward returns gradients in the broadcast shape;
the engine (`autograd.propagate`) sums them back to each input's own shape.

Each op is a Function (forward and backward side by side) followed by its public function,
declared with `@register`: that declaration makes the Tensor method, the operator and `tg.*`.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor


def as_floating(a):
    """Integer and bool arrays become the default float first, so exp, log and friends give
    float32 for integer input, as in PyTorch (NumPy would give float64)."""
    return a if a.dtype.kind == "f" else a.astype(backend.DEFAULT_FLOAT)


class Add(Function):
    """f(a, b) = a + b;  df/da = 1, df/db = 1"""

    def forward(self, a, b):
        return a + b

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

    def forward(self, a, b):
        return a - b

    def backward(self, grad):
        return grad, (-grad if self.needs_input_grad[1] else None)


@register("sub", aliases=("subtract",), operators=("__sub__",))
def sub(input: Tensor, other: Any) -> Tensor:
    """input - other, broadcast, with PyTorch's type promotion"""
    if input._keeps_dtype(other):
        return AddScalar.apply(input, scalar=-other)
    return Sub.apply(*input._operand(other, "sub"))


@register("rsub", method=False, operators=("__rsub__",))
def rsub(input: Tensor, other: Any) -> Tensor:
    """other - input (what `2 - x` runs)"""
    a, b = input._operand(other, "sub")
    return Sub.apply(b, a)


class Mul(Function):
    """f(a, b) = a * b;  df/da = b, df/db = a"""

    def forward(self, a, b):
        return a * b

    def backward(self, grad):
        a, b = self.inputs
        return (grad * b if self.needs_input_grad[0] else None,
                grad * a if self.needs_input_grad[1] else None)


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

    def forward(self, a, scalar):
        return a + scalar

    def backward(self, grad):
        return grad


class MulScalar(Function):
    """f(a) = c·a for a Python number c;  df/da = c"""

    def forward(self, a, scalar):
        self.scalar = scalar
        return a * scalar

    def backward(self, grad):
        return MulScalar.apply(grad, scalar=self.scalar)


class Div(Function):
    """f(a, b) = a / b;  df/da = 1/b, df/db = -a/b²"""

    def forward(self, a, b):
        with backend.ieee_quietly(self.xp):   # x/0 is inf (or nan), silently, as in PyTorch
            return a / b

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

    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad


@register("neg", aliases=("negative",), operators=("__neg__",))
def neg(input: Tensor) -> Tensor:
    """-input"""
    return Neg.apply(input)


class PowScalar(Function):
    """f(a) = a^p for a number p;  df/da = p·a^(p-1)"""

    def forward(self, a, exponent):
        self.exponent = exponent
        dtype = backend.scalar_result_dtype(a.dtype, exponent)   # int tensor ** 0.5 is float32
        with backend.ieee_quietly(self.xp):
            return a.astype(dtype, copy=False) ** self.xp.asarray(exponent, dtype=dtype)

    def backward(self, grad):
        a, = self.inputs
        p = self.exponent
        if p == 0:
            return grad * 0.0
        return grad * (p * a ** (p - 1) if p != 2 else 2.0 * a)


class Pow(Function):
    """f(a, b) = a^b;  df/da = b·a^(b-1), df/db = a^b·ln(a) (taken as 0 where a <= 0)"""
    uses_output = True

    def forward(self, a, b):
        with backend.ieee_quietly(self.xp):
            return a ** b

    def backward(self, grad):
        a, b = self.inputs
        grad_a = grad * b * a ** (b - 1.0) if self.needs_input_grad[0] else None
        grad_b = None
        if self.needs_input_grad[1]:
            positive = a.data > 0
            log_a = where(self.constant(positive), a, 1.0).log()   # ln(a) only where it exists
            grad_b = where(self.constant(positive), grad * self.output() * log_a, 0.0)
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
    uses_output = True

    def forward(self, a):
        return self.xp.exp(as_floating(a))

    def backward(self, grad):
        return grad * self.output()


@register("exp")
def exp(input: Tensor) -> Tensor:
    """e^input, elementwise"""
    return Exp.apply(input)


class Log(Function):
    """f(a) = ln(a);  df/da = 1/a"""

    def forward(self, a):
        with backend.ieee_quietly(self.xp):   # log(0) is -inf, log(-1) nan, silently
            return self.xp.log(as_floating(a))

    def backward(self, grad):
        return grad / self.inputs[0]


@register("log")
def log(input: Tensor) -> Tensor:
    """the natural logarithm, elementwise"""
    return Log.apply(input)


class Sqrt(Function):
    """f(a) = √a;  df/da = 1/(2√a)"""
    uses_output = True

    def forward(self, a):
        with backend.ieee_quietly(self.xp):
            return self.xp.sqrt(as_floating(a))

    def backward(self, grad):
        return grad / (2.0 * self.output())


@register("sqrt")
def sqrt(input: Tensor) -> Tensor:
    """the square root, elementwise"""
    return Sqrt.apply(input)


class Abs(Function):
    """f(a) = |a|;  df/da = sign(a) (0 at 0, as in PyTorch)"""

    def forward(self, a):
        return self.xp.abs(a)

    def backward(self, grad):
        a = self.inputs[0].data
        return grad * self.constant(self.xp.sign(a))


@register("square")
def square(input: Tensor) -> Tensor:
    """input · input"""
    return input * input


@register("abs", operators=("__abs__",))
def abs(input: Tensor) -> Tensor:
    """|input|, elementwise"""
    return Abs.apply(input)


class Maximum(Function):
    """f(a, b) = max(a, b);  the gradient goes to the larger input, split in half on ties"""

    def forward(self, a, b):
        return self.xp.maximum(a, b)

    def backward(self, grad):
        a, b = self.inputs[0].data, self.inputs[1].data
        share_a = (a > b) + 0.5 * (a == b)
        return grad * self.constant(share_a.astype(a.dtype)), grad * self.constant((1 - share_a).astype(a.dtype))


@register("maximum")
def maximum(input: Tensor, other: Any) -> Tensor:
    """The larger of input and other, elementwise (broadcast)"""
    return Maximum.apply(*input._operand(other, "maximum"))


class Minimum(Function):
    """f(a, b) = min(a, b);  the gradient goes to the smaller input, split in half on ties"""

    def forward(self, a, b):
        return self.xp.minimum(a, b)

    def backward(self, grad):
        a, b = self.inputs[0].data, self.inputs[1].data
        share_a = (a < b) + 0.5 * (a == b)
        return grad * self.constant(share_a.astype(a.dtype)), grad * self.constant((1 - share_a).astype(a.dtype))


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
        a = self.inputs[0].data
        inside = self.xp.ones(a.shape, dtype=bool)
        if self.low is not None:
            inside &= a >= self.low
        if self.high is not None:
            inside &= a <= self.high
        return grad * self.constant(inside.astype(a.dtype))


@register("clamp", aliases=("clip",))
def clamp(input: Tensor, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    """input limited to [min, max] (either bound may be left out)"""
    if min is None and max is None:
        raise ValueError("clamp: give at least one of min and max")
    return Clamp.apply(input, low=min, high=max)


class Where(Function):
    """f(a, b) = a where condition else b;  df/da = condition, df/db = not condition"""

    def forward(self, a, b, condition):
        self.condition = condition
        return self.xp.where(condition, a, b)

    def backward(self, grad):
        zero = self.constant(self.xp.zeros((), dtype=grad.dtype))
        return (Where.apply(grad, zero, condition=self.condition) if self.needs_input_grad[0] else None,
                Where.apply(zero, grad, condition=self.condition) if self.needs_input_grad[1] else None)


@register("where", method=lambda self, condition, other: where(condition, self, other))
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
    return Where.apply(a, b, condition=condition.data)


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


@register("dropout", kind="functional")
def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: in training, zero each element with probability p and scale the rest
    by 1/(1 - p), so the expected value stays x and evaluation needs no rescaling.

    y = x·mask/(1 - p) with mask ~ Bernoulli(1 - p);  dy/dx = mask/(1 - p)
    """
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
        raise ValueError(f"dropout: probability p must be between 0 and 1, got {p!r}")
    if not training or p == 0:
        return x
    if not backend.is_floating(x.dtype):
        raise TypeError(f"dropout: needs a floating-point tensor, got {x.dtype}")
    if p == 1:
        return x * 0.0
    # The mask is drawn on the host from the one seeded generator, so tg.manual_seed
    # gives the same mask on every device.
    keep = backend.random_generator().random(x.shape) >= p
    scale = keep.astype(x.dtype) * x.dtype.type(1 / (1 - p))
    return x * Tensor._make(backend.to_device(scale, x.device), x.device, False, None)
