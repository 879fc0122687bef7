"""The Bilinear layer: y = x1ᵀ A x2 + b, one matrix A per output feature."""
from __future__ import annotations

import math
from typing import Any

from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn import init
from tinygrad_edu.nn.layers import _empty_parameter, _positive_int
from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor


class Bilinear(Module):
    """y = x1ᵀ A x2 + b, with weight A (out_features, in1_features, in2_features): every output
    feature weighs each product of a feature of x1 with a feature of x2."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in1_features = _positive_int(in1_features, "in1_features", "Bilinear")
        self.in2_features = _positive_int(in2_features, "in2_features", "Bilinear")
        self.out_features = _positive_int(out_features, "out_features", "Bilinear")
        self.weight = _empty_parameter((out_features, in1_features, in2_features), device, dtype)
        self.bias = _empty_parameter((out_features,), device, dtype) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: weight and bias uniform in ±1/√in1_features."""
        bound = 1 / math.sqrt(self.in1_features)
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
