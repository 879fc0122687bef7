"""Where the windows of a convolution or a pooling lie, and how their arrays are laid out.

conv2d (ops/conv.py) and pooling (ops/pooling.py) both slide a small window over every image
of an (N, C, H, W) input. This module holds what they share, and no operation: the window
geometry (`Windows`, checked and built by `make_windows`), padding, the memory order of the
arrays, and *im2col*/*col2im*, which copy every window into a column of one matrix and add
such columns back onto the image.

A helper that is written for speed has its plain version right before it (`im2col_reference`
before `im2col`, and so on): the same result, computed the obvious way. The references are
never used in training; tests/test_fast_paths.py checks that each pair agrees.
"""
from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass
from typing import Any, Iterator

from tinygrad_edu import backend
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.tensor import Tensor

# (height, width) at run time: 1-D windows are 2-D ones of height 1. A shape's slice is typed
# tuple[int, ...], so the annotation says that.
Pair = tuple[int, ...]


# ---- the arguments conv2d and pooling share ---------------------------------------------------

def is_int(value: Any) -> bool:
    """An int, a NumPy integer or the like, but not a bool."""
    # type() first: the check runs a dozen times per call, and an ABC isinstance is slow.
    return type(value) is int or (isinstance(value, numbers.Integral) and not isinstance(value, bool))


def pair(value: Any, name: str, op: str) -> Pair:
    """Accept 3 or (3, 2) for a (height, width) setting, as PyTorch does."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2 or not (is_int(values[0]) and is_int(values[1])):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    return int(values[0]), int(values[1])


def line_setting(value: Any, name: str, op: str, fill: int) -> Pair:
    """A 1-D op's setting (3 or (3,)) as the (height, width) pair of the 2-D op it runs: a 1-D op
    works on images of height 1, where the height setting is `fill` (kernel 1, padding 0, ...)."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(values) != 1 or not is_int(values[0]):
        raise TypeError(f"{op}: {name} must be an int or a tuple of one int, got {value!r}")
    return fill, int(values[0])


def check_float(op: str, **tensors: Tensor | None) -> None:
    """Every tensor given (None: left out) is a floating-point Tensor, all of one dtype."""
    present = {name: t for name, t in tensors.items() if t is not None}
    for name, t in present.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
        if not backend.is_floating(t.dtype):
            raise TypeError(f"{op}: {name} must be a floating-point tensor, got {t.dtype}; convert it with .float()")
    dtypes = {t.dtype for t in present.values()}
    if len(dtypes) > 1:
        listed = ", ".join(f"{name} {t.dtype}" for name, t in present.items())
        raise TypeError(f"{op}: all tensors must have one dtype, got {listed}")


def batched(x: Tensor, op: str, dims: int = 2) -> tuple[Tensor, bool]:
    """Accept (N, C, H, W) and, like PyTorch, a single unbatched (C, H, W) image; for a 1-D op
    (dims=1), (N, C, L) and (C, L)."""
    if x.ndim == dims + 1:
        return x.unsqueeze(0), True
    if x.ndim != dims + 2:
        batch, single = ("(N, C, H, W)", "(C, H, W)") if dims == 2 else ("(N, C, L)", "(C, L)")
        raise ShapeError(f"{op}: expected a {dims + 2}-D input {batch} or a {dims + 1}-D one {single}, "
                         f"got shape {x.shape}")
    return x, False


def shown(setting: Pair, dims: int) -> tuple:
    """A setting as the user gave it: a 1-D op's height setting is ours, not theirs."""
    return tuple(setting) if dims == 2 else tuple(setting[1:])


def check_kernel_size(kernel: Pair, op: str, dims: int = 2) -> None:
    if min(kernel) < 1:
        raise ShapeError(f"{op}: kernel_size must be at least 1, got {shown(kernel, dims)}")


