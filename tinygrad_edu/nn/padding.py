"""Padding layers: each remembers its padding (and fill value) and calls F.pad with its mode.

`nn.ZeroPad2d(1)` pads left, right, top and bottom by 1; a tuple gives them one by one,
(left, right) for the 1-D layers and (left, right, top, bottom) for the 2-D ones, as in PyTorch.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn.module import Module
from tinygrad_edu.ops.windows import is_int
from tinygrad_edu.tensor import Tensor


def _padding(layer: str, padding: Any, dims: int) -> tuple[int, ...]:
    """An int pads every side; otherwise one int per side, 2 per padded dim."""
    sides = (padding,) * 2 * dims if is_int(padding) else tuple(padding) if isinstance(padding, (tuple, list)) else None
    if sides is None or len(sides) != 2 * dims or not all(is_int(s) for s in sides):
        raise TypeError(f"{layer}: padding must be an int or a tuple of {2 * dims} ints, got {padding!r}")
    return tuple(int(s) for s in sides)


class _PadNd(Module):
    mode = "constant"
    dims = 1

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _padding(type(self).__name__, padding, self.dims)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with a constant value."""


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims with a constant value."""
    dims = 2


class ZeroPad1d(_ConstantPadNd):
    """Pad the last dim with zeros."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ZeroPad1d):
    """Pad the last two dims with zeros."""
    dims = 2


class ReflectionPad1d(_PadNd):
    """Pad the last dim with its mirror image (the edge itself is not repeated)."""
    mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Pad the last two dims with their mirror image (the edge itself is not repeated)."""
    dims = 2


class ReplicationPad1d(_PadNd):
    """Pad the last dim by repeating its edge values."""
    mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Pad the last two dims by repeating their edge values."""
    dims = 2


class CircularPad1d(_PadNd):
    """Pad the last dim by wrapping around: the left pad comes from the right end."""
    mode = "circular"


class CircularPad2d(CircularPad1d):
    """Pad the last two dims by wrapping around."""
    dims = 2
