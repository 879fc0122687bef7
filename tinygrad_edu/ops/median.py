"""median and nanmedian: the middle value, found by sorting, as torch.median and torch.nanmedian.

With an even count the lower of the two middle values is taken (PyTorch's rule, so the result
is always an element of the input). median gives NaN wherever a NaN is present; nanmedian
leaves NaNs out. The value is picked with sorting's PickAlongDim, so the gradient goes to the
chosen element only.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.shapes import wrap_dim
from tinygrad_edu.ops.sorting import _check_sortable, int64_tensor, pick, stable_order, values_and_indices
from tinygrad_edu.tensor import Tensor

MedianResult = values_and_indices("median")
NanmedianResult = values_and_indices("nanmedian")


def _middle(t: Tensor, d: int, skip_nan: bool) -> tuple[Tensor, Tensor]:
    """The median along dim d (kept, size 1) and its position."""
    xp, x = t.xp, t.array
    n = x.shape[d]
    order = stable_order(xp, x, d, False)   # NaN sorts last
    nans = xp.isnan(x).sum(axis=d, keepdims=True) if x.dtype.kind == "f" else xp.zeros((1,) * x.ndim, dtype=int)
    if skip_nan:   # the lower middle of the numbers; an all-NaN row takes its first NaN
        rank = xp.maximum((n - nans - 1) // 2, 0)
    else:          # the first NaN where there is one
        rank = xp.where(nans > 0, n - nans, (n - 1) // 2)
    position = xp.take_along_axis(order, xp.broadcast_to(rank, order.shape[:d] + (1,) + order.shape[d + 1:]), axis=d)
    return pick(t, position, d), int64_tensor(position, t)


def _median(input: Tensor, dim: Any, keepdim: bool, op: str, skip_nan: bool, result: type) -> Any:
    _check_sortable(input, op)
    if dim is None:
        flat = input.reshape(-1)
        if flat.numel() == 0:   # as PyTorch: the median of nothing is NaN
            return flat.sum() * float("nan")
        return _middle(flat, 0, skip_nan)[0].reshape(())
    d = wrap_dim(dim, input.ndim, op)
    if input.ndim == 0:
        return result(input.clone(), int64_tensor(input.xp.zeros(()), input))
    if input.shape[d] == 0:
        raise IndexError(f"{op}: expected reduction dim {d} to have non-zero size (input of shape {input.shape})")
    values, indices = _middle(input, d, skip_nan)
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return result(values, indices)


@register("median")
def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """The lower median of every element, or along dim with its index (a named tuple: values, indices); NaN if any is NaN"""
    return _median(input, dim, keepdim, "median", False, MedianResult)


@register("nanmedian")
def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """median leaving NaNs out (NaN only where every element is NaN)"""
    return _median(input, dim, keepdim, "nanmedian", True, NanmedianResult)
