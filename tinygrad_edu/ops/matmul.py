"""Matrix multiplication: the weighted sums of many neurons at once.

`a @ b` with 2-D (or batched) operands is the primitive; 1-D operands are handled the way
NumPy and PyTorch handle them, by treating a vector as a one-row or one-column matrix.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu.autograd import Function
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.ops.elementwise import quietly
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor


class Matmul(Function):
    """f(A, B) = A @ B;  dA = G @ Bᵀ, dB = Aᵀ @ G (batch dims that were broadcast are summed by the engine)"""
    reads = ((1,), (0,))

    def forward(self, a, b):
        return quietly(self.xp, self.xp.matmul, a, b)   # overflow gives inf, inf·0 nan, silently

    def backward(self, grad):
        a, b = self.inputs
        return (Matmul.apply(grad, b.mT) if self.needs_input_grad[0] else None,
                Matmul.apply(a.mT, grad) if self.needs_input_grad[1] else None)


@register("matmul", operators=("__matmul__",))
def matmul(a: Tensor, b: Any) -> Tensor:
    """The matrix product, with NumPy's rules for 1-D and batched operands

    Two tensors must have one dtype, as in PyTorch (a Python or NumPy operand is converted)."""
    if isinstance(b, Tensor) and a.dtype != b.dtype:
        raise DTypeError(f"matmul: expected both operands to have the same dtype, but got {a.dtype} and "
                         f"{b.dtype}; convert one of them, e.g. with .to({str(a.dtype)!r})")
    a, b = a._operand(b, "matmul")
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: both operands need at least 1 dimension, got shapes {a.shape} and {b.shape}")
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if a.shape[-1] != inner_b:
        raise ShapeError(f"matmul: shapes {a.shape} and {b.shape} do not fit: the last dim of the first "
                         f"({a.shape[-1]}) must equal the {'only' if b.ndim == 1 else 'second-to-last'} "
                         f"dim of the second ({inner_b})")
    if a.ndim > 2 or b.ndim > 2:
        batch_a, batch_b = a.shape[:-2], b.shape[:-2]
        for x, y in zip(reversed(batch_a), reversed(batch_b)):
            if x != y and x != 1 and y != 1:
                raise ShapeError(f"matmul: batch dims of {a.shape} and {b.shape} cannot be broadcast together")
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b
    out = Matmul.apply(a2, b2)
    if b.ndim == 1:
        out = out.squeeze(-1)
    if a.ndim == 1:
        out = out.squeeze(-2 if b.ndim > 1 else -1)
    return out


@register("rmatmul", kind="operator", operators=("__rmatmul__",))
def rmatmul(a: Tensor, b: Any) -> Tensor:
    """b @ a (what `array @ x` runs)"""
    a, b = a._operand(b, "matmul")
    return matmul(b, a)


@register("linear", kind="functional")
def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weightᵀ + bias: every output is a weighted sum of the inputs. weight: (out, in)."""
    if weight.ndim != 2:
        raise ShapeError(f"linear: weight must be 2-D (out_features, in_features), got shape {weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ShapeError(f"linear: input of shape {x.shape} has {x.shape[-1] if x.ndim else 0} features in its "
                         f"last dim, but weight of shape {weight.shape} expects {weight.shape[1]}")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ShapeError(f"linear: bias must have shape ({weight.shape[0]},) for weight {weight.shape}, "
                         f"got {bias.shape}")
    out = matmul(x, weight.T)
    return out if bias is None else out + bias
