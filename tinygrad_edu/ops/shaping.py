"""Shaping: ops that cut a tensor into pieces, or rearrange, repeat or reverse its elements.

Most are made of the views in movement.py (reshape, permute, expand) and of basic indexing, so
their gradients come from there: a piece of a split is a slice of its tensor, and its gradient
lands in that slice. The three that compute a new arrangement have a Function whose backward
undoes it: flip flips the gradient back, roll rolls it back, repeat sums the copies.
"""
from __future__ import annotations

import operator
from typing import Any, Sequence

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.ops.movement import permute, reshape, transpose
from tinygrad_edu.ops.reduce import normalize_dims
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.selection import index_select
from tinygrad_edu.ops.shapes import shape_args, wrap_dim
from tinygrad_edu.tensor import Tensor


def _whole(value: Any, op: str, what: str) -> int:
    """An int (or an integer 0-d tensor) given for a size, a start or a shift."""
    try:
        if isinstance(value, bool):
            raise TypeError
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{op}: {what} must be an int, got {type(value).__name__}") from None


def _ints(values: Any, op: str, what: str) -> tuple[int, ...]:
    """An int or a sequence of ints, as a tuple."""
    if isinstance(values, (tuple, list)):
        return tuple(_whole(v, op, what) for v in values)
    return (_whole(values, op, what),)


def _dims_of(t: Tensor, op: str) -> None:
    if t.ndim == 0:
        raise ShapeError(f"{op}: expected a tensor with at least 1 dim, got a 0-d tensor")


# ---- cutting into pieces --------------------------------------------------------------------

@register("narrow")
def narrow(input: Tensor, dim: int, start: Any, length: Any) -> Tensor:
    """The view of input along dim from start (negative: from the end) for length elements"""
    _dims_of(input, "narrow")
    d = wrap_dim(dim, input.ndim, "narrow")
    size, start, length = input.shape[d], _whole(start, "narrow", "start"), _whole(length, "narrow", "length")
    if not -size <= start <= size:
        raise IndexError(f"narrow: start {start} is out of range for dim {d} of size {size}")
    if start < 0:   # -1 is the last element, as in PyTorch
        start += size
    if length < 0 or start + length > size:
        raise ShapeError(f"narrow: start ({start}) + length ({length}) must lie within dim {d} of size {size} "
                         f"(input of shape {input.shape})")
    return input[(slice(None),) * d + (slice(start, start + length),)]


def _pieces(t: Tensor, d: int, sizes: Sequence[int]) -> tuple[Tensor, ...]:
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    return tuple(narrow(t, d, start, n) for start, n in zip(starts, sizes))


