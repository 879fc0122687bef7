"""Adaptive max pooling: the largest value of each of output_size windows that PyTorch spreads
evenly over the input, as adaptive average pooling does (ops/pooling.py).

    window i of a dim of size n, pooled to o:  floor(i·n/o) <= position < ceil((i+1)·n/o)

Windows may differ in size and overlap, so they are not the strided views of max_pool2d. The
winners are found on the raw arrays (no gradient flows through a choice), and the output is
then `gather` at those places: gather's backward (scatter_add) sends each window's gradient to
its winner, and gradients of any order come from gather and scatter_add.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops.pooling import _output_size
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.selection import gather
from tinygrad_edu.ops.windows import batched, check_float
from tinygrad_edu.tensor import Tensor


def adaptive_window_positions(xp: Any, size: int, out: int) -> Any:
    """(out, K) positions of PyTorch's adaptive windows along one dim, K the longest window; a
    shorter window repeats its last position, which changes neither its maximum nor its first
    winner."""
    i = xp.arange(out).reshape(-1, 1)
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    longest = int((end - start).max()) if out else 1
    return xp.minimum(start + xp.arange(longest), end - 1)


def winning_positions(xp: Any, x: Any, rows: Any, cols: Any) -> Any:
    """For an (N, C, H, W) array, where each window's maximum lies, as h·W + w (int64): the first
    one on ties, and the last NaN in a window holding NaN, as PyTorch's kernel picks."""
    (oh, kh), (ow, kw) = rows.shape, cols.shape
    windows = x[:, :, rows.reshape(oh, kh, 1, 1), cols.reshape(1, 1, ow, kw)]   # (N, C, OH, KH, OW, KW)
    windows = windows.transpose(0, 1, 2, 4, 3, 5).reshape(x.shape[:2] + (oh, ow, kh * kw))
    # the flat input position of every window element, in the same (OH, OW, KH·KW) order
    places = rows.reshape(oh, 1, kh, 1) * x.shape[3] + cols.reshape(1, ow, 1, kw)
    places = xp.broadcast_to(places.reshape(oh, ow, kh * kw), windows.shape)
    is_nan = xp.isnan(windows)
    last_nan = kh * kw - 1 - is_nan[..., ::-1].argmax(axis=-1)
    pick = xp.where(is_nan.any(axis=-1), last_nan, windows.argmax(axis=-1))   # argmax: the first maximum
    return xp.take_along_axis(places, pick[..., None], axis=-1)[..., 0].astype(xp.int64)


def _adaptive_max_pool(op: str, input: Tensor, output_size: Any, return_indices: bool, dims: int) -> Any:
    check_float(op, input=input)
    x, unbatched = batched(input, op, dims)
    if 0 in x.shape[2:]:
        raise ShapeError(f"{op}: the input must not be empty in the pooled dims, got shape {input.shape}")
    image = x.unsqueeze(2) if dims == 1 else x                  # a 1-D pool is a 2-D one of height 1
    out_size = (1,) * (2 - dims) + _output_size(op, output_size, x.shape[2:], dims)
    xp = image.xp
    rows, cols = (adaptive_window_positions(xp, n, o) for n, o in zip(image.shape[2:], out_size))
    where = winning_positions(xp, image.array, rows, cols)      # (N, C, OH, OW)
    indices = Tensor._make(where.reshape(where.shape[:2] + (-1,)), image._device, False, None)
    out = gather(image.flatten(2), 2, indices).reshape(where.shape)
    results = [out, Tensor._make(where, image._device, False, None)]
    results = [r.squeeze(2) if dims == 1 else r for r in results]
    results = [r.squeeze(0) if unbatched else r for r in results]
    return tuple(results) if return_indices else results[0]


@register("adaptive_max_pool2d", kind="functional")
def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The largest value of each of output_size windows that PyTorch spreads evenly over H and W

    d out/d input = 1 at each window's maximum (the first on ties), 0 elsewhere; return_indices
    also returns where each maximum lies in its input image (h·W + w, int64)."""
    return _adaptive_max_pool("adaptive_max_pool2d", input, output_size, return_indices, 2)


@register("adaptive_max_pool1d", kind="functional")
def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The largest value of each of output_size windows that PyTorch spreads evenly over L

    d out/d input = 1 at each window's maximum (the first on ties), 0 elsewhere."""
    return _adaptive_max_pool("adaptive_max_pool1d", input, output_size, return_indices, 1)
