"""Activation functions: what a neuron does with its weighted sum.

The article's three (step, sigmoid, ReLU) come first; then the smooth relatives modern
networks use. The step function fires or stays silent, so its derivative is zero everywhere
it exists: gradient descent gets no signal through it, which is why training uses smooth
activations such as the sigmoid instead.

Each activation is declared once, with `@register(..., kind="activation", module=...)`: that
makes `x.relu()`, `tg.relu`, `F.relu` and the `nn.ReLU` module (see ops/registry.py).
"""
from __future__ import annotations

import math
import warnings

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
from tinygrad_edu.errors import DTypeError
from tinygrad_edu.ops.elementwise import Erf, as_floating, where
from tinygrad_edu.ops.inplace import in_place
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.shapes import wrap_dim
from tinygrad_edu.tensor import Tensor


def _floating_only(op: str, input: Tensor) -> None:
    if not backend.is_floating(input.dtype):
        raise DTypeError(f"{op}: only implemented for floating-point tensors, got {input.dtype}")


class Step(Function):
    """f(x) = 1 if x > 0 else 0 (Heaviside);  df/dx = 0 (no learning signal passes through)"""
    reads = ((),)

    def forward(self, x):
        return (x > 0).astype(x.dtype)

    def backward(self, grad):
        # zeros, not grad · 0: an infinite gradient must give 0 too, not nan
        return self.constant(self.xp.zeros(grad.shape, dtype=grad.dtype))


@register("step", kind="activation", module="Step")
def step(input: Tensor) -> Tensor:
    """1 where input > 0, else 0 (the article's first neuron); it has no useful gradient"""
    return Step.apply(input)


class Sigmoid(Function):
    """f(x) = 1 / (1 + e^-x);  df/dx = f(x)·(1 - f(x))"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((),)
    uses_output = True

    def forward(self, x):
        # e^-x overflows for x = -1000; backend.sigmoid is written so that it never does.
        return backend.sigmoid(as_floating(x))

    def backward(self, grad):
        return SigmoidGrad.apply(grad, self.output())


def _sigmoid_grad(grad, s):
    return grad * s * (1 - s)


def _tanh_grad(grad, t):
    return grad * (1 - t * t)


class SigmoidGrad(Function):
    """f(g, s) = g·s·(1 - s);  df/dg = s·(1 - s), df/ds = g·(1 - 2s)

    Sigmoid's backward as one op: one step instead of the plain `grad * s * (1.0 - s)` made of
    three recorded ops (tests/test_fast_paths.py compares the two), and still differentiable."""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it

    def forward(self, grad, s):
        # an infinite grad where s is 0 or 1 gives nan, silently, as in PyTorch
        return _sigmoid_grad(grad, s)

    def backward(self, grad2):
        grad, s = self.inputs
        return (grad2 * s * (1.0 - s) if self.needs_input_grad[0] else None,
                grad2 * grad * (1.0 - 2.0 * s) if self.needs_input_grad[1] else None)


@register("sigmoid", kind="activation", module="Sigmoid")
def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + e^-input), stable for any input"""
    return Sigmoid.apply(input)


class ReLU(Function):
    """f(x) = max(x, 0);  df/dx = 1 where x > 0, else 0"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    # The mask is read from the output (f(x) > 0 exactly where x > 0), so relu_() can overwrite
    # its input and backward still has what it needs.
    uses_output = True
    reads = ((),)

    def forward(self, x):
        return self.xp.maximum(x, 0)

    def backward(self, grad):
        return ReLUGrad.apply(grad, self.output())


class ReLUGrad(Function):
    """f(g, x) = g where x > 0 else 0;  df/dg = 1 where x > 0 else 0, df/dx = 0

    ReLU's backward as one op, which multiplies by the boolean mask without making a float one
    (the plain form is `grad * (x > 0).float()`; tests/test_fast_paths.py compares the two)."""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it

    reads = ((1,), ())

    def forward(self, grad, x):
        mask = x > 0
        out = grad * mask   # twice as fast as where(mask, grad, 0), and the same for finite grads
        if self.xp.isnan(out).any():   # inf · 0 = nan where x <= 0: there the gradient must be 0
            out = self.xp.where(mask, grad, 0)
        return out

    def backward(self, grad2):
        return ReLUGrad.apply(grad2, self.inputs[1]), None


@register("relu", kind="activation", module="ReLU")
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(input, 0)"""
    if inplace:
        return in_place(input, "relu", relu)
    return ReLU.apply(input)


