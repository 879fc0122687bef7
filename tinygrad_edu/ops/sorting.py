"""Sorting and selecting by rank: sort, argsort, topk, kthvalue.

Each of them computes an order (integer positions along a dim) and then picks the elements at
those positions. The picking is one Function, `PickAlongDim`, shared with cummax and cummin:
its backward puts each gradient back where its element came from, adding up where one element
was picked more than once. The order itself is an integer, so it has no gradient.
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.ops.indexing import Index, IndexAdd
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.shapes import wrap_dim
from tinygrad_edu.tensor import Tensor


def values_and_indices(op: str) -> type:
    """The named tuple an op returns, as PyTorch's torch.return_types.<op>: result.values,
    result.indices, and `values, indices = result`."""
    return namedtuple(op, ("values", "indices"))


SortResult = values_and_indices("sort")
TopkResult = values_and_indices("topk")
KthvalueResult = values_and_indices("kthvalue")


def along_dim(xp: Any, positions: Any, dim: int) -> Index:
    """The Index that picks, for every element of `positions`, the element at that position
    along `dim` and at the same place in the other dims (torch.take_along_dim)."""
    ndim = positions.ndim
    select = tuple(positions if i == dim else xp.arange(n).reshape((n,) + (1,) * (ndim - 1 - i))
                   for i, n in enumerate(positions.shape))
    return Index((), select)


class PickAlongDim(Function):
    """f(x) = x picked at `positions` along dim;  df/dx = 1 at each picked place (added up where one
    place is picked twice), 0 elsewhere"""
    reads = ((),)   # backward needs only the input's shape

    def forward(self, x, positions, dim):
        self.index = along_dim(self.xp, positions, dim)
        return x[self.index.select]

    def backward(self, grad):
        return IndexAdd.apply(grad, index=self.index, shape=self.inputs[0].shape)


def pick(t: Tensor, positions: Any, dim: int) -> Tensor:
    """t's elements at `positions` (an integer array on t's device) along dim, differentiably."""
    return PickAlongDim.apply(t, positions=positions, dim=dim)


def int64_tensor(array: Any, like: Tensor) -> Tensor:
    """Positions as an int64 tensor on like's device (never differentiable)."""
    return Tensor._make(like.xp.asarray(array, dtype=backend.int64), like._device, False, None)


def stable_order(xp: Any, x: Any, dim: int, descending: bool) -> Any:
    """The positions that sort x along dim, ties kept in their original order, NaN counted as the
    largest value (PyTorch's rules)."""
    if not descending:
        return xp.argsort(x, axis=dim, kind="stable")
    # Sorting the reversed tensor ascending and reversing the result gives a descending order in
    # which ties keep their original order and NaN comes first (-x would put NaN last, and
    # fails for bool and unsigned dtypes).
    n = x.shape[dim]
    reversed_order = xp.flip(xp.argsort(xp.flip(x, axis=dim), axis=dim, kind="stable"), axis=dim)
    return (n - 1) - reversed_order


def _check_sortable(t: Tensor, op: str) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(t).__name__}")
    if t.dtype.kind == "c":
        raise DTypeError(f"{op}: complex tensors have no order, got {t.dtype}")


def _sorted_slice(t: Tensor, dim: int, descending: bool, start: int = 0, stop: int | None = None,
                  op: str = "sort") -> tuple[Tensor, Tensor]:
    """Values and indices of the elements of rank start..stop-1 along dim (stop None: to the end;
    a 0-d tensor sorts as one element)."""
    _check_sortable(t, op)
    d = wrap_dim(dim, t.ndim, op)
    if t.ndim == 0:
        values, indices = _sorted_slice(t.reshape(1), 0, descending, start, stop, op)
        return values.reshape(()), indices.reshape(())
    order = stable_order(t.xp, t.array, d, descending)
    if (start, stop) != (0, None):
        order = order[(slice(None),) * d + (slice(start, stop),)]
    return pick(t, order, d), int64_tensor(order, t)


@register("sort")
def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> tuple:
    """The values sorted along dim, and the indices they came from (a named tuple: values, indices)

    The sort is always stable (equal values keep their order), so `stable=True` changes nothing."""
    return SortResult(*_sorted_slice(input, dim, descending, op="sort"))


@register("argsort")
def argsort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
    """The indices that sort input along dim (stable: equal values keep their order)"""
    _check_sortable(input, "argsort")
    if input.ndim == 0:
        wrap_dim(dim, 0, "argsort")
        return int64_tensor(input.xp.zeros((), dtype=backend.int64), input)
    return int64_tensor(stable_order(input.xp, input.array, wrap_dim(dim, input.ndim, "argsort"), descending),
                        input)


def _check_k(k: Any, size: int, op: str, lowest: int, shape: tuple) -> int:
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"{op}: k must be an int, got {type(k).__name__} {k!r}")
    if not lowest <= k <= size:
        raise ShapeError(f"{op}: k={k} is out of range for a dim of size {size} (tensor of shape {shape}); "
                         f"expected {lowest} <= k <= {size}")
    return k


@register("topk")
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> tuple:  # noqa: A002
    """The k largest (or, with largest=False, smallest) values along dim and their indices (values, indices)

    The result is always sorted, also with sorted=False (PyTorch leaves that order unspecified)."""
    _check_sortable(input, "topk")
    d = wrap_dim(dim, input.ndim, "topk")
    size = input.shape[d] if input.ndim else 1
    k = _check_k(k, size, "topk", 0, input.shape)
    return TopkResult(*_sorted_slice(input, d, largest, 0, k, op="topk"))


@register("kthvalue")
def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> tuple:
    """The k-th smallest value along dim (k counts from 1) and its index (a named tuple: values, indices)"""
    _check_sortable(input, "kthvalue")
    d = wrap_dim(dim, input.ndim, "kthvalue")
    size = input.shape[d] if input.ndim else 1
    k = _check_k(k, size, "kthvalue", 1, input.shape)
    values, indices = _sorted_slice(input, d, False, k - 1, k, op="kthvalue")
    if not keepdim and input.ndim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return KthvalueResult(values, indices)
