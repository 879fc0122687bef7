"""Activation layers that are not made from one registered activation: PReLU learns its slope
(a Parameter), and Softmax2d is softmax over the channels of an image."""
from __future__ import annotations

from typing import Any

from tinygrad_edu.creation import full
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn.module import Module, Parameter
from tinygrad_edu.tensor import Tensor


class PReLU(Module):
    """x where x > 0, else a·x, with a learnable slope a: one for all channels, or one per channel
    (num_parameters = C, for dim 1); every slope starts at `init`."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, int) or num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be a positive int, got {num_parameters!r}")
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(full((num_parameters,), float(init), device=device, dtype=dtype))

    def reset_parameters(self) -> None:
        self.weight.data.fill_(self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Softmax2d(Module):
    """Softmax over the channels at every pixel of (N, C, H, W) or (C, H, W) input."""

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (3, 4):
            raise ShapeError(f"Softmax2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {input.shape}")
        return F.softmax(input, dim=-3)