class LeakyReLU(Function):
    """f(x) = x if x > 0 else slope·x;  df/dx = 1 or slope"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it

    def forward(self, x, negative_slope):
        self.slope = negative_slope
        return self.xp.where(x > 0, x, x * negative_slope)

    def backward(self, grad):
        positive = self.constant(self.inputs[0].array > 0)
        return where(positive, grad, grad * self.slope)


@register("leaky_relu", kind="activation", module="LeakyReLU")
def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """input where input > 0, else negative_slope·input"""
    if inplace:
        return in_place(input, "leaky_relu", lambda t: leaky_relu(t, negative_slope))
    return LeakyReLU.apply(input, negative_slope=negative_slope)


class Tanh(Function):
    """f(x) = tanh(x);  df/dx = 1 - f(x)²"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((),)
    uses_output = True

    def forward(self, x):
        return self.xp.tanh(as_floating(x))

    def backward(self, grad):
        return TanhGrad.apply(grad, self.output())


class TanhGrad(Function):
    """f(g, t) = g·(1 - t²);  df/dg = 1 - t², df/dt = -2·g·t

    Tanh's backward as one op: one step instead of the plain `grad * (1.0 - t * t)` made of
    three recorded ops (tests/test_fast_paths.py compares the two), and still differentiable."""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it

    def forward(self, grad, t):
        return _tanh_grad(grad, t)

    def backward(self, grad2):
        grad, t = self.inputs
        return (grad2 * (1.0 - t * t) if self.needs_input_grad[0] else None,
                grad2 * grad * t * -2.0 if self.needs_input_grad[1] else None)


@register("tanh", kind="activation", module="Tanh")
def tanh(input: Tensor) -> Tensor:
    """tanh(input): like the sigmoid, but from -1 to 1"""
    return Tanh.apply(input)


def _softmax_dim(dim: int, ndim: int, op: str) -> int | None:
    """`dim` checked as PyTorch does (a 0-d tensor accepts 0 and -1); None means the only element."""
    dim = wrap_dim(dim, ndim, op)
    return dim if ndim else None


def _given_or_implicit_dim(dim: int | None, ndim: int, op: str) -> int:
    """PyTorch's old rule when no dim is given: dim 0 for 0-, 1- and 3-D input, else dim 1."""
    if dim is not None:
        return dim
    implicit = 0 if ndim in (0, 1, 3) else 1
    warnings.warn(f"{op}: no dim was given, so dim {implicit} was chosen as PyTorch does; pass dim= "
                  f"explicitly", UserWarning, stacklevel=3)
    return implicit


class Softmax(Function):
    """f(x)_i = e^x_i / Σ_j e^x_j;  the vector-Jacobian product is f·(g - Σ g·f)"""
    reads = ((),)
    uses_output = True

    def forward(self, x, dim):
        self.dim = dim = _softmax_dim(dim, x.ndim, "softmax")
        x = as_floating(x)
        if x.size == 0:   # nothing to normalize: an empty result, as in PyTorch (max() would fail)
            return x.copy()
        # a row holding inf gives nan, silently
        e = self.xp.exp(x - x.max(axis=dim, keepdims=True))   # shifting by the max avoids overflow
        return e / e.sum(axis=dim, keepdims=True)

    def backward(self, grad):
        out = self.output()
        return out * (grad - (grad * out).sum(dim=self.dim, keepdim=True))


@register("softmax", kind="activation", module="Softmax")
def softmax(input: Tensor, dim: int | None = None) -> Tensor:
    """e^x_i / Σ_j e^x_j along dim: scores into probabilities that sum to 1"""
    return Softmax.apply(input, dim=_given_or_implicit_dim(dim, input.ndim, "softmax"))


