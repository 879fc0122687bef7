"""Movement: operations that rearrange, select or join elements without computing new values.

Their backward moves the gradient back to where each element came from: a reshape's
gradient is reshaped back, a selection's gradient is put back at the selected places (and
zero elsewhere), a broadcast's gradient is summed over the copies.
"""
from __future__ import annotations

import operator
from typing import Any, Sequence

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops.conversion import Clone
from tinygrad_edu.ops.indexing import Getitem, Index
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.shapes import shape_args, wrap_dim
from tinygrad_edu.tensor import Tensor


class Reshape(Function):
    """f(x) = the same elements in a new shape;  the gradient is reshaped back"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    is_view = True   # NumPy returns a view where it can: the result shares the input's memory
    reads = ((),)

    def forward(self, x, shape):
        return x.reshape(shape)

    def backward(self, grad):
        # The input's own shape needs none of reshape()'s checks (which cost more than the op)
        return Reshape.apply(grad, shape=self.inputs[0].shape)


def _sizes(sizes: tuple, op: str) -> tuple[int, ...]:
    """A shape given as ints (or integer 0-d tensors), checked: reshape("a") names the op."""
    try:
        return tuple(operator.index(n) for n in sizes)
    except TypeError:
        raise TypeError(f"{op}: a shape must be a sequence of ints, got "
                        f"({', '.join(type(n).__name__ for n in sizes)})") from None


@register("reshape", aliases=("view",))
def reshape(t: Tensor, *shape: Any) -> Tensor:
    """The same elements in a new shape; one size may be -1, meaning "whatever is left"."""
    shape = _sizes(shape_args(shape), "reshape")
    known = 1
    for n in shape:
        known *= n if n != -1 else 1
    unknown = shape.count(-1)
    fits = (unknown == 0 and known == t.numel()) or (unknown == 1 and known and t.numel() % known == 0)
    if unknown > 1 or any(n < -1 for n in shape) or not fits:
        raise ShapeError(f"reshape: cannot reshape a tensor of shape {t.shape} ({t.numel()} elements) "
                         f"into shape {shape}")
    return Reshape.apply(t, shape=shape)


@register("flatten", functional=True)
def flatten(t: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge the dims start_dim..end_dim into one."""
    if t.ndim == 0:
        return reshape(t, (1,))
    start, end = wrap_dim(start_dim, t.ndim, "flatten"), wrap_dim(end_dim, t.ndim, "flatten")
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    merged = 1
    for n in t.shape[start:end + 1]:
        merged *= n
    # the same elements by construction: Reshape directly, without reshape()'s checks
    return Reshape.apply(t, shape=t.shape[:start] + (merged,) + t.shape[end + 1:])


