"""Trigonometric and hyperbolic functions, and their inverses.

Each op is a Function whose docstring gives its derivative, and whose backward is written with
Tensor ops (so gradients of gradients work). Integer and bool input gives float32, as in
PyTorch; outside an inverse function's domain (asin(2), acosh(0)) the result is nan, silently.
PyTorch's NumPy-style names (arcsin, arctan2, ...) are aliases.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu.autograd import Function
from tinygrad_edu.ops.elementwise import as_floating, broadcasting
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor


class Sin(Function):
    """f(x) = sin x;  df/dx = cos x"""

    def forward(self, x):
        return self.xp.sin(as_floating(x))   # sin(inf) is nan, silently

    def backward(self, grad):
        return grad * self.inputs[0].cos()


@register("sin")
def sin(input: Tensor) -> Tensor:
    """The sine, elementwise (input in radians)"""
    return Sin.apply(input)


class Cos(Function):
    """f(x) = cos x;  df/dx = -sin x"""

    def forward(self, x):
        return self.xp.cos(as_floating(x))

    def backward(self, grad):
        return grad * -self.inputs[0].sin()


@register("cos")
def cos(input: Tensor) -> Tensor:
    """The cosine, elementwise (input in radians)"""
    return Cos.apply(input)


class Tan(Function):
    """f(x) = tan x;  df/dx = 1 + tan² x (read from the output)"""
    reads = ((),)
    uses_output = True

    def forward(self, x):
        return self.xp.tan(as_floating(x))

    def backward(self, grad):
        t = self.output()
        return grad * (1.0 + t * t)


@register("tan")
def tan(input: Tensor) -> Tensor:
    """The tangent, elementwise (input in radians)"""
    return Tan.apply(input)


class Asin(Function):
    """f(x) = arcsin x;  df/dx = 1/√(1 - x²)"""

    def forward(self, x):
        return self.xp.arcsin(as_floating(x))   # |x| > 1 is nan, silently

    def backward(self, grad):
        x = self.inputs[0]
        return grad / (1.0 - x * x).sqrt()


@register("asin", aliases=("arcsin",))
def asin(input: Tensor) -> Tensor:
    """The inverse sine, elementwise (nan outside [-1, 1])"""
    return Asin.apply(input)


class Acos(Function):
    """f(x) = arccos x;  df/dx = -1/√(1 - x²)"""

    def forward(self, x):
        return self.xp.arccos(as_floating(x))

    def backward(self, grad):
        x = self.inputs[0]
        return -grad / (1.0 - x * x).sqrt()


@register("acos", aliases=("arccos",))
def acos(input: Tensor) -> Tensor:
    """The inverse cosine, elementwise (nan outside [-1, 1])"""
    return Acos.apply(input)


class Atan(Function):
    """f(x) = arctan x;  df/dx = 1/(1 + x²)"""

    def forward(self, x):
        return self.xp.arctan(as_floating(x))

    def backward(self, grad):
        x = self.inputs[0]
        return grad / (1.0 + x * x)


@register("atan", aliases=("arctan",))
def atan(input: Tensor) -> Tensor:
    """The inverse tangent, elementwise"""
    return Atan.apply(input)


class Atan2(Function):
    """f(y, x) = the angle of the point (x, y);  df/dy = x/(x² + y²), df/dx = -y/(x² + y²)"""

    def forward(self, y, x):
        return broadcasting(self.xp.arctan2, y, x)

    def backward(self, grad):
        y, x = self.inputs
        scaled = grad / (x * x + y * y)
        return (scaled * x if self.needs_input_grad[0] else None,
                scaled * -y if self.needs_input_grad[1] else None)


@register("atan2", aliases=("arctan2",))
def atan2(input: Tensor, other: Any) -> Tensor:
    """The angle of the point (other, input) in (-π, π], elementwise, broadcast"""
    y, x = input._operand(other, "atan2")
    if y.dtype.kind != "f":   # integers give the default float, as in PyTorch
        y, x = y.float(), x.float()
    return Atan2.apply(y, x)


class Sinh(Function):
    """f(x) = sinh x;  df/dx = cosh x"""

    def forward(self, x):
        return self.xp.sinh(as_floating(x))   # sinh(1000) is inf, silently

    def backward(self, grad):
        return grad * self.inputs[0].cosh()


@register("sinh")
def sinh(input: Tensor) -> Tensor:
    """The hyperbolic sine, elementwise"""
    return Sinh.apply(input)


class Cosh(Function):
    """f(x) = cosh x;  df/dx = sinh x"""

    def forward(self, x):
        return self.xp.cosh(as_floating(x))

    def backward(self, grad):
        return grad * self.inputs[0].sinh()


@register("cosh")
def cosh(input: Tensor) -> Tensor:
    """The hyperbolic cosine, elementwise"""
    return Cosh.apply(input)


class Asinh(Function):
    """f(x) = arsinh x;  df/dx = 1/√(x² + 1)"""

    def forward(self, x):
        return self.xp.arcsinh(as_floating(x))

    def backward(self, grad):
        x = self.inputs[0]
        return grad / (x * x + 1.0).sqrt()


@register("asinh", aliases=("arcsinh",))
def asinh(input: Tensor) -> Tensor:
    """The inverse hyperbolic sine, elementwise"""
    return Asinh.apply(input)


class Acosh(Function):
    """f(x) = arcosh x;  df/dx = 1/√(x² - 1)"""

    def forward(self, x):
        return self.xp.arccosh(as_floating(x))   # x < 1 is nan, silently

    def backward(self, grad):
        x = self.inputs[0]
        return grad / (x * x - 1.0).sqrt()


@register("acosh", aliases=("arccosh",))
def acosh(input: Tensor) -> Tensor:
    """The inverse hyperbolic cosine, elementwise (nan below 1)"""
    return Acosh.apply(input)


class Atanh(Function):
    """f(x) = artanh x;  df/dx = 1/(1 - x²)"""

    def forward(self, x):
        return self.xp.arctanh(as_floating(x))   # ±1 is ±inf, |x| > 1 nan, silently

    def backward(self, grad):
        x = self.inputs[0]
        return grad / (1.0 - x * x)


@register("atanh", aliases=("arctanh",))
def atanh(input: Tensor) -> Tensor:
    """The inverse hyperbolic tangent, elementwise (nan outside [-1, 1])"""
    return Atanh.apply(input)
