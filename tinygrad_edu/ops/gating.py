"""Activations that weigh their input by something more than its own value: softmin (the
softmax of -x), normalize (x over its length), glu (half of x gates the other half) and prelu
(a learnable slope for negative inputs).

Each is built from differentiable ops, so gradients of any order come from those ops; the
docstrings give the derivative you would write by hand.
"""
from __future__ import annotations

from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops.activations import _given_or_implicit_dim, softmax
from tinygrad_edu.ops.elementwise import where
from tinygrad_edu.ops.norms import vector_norm
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.shapes import wrap_dim
from tinygrad_edu.ops.windows import check_float
from tinygrad_edu.tensor import Tensor


@register("softmin", kind="activation", module="Softmin")
def softmin(input: Tensor, dim: int | None = None) -> Tensor:
    """e^-x_i / Σ_j e^-x_j along dim, softmax(-x): the smallest score gets the largest probability

    df_i/dx_j = -f_i·(δ_ij - f_j), softmax's Jacobian with the sign of -x."""
    return softmax(-input, dim=_given_or_implicit_dim(dim, input.ndim, "softmin"))


@register("normalize", kind="functional")
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(‖x‖_p, eps) along dim: every vector scaled to length 1

    d/dx = (I - x̂x̂ᵀ)/‖x‖ for p = 2; where the length is below eps, x/eps (so 1/eps)."""
    check_float("normalize", input=input)
    dim = wrap_dim(dim, input.ndim, "normalize")
    length = vector_norm(input, p, dim=dim if input.ndim else None, keepdim=True)
    return input / length.clamp(min=eps)


@register("glu", kind="activation", module="GLU")
def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a·sigmoid(b), where a and b are the two halves of input along dim: the gated linear unit

    d/da = sigmoid(b);  d/db = a·sigmoid(b)·(1 - sigmoid(b))."""
    if input.ndim == 0:
        raise ShapeError("glu: a 0-d tensor cannot be halved; glu needs a dim of even size")
    dim = wrap_dim(dim, input.ndim, "glu")
    size = input.shape[dim]
    if size % 2:
        raise ShapeError(f"glu: halving dimension must be even, but dimension {dim} is size {size} "
                         f"(input shape {input.shape})")
    a, b = input.narrow(dim, 0, size // 2), input.narrow(dim, size // 2, size // 2)
    return a * b.sigmoid()


@register("prelu", kind="functional")
def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else weight·x, with one learnable slope per channel (dim 1) or one for all

    d/dx = 1 (x > 0) or weight;  d/dweight = x where x ≤ 0, summed over every dim but the channels."""
    check_float("prelu", input=input, weight=weight)
    if weight.ndim > 1:
        raise ShapeError(f"prelu: weight must be a scalar or 1-D tensor, got weight of shape {weight.shape}")
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() not in (1, channels):
        raise ShapeError(f"prelu: weight has {weight.numel()} slopes but the input of shape {input.shape} has "
                         f"{channels} channels (dim 1); give one slope, or one per channel")
    if weight.numel() > 1:   # one slope per channel: line it up with dim 1
        weight = weight.reshape(channels, *([1] * (input.ndim - 2)))
    elif input.ndim < weight.ndim:   # a 0-d input stays 0-d
        weight = weight.reshape(())
    positive = Tensor._make(input.array > 0, input._device, False, None)
    return where(positive, input, weight * input)
