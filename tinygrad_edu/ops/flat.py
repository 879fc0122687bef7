"""Ops that see a tensor as the flat list of its elements, in row-major order: numel and take."""
from __future__ import annotations

from typing import Any

from tinygrad_edu.errors import DTypeError
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor


@register("numel", method=Tensor.numel)
def numel(input: Tensor) -> int:
    """The number of elements of input (a Python int)"""
    if not isinstance(input, Tensor):
        raise TypeError(f"numel: expected a Tensor, got {type(input).__name__}")
    return input.numel()


@register("take")
def take(input: Tensor, index: Tensor) -> Tensor:
    """input read at flat (row-major) positions: out has index's shape; negative positions count from the end

    The gradient is getitem's: each picked element's gradient goes back to its position,
    added up where one position is picked twice."""
    if not isinstance(index, Tensor) or index.dtype.kind not in "iu":
        got = f"a tensor of {index.dtype}" if isinstance(index, Tensor) else type(index).__name__
        raise DTypeError(f"take: index must be an integer (int64) tensor, got {got}")
    if index.device != input.device:
        raise RuntimeError(f"take: index is on {index.device} but input is on {input.device}; move it with .to(...)")
    n = input.numel()
    if index.numel():
        low, high = int(index.array.min()), int(index.array.max())
        if low < -n or high >= n:
            bad = low if low < -n else high
            raise IndexError(f"take: index {bad} is out of range for a tensor of {n} elements "
                             f"(shape {input.shape}); expected indices in [{-n}, {n - 1}]")
    return input.reshape(-1)[index]
