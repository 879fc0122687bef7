"""Reading the dims and shapes users pass to ops, in one place, with PyTorch's rules."""
from __future__ import annotations

from typing import Any


def wrap_dim(dim: Any, ndim: int, op: str) -> int:
    """`dim` as an index in range(ndim), counting negative dims from the end. A 0-d tensor
    accepts 0 and -1, as in PyTorch."""
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__} {dim!r}")
    if not -max(ndim, 1) <= dim < max(ndim, 1):
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} dimensions "
                         f"(expected a dim in [{-max(ndim, 1)}, {max(ndim, 1) - 1}])")
    return dim % max(ndim, 1)


def shape_args(shape: tuple) -> tuple:
    """Accept both f(2, 3) and f((2, 3)), as PyTorch does."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...] | None:
    """The shape the given shapes broadcast to (NumPy's and PyTorch's rule), or None where they
    do not: a missing dim counts as 1, and sizes other than 1 must agree."""
    result: list[int] = []
    for sizes in zip(*(((1,) * (max(map(len, shapes)) - len(s)) + s) for s in shapes)):
        wide = {n for n in sizes if n != 1}
        if len(wide) > 1:
            return None
        result.append(wide.pop() if wide else 1)
    return tuple(result)