class Permute(Function):
    """f(x) = x with its dims reordered;  the gradient is reordered back"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    is_view = True   # NumPy returns a view where it can: the result shares the input's memory
    reads = ((),)

    def forward(self, x, dims):
        self.dims = dims
        return x.transpose(dims)

    def backward(self, grad):
        inverse = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inverse[d] = i
        return Permute.apply(grad, dims=tuple(inverse))   # a permutation by construction: no checks


@register("permute")
def permute(t: Tensor, *dims: Any) -> Tensor:
    """input with its dims reordered: x.permute(2, 0, 1)"""
    return Permute.apply(t, dims=check_permutation(t, shape_args(dims)))


@register("T", kind="method", is_property=True)
def T(t: Tensor) -> Tensor:  # noqa: N802 — PyTorch's name
    """Every dim reversed (the transpose of a matrix)"""
    return Permute.apply(t, dims=tuple(reversed(range(t.ndim))))


@register("t")
def t(input: Tensor) -> Tensor:
    """The transpose of a matrix; a 0-d or 1-d tensor comes back as it is, as in PyTorch"""
    if input.ndim > 2:
        raise ShapeError(f"t: expects a tensor with <= 2 dimensions, but got {input.ndim}D of shape "
                         f"{input.shape}; use transpose(dim0, dim1) or .mT")
    return Permute.apply(input, dims=tuple(reversed(range(input.ndim))))


@register("mT", kind="method", is_property=True)
def mT(t: Tensor) -> Tensor:  # noqa: N802
    """The last two dims swapped (a batch of matrices transposed)"""
    n = t.ndim
    if n < 2:
        return transpose(t, -2, -1)   # which names the dim that is out of range
    # the permutation written out: matmul's backward takes .mT twice per product
    return Permute.apply(t, dims=(*range(n - 2), n - 1, n - 2))


def check_permutation(t: Tensor, dims: Sequence[int]) -> tuple[int, ...]:
    normalized = tuple(d % t.ndim if -t.ndim <= d < t.ndim else -1 for d in dims) if t.ndim else tuple(dims)
    if sorted(normalized) != list(range(t.ndim)):
        raise ShapeError(f"permute: dims {tuple(dims)} are not a permutation of the {t.ndim} dims "
                         f"of a tensor of shape {t.shape}")
    return normalized


@register("transpose")
def transpose(t: Tensor, dim0: int, dim1: int) -> Tensor:
    """input with dims dim0 and dim1 swapped"""
    dims = list(range(t.ndim))
    a, b = wrap_dim(dim0, t.ndim, "transpose"), wrap_dim(dim1, t.ndim, "transpose")
    if dims:
        dims[a], dims[b] = dims[b], dims[a]
    return Permute.apply(t, dims=tuple(dims))


@register("squeeze")
def squeeze(t: Tensor, dim: int | tuple | None = None) -> Tensor:
    """Remove dims of size 1 (all of them, or the given ones where they are 1)."""
    if dim is None:
        drop = {i for i, n in enumerate(t.shape) if n == 1}
    else:
        dims = (dim,) if isinstance(dim, int) else dim
        drop = {wrap_dim(d, t.ndim, "squeeze") for d in dims}
        drop = {d for d in drop if t.ndim and t.shape[d] == 1}
    return reshape(t, tuple(n for i, n in enumerate(t.shape) if i not in drop))


@register("contiguous", kind="method")
def contiguous(t: Tensor) -> Tensor:
    """input itself if it is stored without gaps in row-major order, else a copy that is"""
    if t.array.flags.c_contiguous:
        return t
    return Clone.apply(t, order="C")


@register("unsqueeze")
def unsqueeze(t: Tensor, dim: int) -> Tensor:
    """Insert a dim of size 1 at position `dim`."""
    d = wrap_dim(dim, t.ndim + 1, "unsqueeze")
    return reshape(t, t.shape[:d] + (1,) + t.shape[d:])


class Expand(Function):
    """f(x) = x broadcast to a bigger shape (no copy);  the gradient is summed over the copies"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    is_view = True   # NumPy returns a view where it can: the result shares the input's memory
    reads = ((),)

    def forward(self, x, shape):
        return self.xp.broadcast_to(x, shape)

    def backward(self, grad):
        return sum_to_size(grad, self.inputs[0].shape)


@register("expand", kind="method")
def expand(t: Tensor, *sizes: Any) -> Tensor:
    """input broadcast to a bigger shape without copying (-1 keeps a size)"""
    sizes = _sizes(shape_args(sizes), "expand")
    if len(sizes) < t.ndim:
        raise ShapeError(f"expand: cannot expand shape {t.shape} to {sizes}: fewer dimensions")
    lead = len(sizes) - t.ndim
    shape = list(sizes)
    for i, n in enumerate(t.shape):
        wanted = sizes[lead + i]
        if wanted == -1:
            shape[lead + i] = n
        elif n != wanted and n != 1:
            raise ShapeError(f"expand: cannot expand shape {t.shape} to {sizes}: dimension {i} has "
                             f"size {n}, which is not 1 and not {wanted}")
    return Expand.apply(t, shape=tuple(shape))


@register("expand_as", kind="method")
def expand_as(t: Tensor, other: Tensor) -> Tensor:
    """input expanded to other's shape"""
    return expand(t, other.shape)


@register("broadcast_to")
def broadcast_to(t: Tensor, shape: Sequence[int]) -> Tensor:
    """input expanded to shape"""
    return expand(t, shape)