@register("split")
def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of split_size_or_sections elements along dim (the last may be smaller), or of the listed sizes"""
    _dims_of(tensor, "split")
    d = wrap_dim(dim, tensor.ndim, "split")
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, (tuple, list)):
        sizes = _ints(split_size_or_sections, "split", "a section size")
        if any(s < 0 for s in sizes) or sum(sizes) != n:
            raise ShapeError(f"split: section sizes {list(sizes)} must be non-negative and add up to {n}, the size "
                             f"of dim {d} (tensor of shape {tensor.shape})")
        return _pieces(tensor, d, sizes)
    size = _whole(split_size_or_sections, "split", "split_size")
    if size < 0 or (size == 0 and n):
        raise ValueError(f"split: split_size must be positive (0 only for an empty dim), got {size} for dim {d} "
                         f"of size {n}")
    if n == 0:
        return (tensor,)
    return _pieces(tensor, d, [size] * (n // size) + ([n % size] if n % size else []))


@register("chunk")
def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most `chunks` views of equal size along dim (the last may be smaller, and there may be fewer)"""
    _dims_of(input, "chunk")
    chunks = _whole(chunks, "chunk", "chunks")
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    d = wrap_dim(dim, input.ndim, "chunk")
    n = input.shape[d]
    if n == 0:   # PyTorch hands back `chunks` empty pieces
        return _pieces(input, d, [0] * chunks)
    return split(input, -(-n // chunks), d)


@register("unbind")
def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The views of input at each position along dim, that dim removed"""
    _dims_of(input, "unbind")
    d = wrap_dim(dim, input.ndim, "unbind")
    return tuple(input[(slice(None),) * d + (i,)] for i in range(input.shape[d]))


# ---- reversing and rolling ------------------------------------------------------------------

class Flip(Function):
    """f(x) = x with the order of its elements along dims reversed;  the gradient is reversed back"""
    reads = ((),)

    def forward(self, x, dims):
        self.dims = dims
        return self.xp.flip(x, axis=dims).copy() if dims else x.copy()   # a copy, as in PyTorch

    def backward(self, grad):
        return Flip.apply(grad, dims=self.dims)


@register("flip")
def flip(input: Tensor, dims: Any, *more_dims: int) -> Tensor:
    """input with the order of elements reversed along dims: flip(x, (0, 1)), x.flip(0, 1)"""
    wanted = _ints(dims, "flip", "a dim") + _ints(list(more_dims), "flip", "a dim")
    normalized = normalize_dims(wanted, input.ndim, "flip") if wanted else ()
    return Flip.apply(input, dims=normalized if input.ndim else ())


@register("fliplr")
def fliplr(input: Tensor) -> Tensor:
    """input with its dim 1 (left-right) reversed; needs at least 2 dims"""
    if input.ndim < 2:
        raise ShapeError(f"fliplr: input must have at least 2 dims, got shape {input.shape}")
    return Flip.apply(input, dims=(1,))


@register("flipud")
def flipud(input: Tensor) -> Tensor:
    """input with its dim 0 (up-down) reversed; needs at least 1 dim"""
    _dims_of(input, "flipud")
    return Flip.apply(input, dims=(0,))


class Roll(Function):
    """f(x) = x shifted cyclically by shifts along dims (or flattened, for dims None);
    the gradient is shifted back"""
    reads = ((),)

    def forward(self, x, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return self.xp.roll(x, shifts, axis=dims)

    def backward(self, grad):
        back = -self.shifts if self.dims is None else tuple(-s for s in self.shifts)
        return Roll.apply(grad, shifts=back, dims=self.dims)


@register("roll")
def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """input shifted cyclically along dims, elements leaving one end coming back at the other"""
    shifts = _ints(shifts, "roll", "a shift")
    if dims is None:
        if len(shifts) != 1:
            raise ValueError(f"roll: without dims, give one shift (of the flattened tensor), got {shifts}")
        return Roll.apply(input, shifts=shifts[0], dims=None)
    dims = _ints(dims, "roll", "a dim")
    if len(shifts) != len(dims):
        raise ValueError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    _dims_of(input, "roll")
    return Roll.apply(input, shifts=shifts, dims=tuple(wrap_dim(d, input.ndim, "roll") for d in dims))


# ---- repeating ------------------------------------------------------------------------------

class Repeat(Function):
    """f(x) = x tiled repeats[i] times along each dim i (leading new dims for extra repeats);
    df/dx = 1 for each copy, so the gradient is the sum over the copies"""
    reads = ((),)

    def forward(self, x, repeats):
        self.repeats = repeats
        return self.xp.tile(x.reshape((1,) * (len(repeats) - x.ndim) + x.shape), repeats)

    def backward(self, grad):
        shape = self.inputs[0].shape
        padded = (1,) * (len(self.repeats) - len(shape)) + shape
        # copy r of element j of dim i sits at r * n + j: split each dim into (copies, n)
        split_dims = tuple(size for r, n in zip(self.repeats, padded) for size in (r, n))
        copies = tuple(range(0, len(split_dims), 2))
        return grad.reshape(split_dims).sum(dim=copies).reshape(shape)


@register("repeat", kind="method")
def repeat(input: Tensor, *repeats: Any) -> Tensor:
    """input tiled repeats[i] times along dim i: x.repeat(2, 1); more repeats than dims add leading dims"""
    repeats = _ints(list(shape_args(repeats)), "repeat", "a repeat count")
    if not repeats:
        raise TypeError("repeat: give the number of repeats for each dim, e.g. x.repeat(2, 1)")
    if len(repeats) < input.ndim:
        raise ShapeError(f"repeat: {len(repeats)} repeat counts {repeats} are fewer than the {input.ndim} dims of "
                         f"a tensor of shape {input.shape}")
    if any(r < 0 for r in repeats):
        raise ValueError(f"repeat: repeat counts must be non-negative, got {repeats}")
    return Repeat.apply(input, repeats=repeats)


@register("tile")
def tile(input: Tensor, dims: Any, *more_dims: int) -> Tensor:
    """input repeated dims[i] times along each dim, fewer dims than input counting as leading 1s"""
    repeats = _ints(dims, "tile", "a repeat count") + _ints(list(more_dims), "tile", "a repeat count")
    return repeat(input, (1,) * (input.ndim - len(repeats)) + repeats)


@register("repeat_interleave")
def repeat_interleave(input: Tensor, repeats: Any = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Each element (or slice along dim) of input repeated `repeats` times in place: [1, 2] -> [1, 1, 2, 2]"""
    if repeats is None:   # torch.repeat_interleave(counts): each position repeated its count times
        input, repeats = Tensor._make(input.xp.arange(input.numel()), input._device, False, None), input
    if dim is None:
        input, d = input.reshape(-1), 0
    else:
        d = wrap_dim(dim, input.ndim, "repeat_interleave")
    n = (input.shape or (1,))[d]
    counts = _repeat_counts(repeats, n, input)
    total = int(counts.sum())
    if output_size is not None and output_size != total:
        raise ValueError(f"repeat_interleave: output_size {output_size} differs from the {total} elements made")
    # position k of the result comes from the element whose run of copies covers k
    positions = input.xp.searchsorted(input.xp.cumsum(counts), input.xp.arange(total), side="right")
    index = Tensor._make(positions.astype(backend.int64), input._device, False, None)
    return index_select(input if input.ndim else input.reshape(1), d, index)


def _repeat_counts(repeats: Any, n: int, input: Tensor) -> Any:
    """repeat_interleave's counts as an integer array of n entries (one count broadcasts)."""
    xp = input.xp
    if isinstance(repeats, Tensor):
        if repeats.dtype.kind not in "iu":
            raise DTypeError(f"repeat_interleave: repeats must be an integer tensor, got {repeats.dtype}")
        if repeats.ndim > 1:
            raise ShapeError(f"repeat_interleave: repeats must be 0-d or 1-d, got shape {repeats.shape}")
        counts = backend.to_device(repeats.array, input.device).reshape(-1)
    else:
        counts = xp.asarray([_whole(repeats, "repeat_interleave", "repeats")])
    if counts.shape[0] == 1:
        counts = xp.broadcast_to(counts, (n,))
    if counts.shape[0] != n:
        raise ShapeError(f"repeat_interleave: {counts.shape[0]} repeat counts for a dim of size {n}")
    if counts.size and int(counts.min()) < 0:
        raise ValueError(f"repeat_interleave: repeats must be non-negative, got {int(counts.min())}")
    return counts


# ---- new shapes and dim orders (views) --------------------------------------------------------

@register("view_as", kind="method")
def view_as(input: Tensor, other: Tensor) -> Tensor:
    """input viewed in other's shape"""
    return reshape(input, _shape_of(other, "view_as"))


@register("reshape_as", kind="method")
def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    """input reshaped to other's shape"""
    return reshape(input, _shape_of(other, "reshape_as"))


def _shape_of(other: Any, op: str) -> tuple[int, ...]:
    if not isinstance(other, Tensor):
        raise TypeError(f"{op}: other must be a Tensor, got {type(other).__name__}")
    return other.shape


@register("unflatten")
def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """input with dim split into several of the given sizes (one may be -1)"""
    _dims_of(input, "unflatten")
    d = wrap_dim(dim, input.ndim, "unflatten")
    sizes = _ints(list(sizes), "unflatten", "a size")
    if not sizes:
        raise ValueError("unflatten: sizes must not be empty")
    known = 1
    for n in sizes:
        known *= n if n != -1 else 1
    n = input.shape[d]
    unknown = sizes.count(-1)
    fits = (unknown == 0 and known == n) or (unknown == 1 and known > 0 and n % known == 0)
    if unknown > 1 or any(s < -1 for s in sizes) or not fits:
        raise ShapeError(f"unflatten: sizes {list(sizes)} do not multiply up to {n}, the size of dim {d} "
                         f"(input of shape {input.shape})")
    sizes = tuple(n // known if s == -1 else s for s in sizes)
    return reshape(input, input.shape[:d] + sizes + input.shape[d + 1:])


@register("movedim", aliases=("moveaxis",))
def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """input with the dims in source moved to the positions in destination, the others keeping their order"""
    source, destination = _ints(source, "movedim", "a dim"), _ints(destination, "movedim", "a dim")
    if len(source) != len(destination):
        raise ValueError(f"movedim: source {source} and destination {destination} must name as many dims")
    for dims in (source, destination):
        normalize_dims(dims, input.ndim, "movedim")   # each in range, none named twice
    if input.ndim == 0:
        return permute(input)
    source = tuple(wrap_dim(s, input.ndim, "movedim") for s in source)
    destination = tuple(wrap_dim(s, input.ndim, "movedim") for s in destination)
    order = [d for d in range(input.ndim) if d not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return permute(input, order)


@register("swapaxes")
def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """input with dims axis0 and axis1 swapped (NumPy's name for transpose)"""
    return transpose(input, axis0, axis1)


@register("swapdims")
def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """input with dims dim0 and dim1 swapped (transpose)"""
    return transpose(input, dim0, dim1)


@register("meshgrid", method=False)
def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors: grid i holds tensors[i] along dim i ("ij"; "xy" swaps the first two)"""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if not tensors or not all(isinstance(t, Tensor) for t in tensors):
        raise TypeError("meshgrid: expected one or more Tensors")
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for t in tensors:
        if t.ndim > 1:
            raise ShapeError(f"meshgrid: expected 0-d or 1-d tensors, got one of shape {t.shape}")
        if t.dtype != tensors[0].dtype or t.device != tensors[0].device:
            raise DTypeError(f"meshgrid: expected tensors of one dtype on one device, got {tensors[0].dtype} on "
                             f"{tensors[0].device} and {t.dtype} on {t.device}")
    if indexing == "xy" and len(tensors) > 1:   # x varies along columns: swap the first two dims
        first, second, *rest = meshgrid(tensors[1], tensors[0], *tensors[2:], indexing="ij")
        return (second, first, *rest)
    vectors = [t.reshape(-1) for t in tensors]
    shape = tuple(v.shape[0] for v in vectors)
    return tuple(v.reshape(tuple(n if i == k else 1 for k, n in enumerate(shape))).expand(shape)
                 for i, v in enumerate(vectors))
