"""Elementwise operations: each output element depends on the matching input elements only.

Binary ops broadcast like NumPy. Their backward returns gradients in the broadcast shape;
the engine (`autograd.run_backward`) sums them back to each input's own shape.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
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


class Sub(Function):
    """f(a, b) = a - b;  df/da = 1, df/db = -1"""

    def forward(self, a, b):
        return a - b

    def backward(self, grad):
        return grad, (-grad if self.needs_input_grad[1] else None)


class Mul(Function):
    """f(a, b) = a * b;  df/da = b, df/db = a"""

    def forward(self, a, b):
        return a * b

    def backward(self, grad):
        a, b = self.inputs
        return (grad * b if self.needs_input_grad[0] else None,
                grad * a if self.needs_input_grad[1] else None)


class AddScalar(Function):
    """f(a) = a + c for a Python number c;  df/da = 1"""

    # The number is an option rather than a tensor, which saves wrapping it on every use;
    # to the user it is still an addition.
    @classmethod
    def op_name(cls) -> str:
        return "add"

    def name(self) -> str:
        return "AddBackward"

    def forward(self, a, scalar):
        return a + scalar

    def backward(self, grad):
        return grad


class MulScalar(Function):
    """f(a) = c·a for a Python number c;  df/da = c"""

    @classmethod
    def op_name(cls) -> str:
        return "mul"

    def name(self) -> str:
        return "MulBackward"

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


class Neg(Function):
    """f(a) = -a;  df/da = -1"""

    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad


class PowScalar(Function):
    """f(a) = a^p for a number p;  df/da = p·a^(p-1)"""

    @classmethod
    def op_name(cls) -> str:
        return "pow"

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


class Exp(Function):
    """f(a) = e^a;  df/da = e^a (the output itself)"""
    uses_output = True

    def forward(self, a):
        return self.xp.exp(as_floating(a))

    def backward(self, grad):
        return grad * self.output()


class Log(Function):
    """f(a) = ln(a);  df/da = 1/a"""

    def forward(self, a):
        with backend.ieee_quietly(self.xp):   # log(0) is -inf, log(-1) nan, silently
            return self.xp.log(as_floating(a))

    def backward(self, grad):
        return grad / self.inputs[0]


class Sqrt(Function):
    """f(a) = √a;  df/da = 1/(2√a)"""
    uses_output = True

    def forward(self, a):
        with backend.ieee_quietly(self.xp):
            return self.xp.sqrt(as_floating(a))

    def backward(self, grad):
        return grad / (2.0 * self.output())


class Abs(Function):
    """f(a) = |a|;  df/da = sign(a) (0 at 0, as in PyTorch)"""

    def forward(self, a):
        return self.xp.abs(a)

    def backward(self, grad):
        a = self.inputs[0].data
        return grad * self.constant(self.xp.sign(a))


class Maximum(Function):
    """f(a, b) = max(a, b);  the gradient goes to the larger input, split in half on ties"""

    def forward(self, a, b):
        return self.xp.maximum(a, b)

    def backward(self, grad):
        a, b = self.inputs[0].data, self.inputs[1].data
        share_a = (a > b) + 0.5 * (a == b)
        return grad * self.constant(share_a.astype(a.dtype)), grad * self.constant((1 - share_a).astype(a.dtype))


class Minimum(Function):
    """f(a, b) = min(a, b);  the gradient goes to the smaller input, split in half on ties"""

    def forward(self, a, b):
        return self.xp.minimum(a, b)

    def backward(self, grad):
        a, b = self.inputs[0].data, self.inputs[1].data
        share_a = (a < b) + 0.5 * (a == b)
        return grad * self.constant(share_a.astype(a.dtype)), grad * self.constant((1 - share_a).astype(a.dtype))


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


class Where(Function):
    """f(a, b) = a where condition else b;  df/da = condition, df/db = not condition"""

    def forward(self, a, b, condition):
        self.condition = condition
        return self.xp.where(condition, a, b)

    def backward(self, grad):
        zero = self.constant(self.xp.zeros((), dtype=grad.dtype))
        return (Where.apply(grad, zero, condition=self.condition) if self.needs_input_grad[0] else None,
                Where.apply(zero, grad, condition=self.condition) if self.needs_input_grad[1] else None)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Pick from `a` where `condition` holds and from `b` elsewhere (broadcasting all three)."""
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


class Cast(Function):
    """f(a) = a converted to another dtype;  the gradient is converted back"""

    def forward(self, a, dtype):
        return a.astype(dtype)

    def backward(self, grad):
        return grad.to(self.inputs[0].dtype)


class Clone(Function):
    """f(a) = a copied;  df/da = 1"""

    def forward(self, a):
        return a.copy()

    def backward(self, grad):
        return grad


class Erf(Function):
    """f(a) = erf(a);  df/da = 2/√π · e^(-a²)"""

    def forward(self, a):
        return backend.erf(as_floating(a))

    def backward(self, grad):
        a = self.inputs[0]
        return grad * (1.1283791670955126 * (-(a * a)).exp())