# ---- window geometry ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Windows:
    """Where the windows of a convolution or pooling lie on an (N, C, H, W) input.

    Immutable, so one geometry serves every call with the same settings (`make_windows`), and
    what is derived from it is worked out once (cached_property)."""
    kernel: Pair
    stride: Pair
    padding: Pair
    dilation: Pair
    in_size: Pair     # (H, W) before padding
    out_size: Pair    # (OH, OW): how many windows fit down and across
    extra: Pair = (0, 0)   # padding past the bottom/right edge that ceil_mode's last windows reach

    @functools.cached_property
    def span(self) -> Pair:
        """How far one window reaches: a dilated 3×3 kernel with dilation 2 spans 5×5."""
        return tuple(d * (k - 1) + 1 for k, d in zip(self.kernel, self.dilation))

    @functools.cached_property
    def overlapping(self) -> bool:
        """Whether neighbouring windows share pixels (the stride is shorter than the span)."""
        return any(st < sp for st, sp in zip(self.stride, self.span))

    @functools.cached_property
    def tiling(self) -> bool:
        """Whether the windows cover the padded input exactly once (2×2 stride 2 on an even size)."""
        return self.dilation == (1, 1) and all(st == k and n == o * k for st, k, n, o in
                                               zip(self.stride, self.kernel, self.padded_size, self.out_size))

    @functools.cached_property
    def padded_size(self) -> Pair:
        return tuple(n + 2 * p + e for n, p, e in zip(self.in_size, self.padding, self.extra))

    def pixels(self) -> Iterator[Pair]:
        """Each output pixel (p, q), that is each window, row by row."""
        oh, ow = self.out_size
        for p in range(oh):
            for q in range(ow):
                yield p, q

    def window(self, padded: Any, p: int, q: int) -> Any:
        """A view of window (p, q) of every image: shape (N, C, kh, kw), no copy."""
        (sh, sw), (dh, dw), (span_h, span_w) = self.stride, self.dilation, self.span
        return padded[:, :, p * sh: p * sh + span_h: dh, q * sw: q * sw + span_w: dw]

    def offsets(self) -> Iterator[tuple[int, int, int]]:
        """Each position (i, j) inside the kernel, with its flat index k = i·kw + j."""
        kh, kw = self.kernel
        for i in range(kh):
            for j in range(kw):
                yield i * kw + j, i, j

    def at_offset(self, padded: Any, i: int, j: int) -> Any:
        """A view of element (i, j) of every window: shape (N, C, OH, OW), no copy."""
        (sh, sw), (dh, dw), (oh, ow) = self.stride, self.dilation, self.out_size
        return padded[:, :, i * dh: i * dh + sh * (oh - 1) + 1: sh, j * dw: j * dw + sw * (ow - 1) + 1: sw]


def check_settings(op: str, kernel: Any, stride: Any, padding: Any, dilation: Any,
                   dims: int = 2) -> tuple[Pair, Pair, Pair, Pair]:
    """kernel_size, stride, padding and dilation as pairs, each checked to be possible."""
    kernel, stride = pair(kernel, "kernel_size", op), pair(stride, "stride", op)
    padding, dilation = pair(padding, "padding", op), pair(dilation, "dilation", op)
    check_kernel_size(kernel, op, dims)
    if min(stride) < 1:
        raise ShapeError(f"{op}: stride must be at least 1, got {shown(stride, dims)}")
    if min(padding) < 0:
        raise ShapeError(f"{op}: padding must not be negative, got {shown(padding, dims)}")
    if min(dilation) < 1:
        raise ShapeError(f"{op}: dilation must be at least 1, got {shown(dilation, dims)}")
    return kernel, stride, padding, dilation


def make_windows(op: str, in_shape: tuple, kernel: Any, stride: Any, padding: Any, dilation: Any,
                 ceil_mode: bool = False, dims: int = 2) -> Windows:
    """Check the settings against the input's (N, C, H, W) shape and work out the output size
    (`check_windows`), or hand back the geometry already made for the same plain settings.

    Every conv2d and pooling call of a training loop asks with the same few settings, and the
    checks cost about 10-20 µs a call. Only ints and tuples of ints are remembered: 2.0 equals 2
    and hashes alike, and must still be refused."""
    if type(ceil_mode) is bool and all(_plain_setting(s) for s in (kernel, stride, padding, dilation)):
        return _known_windows(op, tuple(in_shape), kernel, stride, padding, dilation, ceil_mode, dims)
    return check_windows(op, in_shape, kernel, stride, padding, dilation, ceil_mode, dims)


def _plain_setting(value: Any) -> bool:
    return type(value) is int or (type(value) is tuple and all(type(v) is int for v in value))


