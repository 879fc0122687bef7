"""Moving pixels between channels and space: pixel_shuffle turns (C·r², H, W) into (C, H·r, W·r),
the upsampling step of sub-pixel convolution; pixel_unshuffle undoes it.

Both are one reshape, one permute and one reshape, so their gradient is the same moves in
reverse, recorded by those ops.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.windows import is_int
from tinygrad_edu.tensor import Tensor


def _check(op: str, input: Tensor, factor: Any, name: str) -> int:
    if not is_int(factor) or factor < 1:
        raise ValueError(f"{op}: {name} must be a positive int, got {factor!r}")
    if input.ndim < 3:
        raise ShapeError(f"{op}: expected an input of at least 3 dims (*, C, H, W), got shape {input.shape}")
    return int(factor)


@register("pixel_shuffle", kind="functional")
def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C·r², H, W) → (*, C, H·r, W·r): each group of r² channels becomes an r×r block of pixels

    A rearrangement: the gradient is the upstream gradient moved back (pixel_unshuffle of it)."""
    r = _check("pixel_shuffle", input, upscale_factor, "upscale_factor")
    *batch, channels, height, width = input.shape
    if channels % (r * r):
        raise ShapeError(f"pixel_shuffle: the channel dim (-3) must be divisible by upscale_factor² = {r * r}, "
                         f"got {channels} channels in input of shape {input.shape}")
    n = len(batch)
    blocks = input.reshape(*batch, channels // (r * r), r, r, height, width)
    blocks = blocks.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)   # (*, C, H, r, W, r)
    return blocks.reshape(*batch, channels // (r * r), height * r, width * r)


@register("pixel_unshuffle", kind="functional")
def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H·r, W·r) → (*, C·r², H, W): each r×r block of pixels becomes r² channels

    A rearrangement: the gradient is the upstream gradient moved back (pixel_shuffle of it)."""
    r = _check("pixel_unshuffle", input, downscale_factor, "downscale_factor")
    *batch, channels, height, width = input.shape
    if height % r or width % r:
        raise ShapeError(f"pixel_unshuffle: height and width must be divisible by downscale_factor = {r}, "
                         f"got input of shape {input.shape}")
    n = len(batch)
    blocks = input.reshape(*batch, channels, height // r, r, width // r, r)
    blocks = blocks.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)   # (*, C, r, r, H, W)
    return blocks.reshape(*batch, channels * r * r, height // r, width // r)
