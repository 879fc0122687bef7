"""The adaptive max pooling layers: each remembers its output size and calls ops/adaptive_max.py."""
from __future__ import annotations

from typing import Any

from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor


class AdaptiveMaxPool2d(Module):
    """The largest value of each of output_size windows spread evenly over H and W (None keeps a size)."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, x: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return F.adaptive_max_pool2d(x, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"    # PyTorch leaves return_indices out


class AdaptiveMaxPool1d(AdaptiveMaxPool2d):
    """The largest value of each of output_size windows spread evenly along a sequence."""

    def forward(self, x: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return F.adaptive_max_pool1d(x, self.output_size, self.return_indices)