class LogSoftmax(Function):
    """f(x)_i = x_i - log Σ_j e^x_j;  the vector-Jacobian product is g - softmax(x)·Σ g"""
    reads = ((),)
    uses_output = True

    def forward(self, x, dim):
        self.dim = dim = _softmax_dim(dim, x.ndim, "log_softmax")
        x = as_floating(x)
        if x.size == 0:
            return x.copy()
        shifted = x - x.max(axis=dim, keepdims=True)
        return shifted - self.xp.log(self.xp.exp(shifted).sum(axis=dim, keepdims=True))

    def backward(self, grad):
        return LogSoftmaxGrad.apply(grad, self.output(), dim=self.dim)


class LogSoftmaxGrad(Function):
    """f(g, y) = g - e^y·Σ g (the sum along dim);  df/dg = u - Σ u·e^y, df/dy = -u·e^y·Σ g
    for the upstream gradient u

    LogSoftmax's backward as one op instead of the four recorded ops of its formula
    (tests/test_fast_paths.py compares the two), and still differentiable."""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it

    def forward(self, grad, y, dim):
        self.dim = dim
        return grad - self.xp.exp(y) * grad.sum(axis=dim, keepdims=True)

    def backward(self, upstream):
        grad, y = self.inputs
        p = y.exp()
        return (upstream - (upstream * p).sum(dim=self.dim, keepdim=True) if self.needs_input_grad[0] else None,
                -upstream * p * grad.sum(dim=self.dim, keepdim=True) if self.needs_input_grad[1] else None)


@register("log_softmax", kind="activation", module="LogSoftmax")
def log_softmax(input: Tensor, dim: int | None = None) -> Tensor:
    """log(softmax(input)) along dim, computed without overflow"""
    return LogSoftmax.apply(input, dim=_given_or_implicit_dim(dim, input.ndim, "log_softmax"))


class Softplus(Function):
    """f(x) = log(1 + e^(βx))/β (x itself where βx > threshold);  df/dx = sigmoid(βx)"""

    def forward(self, x, beta, threshold):
        self.beta, self.threshold = beta, threshold
        x = as_floating(x)
        z = x * beta
        smooth = (self.xp.maximum(z, 0) + self.xp.log1p(self.xp.exp(-self.xp.abs(z)))) / beta
        return self.xp.where(z > threshold, x, smooth)

    def backward(self, grad):
        x = self.inputs[0]
        linear = self.constant(x.array * self.beta > self.threshold)
        return where(linear, grad, grad * (x * self.beta).sigmoid())


