"""One-sided clamps: clamp_min and clamp_max, with a number or a tensor as the bound.

A number bound is `clamp` with one side left out (ops/elementwise.py). A tensor bound is
broadcast against the input and may itself require grad: where the bound wins, the gradient
goes to the bound instead of the input.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu.autograd import Function
from tinygrad_edu.ops.elementwise import Where, clamp, shape_error_or
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor


class ClampByTensor(Function):
    """f(x, b) = max(x, b) for a lower bound (min(x, b) for an upper one);
    df/dx = 1 where x is within the bound (ties too), else 0;  df/db = 1 where b wins, else 0

    A NaN in x or in b gives NaN, and neither of them a gradient there, as in PyTorch."""
    reads = ((), ())   # backward reads the masks made in forward, not the inputs

    def forward(self, x, bound, upper):
        try:
            out = self.xp.minimum(x, bound) if upper else self.xp.maximum(x, bound)
        except ValueError as e:
            raise shape_error_or(e, x, bound) from e
        self.x_wins = x <= bound if upper else x >= bound
        self.bound_wins = x > bound if upper else x < bound
        return out

    def backward(self, grad):
        zero = self.constant(self.xp.zeros((), dtype=grad.dtype))
        return (Where.apply(grad, zero, condition=self.x_wins) if self.needs_input_grad[0] else None,
                Where.apply(grad, zero, condition=self.bound_wins) if self.needs_input_grad[1] else None)


def _clamp_one_side(input: Tensor, bound: Any, upper: bool, op: str) -> Tensor:
    if bound is None or isinstance(bound, bool):
        raise TypeError(f"{op}: the bound must be a number or a Tensor, got {bound!r}")
    if isinstance(bound, (int, float)):
        return clamp(input, max=bound) if upper else clamp(input, min=bound)
    return ClampByTensor.apply(*input._operand(bound, op), upper=upper)


@register("clamp_min")
def clamp_min(input: Tensor, min: Any) -> Tensor:  # noqa: A002 — PyTorch's name
    """input limited from below by min (a number, or a tensor broadcast against input)"""
    return _clamp_one_side(input, min, False, "clamp_min")


@register("clamp_max")
def clamp_max(input: Tensor, max: Any) -> Tensor:  # noqa: A002
    """input limited from above by max (a number, or a tensor broadcast against input)"""
    return _clamp_one_side(input, max, True, "clamp_max")
