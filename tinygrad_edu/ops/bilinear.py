"""The bilinear map: every output a weighted sum of the products of two inputs' features.

    y[..., o] = Σ_{i,j} x1[..., i] · A[o, i, j] · x2[..., j] + b[o]

One einsum does it, and einsum's gradients (each another einsum) give every order.
"""
from __future__ import annotations

from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops.matmul import einsum
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.windows import check_float
from tinygrad_edu.tensor import Tensor


def _check_bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    check_float("bilinear", input1=input1, input2=input2, weight=weight, bias=bias)
    if weight.ndim != 3:
        raise ShapeError(f"bilinear: weight must be 3-D (out_features, in1_features, in2_features), "
                         f"got shape {weight.shape}")
    if input1.ndim == 0 or input1.ndim != input2.ndim or input1.shape[:-1] != input2.shape[:-1]:
        raise ShapeError(f"bilinear: input1 and input2 must have the same batch dims, got shapes "
                         f"{input1.shape} and {input2.shape}")
    if input1.shape[-1] != weight.shape[1] or input2.shape[-1] != weight.shape[2]:
        raise ShapeError(f"bilinear: inputs of {input1.shape[-1]} and {input2.shape[-1]} features do not fit "
                         f"weight of shape {weight.shape} (out_features, in1_features, in2_features)")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ShapeError(f"bilinear: bias must have shape ({weight.shape[0]},) for weight {weight.shape}, "
                         f"got {bias.shape}")


@register("bilinear", kind="functional")
def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x1ᵀ A x2 + b for each output feature: weight A (out, in1, in2), bias b (out,)

    dy/dx1 = A x2;  dy/dx2 = x1ᵀ A;  dy/dA[o] = x1 x2ᵀ;  dy/db = 1."""
    _check_bilinear(input1, input2, weight, bias)
    out = einsum("...i,oij,...j->...o", input1, weight, input2)
    return out if bias is None else out + bias