def check_windows(op: str, in_shape: tuple, kernel: Any, stride: Any, padding: Any, dilation: Any,
                  ceil_mode: bool = False, dims: int = 2) -> Windows:
    """Check the settings against the input's (N, C, H, W) shape and work out the output size.
    Settings and shapes that do not fit raise ShapeError (a ValueError, and a RuntimeError as in
    PyTorch). A 1-D op (dims=1) runs on (N, C, 1, L) and its errors show only the width.

    With ceil_mode (pooling), the output size is rounded up: one more window where the last
    one would hang over the end, as long as it starts inside the input or its left padding."""
    kernel, stride, padding, dilation = check_settings(op, kernel, stride, padding, dilation, dims)
    in_size = (in_shape[2], in_shape[3])
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    padded_size = tuple(n + 2 * p for n, p in zip(in_size, padding))
    if any(s > n for s, n in zip(span, padded_size)):
        raise ShapeError(f"{op}: the kernel {shown(kernel, dims)} (reaching {shown(span, dims)} with dilation "
                         f"{shown(dilation, dims)}) is larger than the padded input {shown(padded_size, dims)} (input "
                         f"{tuple(in_shape[:2]) + shown(in_shape[2:], dims)}, padding {shown(padding, dims)})")
    out_size = tuple((-(-(n - s) // st) if ceil_mode else (n - s) // st) + 1    # -(-a // b): a/b rounded up
                     for n, s, st in zip(padded_size, span, stride))
    # PyTorch's rule: the last window must start inside the input or its left padding.
    out_size = tuple(o - 1 if ceil_mode and (o - 1) * st >= n + p else o
                     for o, st, n, p in zip(out_size, stride, in_size, padding))
    extra = tuple(max(0, (o - 1) * st + s - n) for o, st, s, n in zip(out_size, stride, span, padded_size))
    return Windows(kernel, stride, padding, dilation, in_size, out_size, extra)


# A failed check raises and is not remembered; a few hundred geometries cover any real model.
_known_windows = functools.lru_cache(maxsize=256)(check_windows)


# ---- memory order -------------------------------------------------------------------------------
# conv2d's product leaves its output stored channel by channel: (C, N, H, W) in memory, seen as
# (N, C, H, W) through a transposed view (see Conv2d.forward). ReLU and pooling keep that order.
# Arrays made for such a tensor, and its gradients, are stored the same way: elementwise ops
# then walk their operands in step, and the next conv2d's products need no reordering copy.
# The values never depend on the order: the plain version of each helper is named in its docstring.

def stored_channel_first(a: Any) -> bool:
    """Whether an (N, C, H, W) array lies in memory channel by channel, as conv2d's outputs do."""
    return a.ndim == 4 and a.strides[1] > a.strides[0]


def full_like_layout(xp: Any, like: Any, shape: tuple, value: float | None, dtype: Any) -> Any:
    """A new (N, C, H, W) array of `value` (None: left unset), stored in the same order as `like`.

    Plainly, `xp.full(shape, value, dtype=dtype)`: the same values, stored image by image."""
    def new(shape):
        return xp.empty(shape, dtype=dtype) if value is None else xp.full(shape, value, dtype=dtype)
    if stored_channel_first(like):
        return new((shape[1], shape[0]) + tuple(shape[2:])).transpose(1, 0, 2, 3)
    return new(shape)


def contiguous_like_layout(xp: Any, like: Any, a: Any) -> Any:
    """`a` stored without gaps in `like`'s order: `a` itself if it already is, else a copy.

    Plainly, `xp.ascontiguousarray(a)`: the same values, stored image by image."""
    if stored_channel_first(like):
        return xp.ascontiguousarray(a.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
    return xp.ascontiguousarray(a)


def crop_padding(padded: Any, geometry: Windows) -> Any:
    """The view of a padded (N, C, H + 2·ph, W + 2·pw) array without its border."""
    (ph, pw), (h, w) = geometry.padding, geometry.in_size
    return padded[:, :, ph: ph + h, pw: pw + w]


def pad_spatial_reference(xp: Any, x: Any, geometry: Windows, value: float = 0.0) -> Any:
    """x with a border of `value` around every image: a new array, stored image by image."""
    (ph, pw), (eh, ew) = geometry.padding, geometry.extra
    return xp.pad(x, ((0, 0), (0, 0), (ph, ph + eh), (pw, pw + ew)), constant_values=value)


# The same as pad_spatial_reference, but stored in x's order (see "memory order" above), with
# no copy when there is no border, and without xp.pad's 15–25 µs of Python per call
# (docs/benchmarks.md, change 12).
def pad_spatial(xp: Any, x: Any, geometry: Windows, value: float = 0.0) -> Any:
    """x with a border of `value` around every image, stored in x's order."""
    if geometry.padded_size == geometry.in_size:
        return x
    padded = full_like_layout(xp, x, x.shape[:2] + geometry.padded_size, value, x.dtype)
    crop_padding(padded, geometry)[...] = x
    return padded


# ---- im2col and col2im --------------------------------------------------------------------------

def im2col_reference(xp: Any, x: Any, geometry: Windows, groups: int) -> Any:
    """im2col the obvious way: for each output pixel, copy the window it sees into its column."""
    n, c = x.shape[:2]
    padded = pad_spatial_reference(xp, x, geometry)
    cols = xp.zeros((c,) + geometry.kernel + (n,) + geometry.out_size, dtype=x.dtype)   # (C, kh, kw, N, OH, OW)
    for p, q in geometry.pixels():
        cols[..., p, q] = geometry.window(padded, p, q).transpose(1, 2, 3, 0)   # (N, C, kh, kw) → (C, kh, kw, N)
    return cols.reshape(groups, (c // groups) * geometry.kernel[0] * geometry.kernel[1], -1)


# The same columns as im2col_reference, copied with kh·kw large copies (one per kernel offset)
# instead of OH·OW small ones (one per window), into memory that starts on a cache line, where
# the product that reads them runs faster (docs/benchmarks.md, changes 13 and 14).
def im2col(xp: Any, x: Any, geometry: Windows, groups: int) -> Any:
    """The input as columns (groups, C/groups·kh·kw, N·OH·OW): one column per output pixel
    of every image, holding the window that pixel sees.

    The pixels that kernel offset (i, j) meets in every window form one shifted, strided view
    of the padded input (`Windows.at_offset`); copying the kh·kw views into place fills all the
    columns at once. The columns of the whole batch sit side by side, so the convolution
    becomes one matrix product. This is the one real copy of the forward pass.
    """
    n, c = x.shape[:2]
    padded = pad_spatial(xp, x, geometry)
    shape = (c,) + geometry.kernel + (n,) + geometry.out_size                  # (C, kh, kw, N, OH, OW)
    cols = backend.empty_aligned(xp, shape, x.dtype)
    for _, i, j in geometry.offsets():
        cols[:, i, j] = geometry.at_offset(padded, i, j).transpose(1, 0, 2, 3)
    return cols.reshape(groups, (c // groups) * geometry.kernel[0] * geometry.kernel[1], -1)


def col2im_reference(xp: Any, cols: Any, geometry: Windows, shape: tuple) -> Any:
    """col2im the obvious way: for each output pixel, add its column back onto its window."""
    padded = xp.zeros(tuple(shape[:2]) + geometry.padded_size, dtype=cols.dtype)
    for p, q in geometry.pixels():   # cols[..., p, q] is (C, kh, kw, N), the window (N, C, kh, kw)
        geometry.window(padded, p, q)[...] += cols[..., p, q].transpose(3, 0, 1, 2)
    return crop_padding(padded, geometry)


# The same sums as col2im_reference, added in kh·kw large blocks (one per kernel offset)
# instead of OH·OW small ones (one per window).
def col2im(xp: Any, cols: Any, geometry: Windows, shape: tuple) -> Any:
    """im2col run backwards: add each column entry back onto the input pixel it came from.

    `cols` has shape (C, kh, kw, N, OH, OW). Windows overlap, so one pixel can receive
    several contributions; the loop runs over the kh·kw kernel offsets only, and each step
    adds a whole (C, N, OH, OW) block at once. Returns an (N, C, H, W) view.
    """
    n, c = shape[:2]
    padded = xp.zeros((c, n) + geometry.padded_size, dtype=cols.dtype)
    for _, i, j in geometry.offsets():
        geometry.at_offset(padded, i, j)[...] += cols[:, i, j]
    return crop_padding(padded, geometry).transpose(1, 0, 2, 3)


def channels_first_reference(xp: Any, g: Any, groups: int) -> Any:
    """An (N, O, OH, OW) gradient as (groups, O/groups, N·OH·OW), matching im2col's columns."""
    return xp.ascontiguousarray(g.transpose(1, 0, 2, 3)).reshape(groups, g.shape[1] // groups, -1)


# The same as channels_first_reference, but a copy, when one is needed, starts on a 64-byte
# boundary (`backend.empty_aligned`), where the products that read it run faster
# (docs/benchmarks.md, change 14).
def channels_first(xp: Any, g: Any, groups: int) -> Any:
    """An (N, O, OH, OW) gradient as (groups, O/groups, N·OH·OW), matching im2col's columns."""
    by_channel = g.transpose(1, 0, 2, 3)
    if not by_channel.flags.c_contiguous:
        copy = backend.empty_aligned(xp, by_channel.shape, g.dtype)
        copy[...] = by_channel
        by_channel = copy
    return by_channel.reshape(groups, g.shape[1] // groups, -1)