class SumTo(Function):
    """f(x) = x summed down to `shape` (undoes broadcasting);  the gradient is broadcast back"""
    reads = ((),)

    def forward(self, x, shape):
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                          if n == 1 and x.shape[lead + i] != 1)
        return (x.sum(axis=axes, keepdims=True) if axes else x).reshape(shape)

    def backward(self, grad):
        return grad.expand(self.inputs[0].shape)


@register("sum_to_size", kind="method")
def sum_to_size(t: Tensor, *shape: Any) -> Tensor:
    """input summed down to shape, which it was broadcast from (how the engine undoes broadcasting)"""
    shape = tuple(shape_args(shape))
    if t.shape == shape:
        return t
    return SumTo.apply(t, shape=shape)


# ---- padding and joining -------------------------------------------------------------------

class Pad(Function):
    """f(x) = x surrounded by a constant;  the gradient is the inner part of the upstream one"""

    def forward(self, x, widths, value):
        self.widths = widths
        return self.xp.pad(x, widths, mode="constant", constant_values=value)

    def backward(self, grad):
        return grad[tuple(slice(lo, lo + n) for (lo, _), n in zip(self.widths, self.inputs[0].shape))]


def select_along(t: Tensor, dim: int, positions: Any) -> Tensor:
    """t's slices at `positions` (an integer array on t's device) along `dim`, like
    torch.index_select; a position may repeat, and its gradients then add up (Getitem's backward)."""
    return Getitem.apply(t, index=Index((), (slice(None),) * dim + (positions,)))


def _copied_positions(xp: Any, mode: str, size: int, before: int, after: int) -> Any:
    """For each place of a dim padded by (before, after), the place of the input it copies."""
    j = xp.arange(-before, size + after)
    if mode == "reflect":    # mirrored at the edge elements, which are not repeated: 2 1 | 0 1 2 | 1 0
        return (size - 1) - xp.abs((size - 1) - xp.abs(j))
    if mode == "replicate":  # the edge element, repeated
        return xp.clip(j, 0, size - 1)
    return j % size          # circular: the other end of the dim, as if the dim were a ring


def _crop(t: Tensor, widths: list) -> tuple[Tensor, list]:
    """Negative widths cut elements off, as in PyTorch: t cut, and the widths left to pad."""
    for dim, ((before, after), size) in enumerate(zip(widths, t.shape)):
        if size + min(before, 0) + min(after, 0) < 0:
            raise ShapeError(f"pad: padding ({before}, {after}) crops more than dim {dim} of size {size} holds "
                             f"(input {t.shape})")
    if any(before < 0 or after < 0 for before, after in widths):
        t = t[tuple(slice(-min(before, 0), size + min(after, 0)) for (before, after), size in zip(widths, t.shape))]
    return t, [(max(before, 0), max(after, 0)) for before, after in widths]


def _pad_by_copying(t: Tensor, widths: list, mode: str) -> Tensor:
    """reflect, replicate and circular padding: each padded dim picks its elements from the
    input's (`select_along`), so the gradient of a copied element adds onto its source."""
    if mode == "circular":   # PyTorch crops first, then wraps around what is left
        t, widths = _crop(t, widths)
    for dim, (before, after) in enumerate(widths):
        size = t.shape[dim]
        if (before, after) == (0, 0):
            continue
        if size + before + after < 1 or size < 1:
            raise ShapeError(f"pad: padding ({before}, {after}) leaves nothing to copy from dim {dim} of size "
                             f"{size} (mode={mode!r}, input {t.shape})")
        if mode == "reflect" and max(before, after) >= size:
            raise ShapeError(f"pad: mode='reflect' needs padding smaller than the dim it pads, got ({before}, "
                             f"{after}) for dim {dim} of size {size} (input {t.shape})")
        if mode == "circular" and max(before, after) > size:
            raise ShapeError(f"pad: mode='circular' pads at most the dim's size (it would wrap around more than "
                             f"once), got ({before}, {after}) for dim {dim} of size {size} (input {t.shape})")
        t = select_along(t, dim, _copied_positions(t.xp, mode, size, before, after))
    return t


PAD_MODES = ("constant", "reflect", "replicate", "circular")


