"""Channel dropout: zero whole channels (feature maps) at once, for convolutional features whose
neighbouring values are so alike that dropping single ones regularises little.

One Bernoulli draw per (sample, channel), broadcast over the rest, from the same seeded generator
as dropout; kept channels are scaled by 1/(1 - p) so that evaluation needs no rescaling.
"""
from __future__ import annotations

import warnings

from tinygrad_edu import backend
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops.inplace import in_place
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor


def _drop_channels(op: str, input: Tensor, p: float, training: bool, inplace: bool, channel_dims: int) -> Tensor:
    """y = x·mask/(1 - p), one mask value for each of the first `channel_dims` dims' entries;  dy/dx = mask/(1 - p)"""
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
        raise ValueError(f"{op}: probability p must be between 0 and 1, got {p!r}")
    if not training or p == 0:
        return input
    if not backend.is_floating(input.dtype):
        raise TypeError(f"{op}: needs a floating-point tensor, got {input.dtype}")
    mask_shape = input.shape[:channel_dims] + (1,) * (input.ndim - channel_dims)
    keep = backend.random_generator().random(mask_shape) >= p
    scale = keep.astype(input.dtype) * input.dtype.type(0.0 if p == 1 else 1 / (1 - p))
    mask = Tensor._make(backend.to_device(scale, input._device), input._device, False, None)
    if inplace:
        return in_place(input, op, lambda x: x * mask)
    return input * mask


@register("dropout1d", kind="functional")
def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input with probability p, scaling the rest by 1/(1 - p)

    dy/dx = mask/(1 - p), the same for every position of a channel."""
    if input.ndim not in (2, 3):
        raise ShapeError(f"dropout1d: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape {input.shape}")
    return _drop_channels("dropout1d", input, p, training, inplace, input.ndim - 1)


@register("dropout2d", kind="functional")
def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) input with probability p, scaling the rest by 1/(1 - p)

    dy/dx = mask/(1 - p). A 3-D input is read as (N, C, L), with PyTorch's warning."""
    if input.ndim not in (3, 4):
        raise ShapeError(f"dropout2d: expected a 4-D (N, C, H, W) input (or 3-D, read as (N, C, L)), "
                         f"got shape {input.shape}")
    if input.ndim == 3:
        warnings.warn("dropout2d: received a 3-D input; as PyTorch does today, it is read as (N, C, L) and whole "
                      "channels of length L are dropped; use dropout1d for that", UserWarning, stacklevel=2)
    return _drop_channels("dropout2d", input, p, training, inplace, 2)