@register("softplus", kind="activation", module="Softplus")
def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(β·input))/β, a smooth ReLU"""
    return Softplus.apply(input, beta=beta, threshold=threshold)


class ELU(Function):
    """f(x) = s·x if x > 0 else s·α(e^(k·x) - 1);  df/dx = s if x > 0 else k·(f(x) + s·α)

    s (scale) and k (input_scale) are 1 for elu; selu and celu are this op with other constants,
    as in PyTorch, so that each is one node (which `inplace=True` needs)."""
    uses_output = True

    def forward(self, x, alpha, scale=1.0, input_scale=1.0):
        self.alpha, self.scale, self.input_scale = alpha, scale, input_scale
        x = as_floating(x)
        out = self.xp.where(x > 0, x, alpha * self.xp.expm1(self.xp.minimum(x, 0) * input_scale))
        return out * scale if scale != 1.0 else out

    def backward(self, grad):
        positive = self.constant(self.inputs[0].array > 0)
        if self.scale == 1.0 and self.input_scale == 1.0:
            return where(positive, grad, grad * (self.output() + self.alpha))
        slope = (self.output() + self.scale * self.alpha) * self.input_scale
        return where(positive, grad * self.scale, grad * slope)


@register("elu", kind="activation", module="ELU")
def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """input where input > 0, else α(e^input - 1)"""
    if inplace:
        return in_place(input, "elu", lambda t: elu(t, alpha))
    return ELU.apply(input, alpha=alpha)


@register("gelu", kind="activation", module="GELU")
def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """f(x) = x·Φ(x), Φ the standard normal CDF;  df/dx = Φ(x) + x·φ(x)"""
    x = input
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1.0 + inner.tanh())
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return 0.5 * x * (1.0 + Erf.apply(x * (1 / math.sqrt(2))))


@register("silu", kind="activation", module="SiLU")
def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """f(x) = x·sigmoid(x);  df/dx = s + x·s·(1 - s)"""
    if inplace:
        return in_place(input, "silu", silu)
    return input * input.sigmoid()


@register("mish", kind="activation", module="Mish")
def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """f(x) = x·tanh(softplus(x))"""
    if inplace:
        return in_place(input, "mish", mish)
    return input * input.softplus().tanh()


class Hardtanh(Function):
    """f(x) = min(max(x, low), high);  df/dx = 1 for low < x < high, else 0 (also 0 at both kinks,
    as in PyTorch, where clamp passes the gradient)"""
    reads = ((0,),)

    def forward(self, x, low, high):
        self.low, self.high = low, high
        return self.xp.clip(x, x.dtype.type(low), x.dtype.type(high))   # an integer tensor stays integer

    def backward(self, grad):
        x = self.inputs[0].array
        return where(self.constant((x > self.low) & (x < self.high)), grad, 0.0)


@register("hardtanh", kind="activation", module="Hardtanh")
def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """input limited to [min_val, max_val], with zero gradient outside (see Hardtanh)"""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val cannot be greater than max_val, got {min_val} > {max_val}")
    if inplace:
        return in_place(input, "hardtanh", lambda t: hardtanh(t, min_val, max_val))
    return Hardtanh.apply(input, low=min_val, high=max_val)


class ReLU6(Hardtanh):
    """f(x) = min(max(x, 0), 6);  df/dx = 1 for 0 < x < 6, else 0 (also 0 at both kinks and at NaN,
    as in PyTorch)"""

    def forward(self, x):  # type: ignore[override]  # Hardtanh with its bounds fixed
        return super().forward(x, 0, 6)


@register("relu6", kind="activation", module="ReLU6")
def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """ReLU capped at 6 (see ReLU6)"""
    if inplace:
        return in_place(input, "relu6", relu6)
    return ReLU6.apply(input)


class Hardswish(Function):
    """f(x) = x·relu6(x + 3)/6;  df/dx = 0 for x <= -3, 1 for x >= 3, x/3 + 1/2 between
    (PyTorch's values at the kinks)

    Its own op rather than `x * relu6(x + 3) / 6`, whose product rule would meet an infinite
    gradient with the 0 of relu6 below -3 and give nan where PyTorch gives 0."""
    reads = ((0,),)

    def forward(self, x):
        x = as_floating(x)
        return x * self.xp.clip(x + 3, 0, 6) / 6

    def backward(self, grad):
        x = self.inputs[0]
        low, high = self.constant(x.array <= -3), self.constant(x.array >= 3)
        return where(low, 0.0, where(high, grad, grad * (x * (1 / 3) + 0.5)))


@register("hardswish", kind="activation", module="Hardswish")
def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x·relu6(x + 3)/6: a cheap smooth ReLU (see Hardswish)"""
    if inplace:
        return in_place(input, "hardswish", hardswish)
    return Hardswish.apply(input)


@register("hardsigmoid", kind="activation", module="Hardsigmoid")
def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(input + 3)/6: a piecewise-linear sigmoid, 0 below -3 and 1 above 3"""
    _floating_only("hardsigmoid", input)
    if inplace:
        return in_place(input, "hardsigmoid", hardsigmoid)
    return ReLU6.apply(input + 3.0) * (1 / 6)   # the gradient 1/6 between the kinks, 0 outside


SELU_ALPHA = 1.6732632423543772848170429916717   # the constants of Klambauer et al. (2017), as PyTorch's
SELU_SCALE = 1.0507009873554804934193349852946


@register("selu", kind="activation", module="SELU")
def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale·elu(input, α) with fixed α ≈ 1.673, scale ≈ 1.051: keeps activations near mean 0, variance 1"""
    _floating_only("selu", input)
    if inplace:
        return in_place(input, "selu", selu)
    return ELU.apply(input, alpha=SELU_ALPHA, scale=SELU_SCALE)


@register("celu", kind="activation", module="CELU")
def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """input where input > 0, else α(e^(input/α) - 1): an ELU whose slope is 1 at 0 for any α"""
    _floating_only("celu", input)
    if alpha == 0:
        raise ValueError("celu: alpha cannot be 0 (the input is divided by it)")
    if inplace:
        return in_place(input, "celu", lambda t: celu(t, alpha))
    return ELU.apply(input, alpha=alpha, input_scale=1.0 / alpha)


@register("softsign", kind="activation", module="Softsign")
def softsign(input: Tensor) -> Tensor:
    """f(x) = x/(1 + |x|), a slow sigmoid from -1 to 1;  df/dx = 1/(1 + |x|)²"""
    return input / (1.0 + input.abs())


class LogSigmoid(Function):
    """f(x) = log(1/(1 + e^-x)) = min(x, 0) - log(1 + e^-|x|);  df/dx = 1 - sigmoid(x) = sigmoid(-x)"""

    def forward(self, x):
        # the second form never takes e^ of a large number
        return self.xp.minimum(x, 0) - self.xp.log1p(self.xp.exp(-self.xp.abs(x)))

    def backward(self, grad):
        return grad * (-self.inputs[0]).sigmoid()


@register("logsigmoid", kind="activation", module="LogSigmoid")
def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(input)), computed without overflow"""
    _floating_only("logsigmoid", input)
    return LogSigmoid.apply(input)


@register("tanhshrink", kind="activation", module="Tanhshrink")
def tanhshrink(input: Tensor) -> Tensor:
    """f(x) = x - tanh(x);  df/dx = tanh²(x)"""
    return input - input.tanh()


class Hardshrink(Function):
    """f(x) = 0 for -λ <= x <= λ, else x;  df/dx = 0 for -λ <= x <= λ, else 1"""
    reads = ((0,),)

    def forward(self, x, lambd):
        self.lambd = lambd
        inside = (x >= -lambd) & (x <= lambd)   # NaN is not inside: it stays NaN, as in PyTorch
        return self.xp.where(inside, x.dtype.type(0), x)

    def backward(self, grad):
        x = self.inputs[0].array
        outside = (x < -self.lambd) | (x > self.lambd)   # NaN is not outside: gradient 0, as in PyTorch
        return where(self.constant(outside), grad, 0.0)


@register("hardshrink", kind="activation", module="Hardshrink")
def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """0 where |input| <= λ, else input"""
    _floating_only("hardshrink", input)
    return Hardshrink.apply(input, lambd=lambd)


class Softshrink(Hardshrink):
    """f(x) = 0 for -λ <= x <= λ, else x - λ·sign(x);  df/dx = 0 for -λ <= x <= λ, else 1"""

    def forward(self, x, lambd):
        self.lambd = lambd
        return x - self.xp.clip(x, -lambd, lambd)   # exactly 0 inside, x ∓ λ outside, NaN stays NaN


@register("softshrink", kind="activation", module="Softshrink")
def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """0 where |input| <= λ, else input moved towards 0 by λ"""
    _floating_only("softshrink", input)
    if not lambd >= 0:
        raise ValueError(f"softshrink: lambd must be greater than or equal to 0, got {lambd}")
    return Softshrink.apply(input, lambd=lambd)


class Threshold(Function):
    """f(x) = value for x <= threshold, else x;  df/dx = 0 for x <= threshold, else 1"""
    reads = ((0,),)

    def forward(self, x, threshold, value):
        self.threshold = threshold
        return self.xp.where(x <= threshold, x.dtype.type(value), x)   # NaN is kept, as in PyTorch

    def backward(self, grad):
        return where(self.constant(self.inputs[0].array <= self.threshold), 0.0, grad)


@register("threshold", kind="activation", module="Threshold")
def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """value where input <= threshold, else input"""
    if inplace:
        return in_place(input, "threshold", lambda t: Threshold.apply(t, threshold=threshold, value=value))
    return Threshold.apply(input, threshold=threshold, value=value)
