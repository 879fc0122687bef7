"""Resizing: an image (or a signal) sampled onto a grid of another size, as F.interpolate does.

Each resized dim is handled on its own, one after the other (the modes are separable): every
output position p has a source position s(p) in the input, from which

    nearest:   out[p] = x[floor(s(p))]
    linear:    out[p] = (1 - λ)·x[i] + λ·x[i + 1],   i = floor(s(p)), λ = s(p) - i

(bilinear is linear along H, then along W). Both are built from picks along a dim
(`movement.select_along`, whose gradient adds each output's gradient back onto the element it
came from) and elementwise products with constant weights, so gradients of any order work
without a Function of their own. The source positions follow PyTorch's formulas exactly,
including its float32 arithmetic for nearest, so the same pixels are picked.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops.movement import select_along
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.windows import check_float, is_int
from tinygrad_edu.tensor import Tensor

# mode -> the input ranks it takes (N, C and 1 or 2 spatial dims)
MODES = {"nearest": (3, 4), "nearest-exact": (3, 4), "linear": (3,), "bilinear": (4,)}


def _nearest_positions(xp: Any, size: int, out: int, scale: float | None, exact: bool) -> Any:
    """PyTorch's nearest_idx: floor(p·in/out) (or of (p + 0.5)·in/out for nearest-exact), in float32."""
    step = xp.float32(1 / scale if scale else size / out)
    p = xp.arange(out, dtype=xp.float32)
    source = xp.floor((p + xp.float32(0.5)) * step if exact else p * step)
    return xp.minimum(source.astype(backend.int64), size - 1)


def _linear_sources(xp: Any, size: int, out: int, scale: float | None, align_corners: bool, dtype: Any) -> Any:
    """PyTorch's area_pixel_compute_source_index: where output position p samples the input.
    align_corners maps the first and last pixel centres onto each other; otherwise pixels are
    areas, and the centre of output pixel p lies at (p + 0.5)·in/out - 0.5 of the input."""
    p = xp.arange(out).astype(dtype)
    if align_corners:
        return p * dtype.type((size - 1) / (out - 1) if out > 1 else 0)
    step = dtype.type(1 / scale if scale else size / out)
    return xp.maximum(step * (p + dtype.type(0.5)) - dtype.type(0.5), 0)


def _constant(x: Tensor, array: Any, axis: int) -> Tensor:
    """An array of weights along `axis`, shaped to broadcast against x."""
    return Tensor._make(array.reshape((-1,) + (1,) * (x.ndim - 1 - axis)), x._device, False, None)


def _resample(x: Tensor, axis: int, out: int, scale: float | None, mode: str, align_corners: bool) -> Tensor:
    xp, size = x.xp, x.shape[axis]
    if mode in ("nearest", "nearest-exact"):
        return select_along(x, axis, _nearest_positions(xp, size, out, scale, mode == "nearest-exact"))
    source = _linear_sources(xp, size, out, scale, align_corners, x.dtype)
    low = source.astype(backend.int64)                       # floor: sources are never negative
    high = xp.minimum(low + 1, size - 1)
    weight = _constant(x, (source - low).astype(x.dtype), axis)
    # (1 - λ)·x[low] + λ·x[high], written so that λ = 0 at the last pixel needs no special case
    return select_along(x, axis, low) * (1 - weight) + select_along(x, axis, high) * weight


def _sizes_and_scales(op: str, x: Tensor, size: Any, scale_factor: Any,
                      recompute_scale_factor: bool | None) -> tuple[tuple, tuple]:
    """The output size of each spatial dim, and the scale PyTorch's formulas use (None: in/out)."""
    dims = x.ndim - 2
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: give exactly one of size and scale_factor, got size={size!r}, "
                         f"scale_factor={scale_factor!r}")
    if size is not None:
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * dims
        if len(sizes) != dims or not all(is_int(s) and s > 0 for s in sizes):
            raise ValueError(f"{op}: size must be a positive int or {dims} of them for an input of shape {x.shape} "
                             f"({dims} spatial dims), got {size!r}")
        return tuple(int(s) for s in sizes), (None,) * dims
    scales = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * dims
    if len(scales) != dims or not all(isinstance(s, numbers.Real) and not isinstance(s, bool) and s > 0  # type: ignore[operator]
                                      for s in scales):
        raise ValueError(f"{op}: scale_factor must be a positive number or {dims} of them for an input of shape "
                         f"{x.shape} ({dims} spatial dims), got {scale_factor!r}")
    sizes = tuple(math.floor(n * float(s)) for n, s in zip(x.shape[2:], scales))
    if min(sizes) < 1:
        raise ShapeError(f"{op}: scale_factor {scale_factor!r} leaves no pixels of the input {x.shape} "
                         f"(output size {sizes})")
    return sizes, (None,) * dims if recompute_scale_factor else tuple(float(s) for s in scales)


@register("interpolate", kind="functional")
def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims of an (N, C, L) or (N, C, H, W) input to `size`, or by `scale_factor`.

    mode 'nearest' (or 'nearest-exact') copies the nearest input pixel; 'linear' (3-D input)
    and 'bilinear' (4-D) mix the two (four) nearest, with align_corners as in PyTorch.
    """
    op = "interpolate"
    if mode not in MODES:
        raise NotImplementedError(f"{op}: mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in MODES[mode]:
        raise ShapeError(f"{op}: mode={mode!r} takes a {' or '.join(f'{n}-D' for n in MODES[mode])} input "
                         f"(N, C and the spatial dims), got shape {input.shape}")
    linear = mode in ("linear", "bilinear")
    if align_corners is not None and not linear:
        raise ValueError(f"{op}: align_corners can only be set with the interpolating modes 'linear' and "
                         f"'bilinear', got mode={mode!r}")
    if antialias:
        raise NotImplementedError(f"{op}: antialias=True is not supported")
    if linear:
        check_float(op, input=input)
    sizes, scales = _sizes_and_scales(op, input, size, scale_factor, recompute_scale_factor)
    out = input
    for axis, (n, scale) in enumerate(zip(sizes, scales), start=2):
        if n != out.shape[axis] or mode == "nearest-exact":   # PyTorch copies a dim that keeps its size
            out = _resample(out, axis, n, scale, mode, bool(align_corners))
    return out if out is not input else input.clone()   # a new tensor, as PyTorch returns