@register("pad", kind="functional")
def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad like torch.nn.functional.pad: `pad` lists (before, after) pairs from the LAST dim backwards.

    mode 'constant' fills with `value` (default 0) and pads any dims; 'reflect' mirrors the input at
    its edges, 'replicate' repeats the edge elements, 'circular' wraps around; those three pad the
    last 1-3 dims after a channel dim (and a batch dim). Negative widths crop.
    """
    if mode not in PAD_MODES:
        raise NotImplementedError(f"pad: mode must be one of {', '.join(map(repr, PAD_MODES))}, got {mode!r}")
    try:
        pad = tuple(operator.index(p) for p in pad)
    except TypeError:
        raise TypeError(f"pad: pad must be a tuple of ints, got {pad!r}") from None
    pairs = len(pad) // 2
    if len(pad) % 2 or pairs > input.ndim:
        raise ShapeError(f"pad: expected an even number of at most {2 * input.ndim} values for a tensor of "
                         f"shape {input.shape}, got {tuple(pad)}")
    widths = [(0, 0)] * input.ndim
    for i in range(pairs):
        widths[input.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    if mode == "constant":
        input, widths = _crop(input, widths)
        return Pad.apply(input, widths=tuple(widths), value=0.0 if value is None else value)
    if value is not None and value != 0:
        raise ValueError(f"pad: mode={mode!r} copies the input's own elements and takes no value, got value={value}")
    if not 1 <= pairs <= 3 or input.ndim not in (pairs + 1, pairs + 2):
        # PyTorch's rule: the padded dims follow a channel dim and, optionally, a batch dim.
        raise NotImplementedError(f"pad: mode={mode!r} pads the last 1, 2 or 3 dims of a 2-D/3-D, 3-D/4-D or "
                                  f"4-D/5-D input, got {len(pad)} values for an input of shape {input.shape}")
    return _pad_by_copying(input, widths, mode)


class Cat(Function):
    """f(x1, x2, ...) = the inputs joined along `dim`;  each input gets its slice of the gradient"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it

    def forward(self, *arrays, dim):
        self.dim = dim
        return self.xp.concatenate(arrays, axis=dim)

    def backward(self, grad):
        grads, start = [], 0
        before = (slice(None),) * self.dim
        for t in self.inputs:
            stop = start + t.shape[self.dim]
            grads.append(grad[before + (slice(start, stop),)])
            start = stop
        return tuple(grads)


def _check_joinable(tensors: list, op: str) -> None:
    """cat and stack need Tensors, all on one device (named in the error if not)."""
    if not tensors or not all(isinstance(t, Tensor) for t in tensors):
        raise TypeError(f"{op}: expected a non-empty sequence of Tensors")
    devices = sorted({t.device for t in tensors})
    if len(devices) > 1:
        raise RuntimeError(f"{op}: expected all tensors on one device, got tensors on {' and '.join(devices)}; "
                           f"move them with .to(...) first")


@register("cat", method=False, aliases=("concat", "concatenate"))
def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim."""
    tensors = list(tensors)
    _check_joinable(tensors, "cat")
    first = tensors[0]
    d = wrap_dim(dim, first.ndim, "cat") if first.ndim else 0
    for t in tensors[1:]:
        if t.ndim != first.ndim or any(a != b for i, (a, b) in enumerate(zip(t.shape, first.shape)) if i != d):
            raise ShapeError(f"cat: tensors must have the same shape except in dimension {d}, "
                             f"got {first.shape} and {t.shape}")
    dtype = first.dtype
    for t in tensors[1:]:
        dtype = backend.promote_types(dtype, t.dtype)
    return Cat.apply(*[t.to(dtype) for t in tensors], dim=d)


@register("stack", method=False)
def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors of one shape along a new dim."""
    tensors = list(tensors)
    _check_joinable(tensors, "stack")
    for t in tensors[1:]:
        if t.shape != tensors[0].shape:
            raise ShapeError(f"stack: all tensors must have one shape, got {tensors[0].shape} and {t.shape}")
    d = wrap_dim(dim, tensors[0].ndim + 1, "stack")
    return cat([unsqueeze(t, d) for t in tensors], d)
