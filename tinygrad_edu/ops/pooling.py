"""Pooling: every window of an image reduced to one number, its maximum or its mean.

    max_pool2d(x)[n, c, p, q] = max_{i,j} x_pad[n, c, p·s + i·d, q·s + j·d]       (padding: -inf)
    avg_pool2d(x)[n, c, p, q] = 1/(kh·kw) · Σ_{i,j} x_pad[n, c, p·s + i, q·s + j]   (padding: 0)

(avg_pool2d divides by fewer than kh·kw where a window hangs over the edge in ceil_mode, or
leaves out the padding with count_include_pad=False; `window_sizes` says by what.) The 1-D
pools are the 2-D ones on images of height 1; adaptive average pooling picks its own windows.

The windows lie as conv2d's do (ops/windows.py), but each channel is pooled on its own and
there are no weights. Every loop here runs over the kh·kw kernel offsets, not the output
pixels: offset (i, j) of every window at once is one strided view (`Windows.at_offset`).

Every backward is again an operation with its own backward, so gradients of gradients work:

* max pooling picks one element per window (`PickFromWindows`); its backward puts each
  gradient back at the picked place (`PlaceInWindows`), and the other way round. A window's
  gradient goes to its maximum: the first one on ties, and in a window holding NaN its last
  NaN, as in PyTorch.
* average pooling and its backward (`SpreadOverWindows`) are each other's backward too.

Where the code is shaped for speed, its plain version comes right before it
(`place_in_windows_reference`, `max_pool_reference`); tests/test_fast_paths.py checks that
the two agree.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops.matmul import matmul
from tinygrad_edu.ops.windows import (Windows, batched, check_float, check_kernel_size, contiguous_like_layout,
                                      crop_padding, full_like_layout, is_int, line_setting, make_windows, pad_spatial,
                                      pad_spatial_reference, pair, shown)
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor


class PickFromWindows(Function):
    """f(x)[n, c, p, q] = the element of window (p, q) at offset index[n, c, p, q];  df/dx = 1 at
    each picked element, 0 elsewhere

    An element picked by several overlapping windows collects every window's gradient."""

    def forward(self, x, index, geometry):
        self.index, self.geometry = index, geometry
        padded = pad_spatial(self.xp, x, geometry)
        out = self.xp.zeros(index.shape, dtype=x.dtype)
        for k, i, j in geometry.offsets():
            out = self.xp.where(index == k, geometry.at_offset(padded, i, j), out)
        return out

    def backward(self, grad):
        return PlaceInWindows.apply(grad, index=self.index, geometry=self.geometry, in_shape=self.inputs[0].shape)


def place_in_windows_reference(xp: Any, g: Any, index: Any, geometry: Windows, in_shape: tuple) -> Any:
    """PlaceInWindows the plain way: from zeros, add each window's gradient at its picked offset."""
    padded = xp.zeros(tuple(in_shape[:2]) + geometry.padded_size, dtype=g.dtype)
    for k, i, j in geometry.offsets():
        geometry.at_offset(padded, i, j)[...] += xp.where(index == k, g, g.dtype.type(0))
    return crop_padding(padded, geometry)


class PlaceInWindows(Function):
    """f(g) = zeros with g[n, c, p, q] added where window (p, q) picked;  df/dg = PickFromWindows
    (read back from the same place)"""

    def forward(self, g, index, geometry, in_shape):
        self.index, self.geometry = index, geometry
        # place_in_windows_reference's sums, made faster in the three ways below: max pooling's
        # backward runs in every training step of a ConvNet (docs/benchmarks.md, change 10).
        # Made, and g copied if need be, in index's memory order (the forward input's): writing
        # through the strided views below is fast only when all three are walked in step.
        # Where the windows tile the input, the loop writes every element: nothing to zero first.
        # g · mask, which is 3-4 times faster here than selecting with where, is exact only for
        # a finite g: an infinite or NaN gradient must leave 0 in the places not picked, not
        # inf · 0 = nan, as in PyTorch. One look at g (a few % of the time) picks the way.
        xp = self.xp
        padded = full_like_layout(xp, index, in_shape[:2] + geometry.padded_size,
                                  None if geometry.tiling else 0, g.dtype)
        g = contiguous_like_layout(xp, index, g)
        finite, zero = bool(xp.isfinite(g).all()), g.dtype.type(0)
        with backend.ieee_quietly(xp):   # overlapping windows add: inf + -inf is nan, silently
            self._place(xp, padded, g, index, geometry, finite, zero)
        return crop_padding(padded, geometry)

    @staticmethod
    def _place(xp: Any, padded: Any, g: Any, index: Any, geometry: Windows, finite: bool, zero: Any) -> None:
        for k, i, j in geometry.offsets():
            target = geometry.at_offset(padded, i, j)
            picked = index == k
            if geometry.overlapping:
                target += g * picked if finite else xp.where(picked, g, zero)
            elif finite:   # windows that never share a pixel (2×2 stride 2): write, no need to add
                xp.multiply(g, picked, out=target)
            else:
                target[...] = xp.where(picked, g, zero)

    def backward(self, grad):
        return PickFromWindows.apply(grad, index=self.index, geometry=self.geometry)


def max_pool_reference(xp: Any, x: Any, geometry: Windows) -> tuple[Any, Any]:
    """Max pooling the plain way: (each window's maximum, the offset k where it lies).

    The kh·kw elements of every window are stacked, and max and argmax taken over them. argmax
    picks the first maximum on ties, as PyTorch does; a window holding NaN has NaN as maximum
    and, in PyTorch, its last NaN as the place the gradient goes.
    """
    padded = pad_spatial_reference(xp, x, geometry, value=-xp.inf)      # padding never wins a max
    stacked = xp.stack([geometry.at_offset(padded, i, j) for _, i, j in geometry.offsets()])   # (kh·kw, N, C, OH, OW)
    is_nan = xp.isnan(stacked)
    last_nan = len(stacked) - 1 - is_nan[::-1].argmax(axis=0)
    return stacked.max(axis=0), xp.where(is_nan.any(axis=0), last_nan, stacked.argmax(axis=0))


class MaxPool2d(PickFromWindows):
    """f(x)[n, c, p, q] = max of window (p, q);  df/dx = 1 at each window's maximum, 0 elsewhere
    (the first maximum on ties, and the last NaN in a window holding NaN, as in PyTorch)"""

    # max_pool_reference's results, without its stack of kh·kw arrays as large as the output:
    # a running maximum, and the winners counted in place (docs/benchmarks.md, change 11), and
    # only once a gradient is wanted.

    def forward(self, x, geometry):  # type: ignore[override]  # no index: it finds the maxima itself
        self.geometry = geometry
        self.padded, self.best = window_maxima(self.xp, x, geometry)
        return self.best

    def backward(self, grad):
        self.index = self.winning_offsets()    # found only now: evaluation without gradients never needs it
        return super().backward(grad)

    def winning_offsets(self):
        """Which kernel offset k held each window's maximum (the first one, on ties)."""
        return offsets_of_maxima(self.xp, self.padded, self.best, self.geometry)


def window_maxima(xp: Any, x: Any, geometry: Windows) -> tuple[Any, Any]:
    """(the padded input, each window's maximum): max_pool_reference's maxima, as a running maximum."""
    padded = pad_spatial(xp, x, geometry, value=-xp.inf)   # padding never wins a max
    views = [geometry.at_offset(padded, i, j) for _, i, j in geometry.offsets()]   # each (N, C, OH, OW)
    best = views[0]
    for view in views[1:]:
        best = xp.maximum(best, view)                        # NaN spreads, as in PyTorch
    return padded, best if len(views) > 1 else best.copy()  # a 1×1 kernel must not return a view of x


def offsets_of_maxima(xp: Any, padded: Any, best: Any, geometry: Windows) -> Any:
    """Which kernel offset k held each window's maximum (the first one, on ties)."""
    offsets = list(geometry.offsets())
    dtype = xp.uint8 if len(offsets) <= 256 else xp.int64
    index = full_like_layout(xp, best, best.shape, 0, dtype)
    # The first winner's offset is the number of offsets before it that are not the maximum.
    # Counted from the last offset back to the first: index = (offset k loses)·(index + 1).
    # In-place arithmetic on masks, because xp.where and boolean indexing are far slower here.
    for _, i, j in reversed(offsets[:-1]):
        index += 1
        index *= geometry.at_offset(padded, i, j) != best
    if xp.isnan(best).any():
        # A NaN equals nothing, so no offset matched in a window holding one. PyTorch sends
        # that window's gradient to its last NaN: here each NaN overwrites, first to last.
        for k, i, j in offsets:
            is_nan = xp.isnan(geometry.at_offset(padded, i, j))
            index += (index.dtype.type(k) - index) * is_nan
    return index


def flat_input_positions(xp: Any, offsets: Any, geometry: Windows) -> Any:
    """Where each window's maximum lies in its input image, as h·W + w: return_indices's answer."""
    (_, kw), (sh, sw), (dh, dw), (ph, pw) = geometry.kernel, geometry.stride, geometry.dilation, geometry.padding
    oh, ow = geometry.out_size
    offsets = offsets.astype(xp.int64)
    h = xp.arange(oh).reshape(oh, 1) * sh + (offsets // kw) * dh - ph
    w = xp.arange(ow) * sw + (offsets % kw) * dw - pw
    return h * geometry.in_size[1] + w


def window_sizes(xp: Any, geometry: Windows, count_include_pad: bool, divisor_override: int | None, dtype: Any) -> Any:
    """What avg_pool2d divides each window's sum by, as PyTorch does: divisor_override if given,
    else the window's size within the padded input (count_include_pad) or within the input
    itself. A number where it is kh·kw for every window, else an (OH, OW) array."""
    if divisor_override is not None:
        return dtype.type(divisor_override)
    if count_include_pad and geometry.extra == (0, 0):
        return dtype.type(geometry.kernel[0] * geometry.kernel[1])
    counts = []
    for n, p, k, st, o in zip(geometry.in_size, geometry.padding, geometry.kernel, geometry.stride, geometry.out_size):
        start = xp.arange(o) * st - p
        end = xp.minimum(start + k, n + p)             # ceil_mode's extra padding never counts
        if not count_include_pad:
            start, end = xp.maximum(start, 0), xp.minimum(end, n)
        counts.append(end - start)
    return (counts[0].reshape(-1, 1) * counts[1]).astype(dtype)


class AvgPool2d(Function):
    """f(x)[n, c, p, q] = (sum of window (p, q)) / size[p, q];  df/dx = 1/size[p, q] for each
    element of the window (size: `window_sizes`, kh·kw by default)"""

    def forward(self, x, geometry, count_include_pad=True, divisor_override=None):
        self.geometry, self.divisor = geometry, (count_include_pad, divisor_override)
        padded = pad_spatial(self.xp, x, geometry)
        total = self.xp.zeros((x.shape[0], x.shape[1]) + geometry.out_size, dtype=x.dtype)
        # a float32 sum past 3.4e38 is inf, silently
        for _, i, j in geometry.offsets():
            total += geometry.at_offset(padded, i, j)
        return total * (1 / window_sizes(self.xp, geometry, *self.divisor, x.dtype))

    def backward(self, grad):
        return SpreadOverWindows.apply(grad, geometry=self.geometry, in_shape=self.inputs[0].shape,
                                       divisor=self.divisor)


class SpreadOverWindows(Function):
    """f(g) = g[n, c, p, q]/size[p, q] added onto each pixel of window (p, q);  df/dg = avg_pool2d

    This is the backward of avg_pool2d: each gradient shared equally over its window, the
    shares added up where windows overlap."""

    def forward(self, g, geometry, in_shape, divisor=(True, None)):
        self.geometry, self.divisor = geometry, divisor
        padded = self.xp.zeros(in_shape[:2] + geometry.padded_size, dtype=g.dtype)
        share = g * (1 / window_sizes(self.xp, geometry, *divisor, g.dtype))  # type: ignore[call-arg]
        for _, i, j in geometry.offsets():
            geometry.at_offset(padded, i, j)[...] += share
        return crop_padding(padded, geometry)

    def backward(self, grad):
        return AvgPool2d.apply(grad, geometry=self.geometry, count_include_pad=self.divisor[0],
                               divisor_override=self.divisor[1])


def _pool_windows(op: str, x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                  ceil_mode: bool, dims: int) -> Windows:
    """The windows of a pooling of x, an (N, C, H, W) batch (N, C, 1, L for a 1-D pool, dims=1)."""
    check_float(op, input=x)
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        stride = kernel_size    # PyTorch: stride defaults to the kernel
    if dims == 1:
        kernel_size, stride = line_setting(kernel_size, "kernel_size", op, 1), line_setting(stride, "stride", op, 1)
        padding, dilation = line_setting(padding, "padding", op, 0), line_setting(dilation, "dilation", op, 1)
    kernel = pair(kernel_size, "kernel_size", op)
    check_kernel_size(kernel, op, dims)   # first: a bad kernel_size must not be reported as bad padding
    padding = pair(padding, "padding", op)
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise ShapeError(f"{op}: padding {shown(padding, dims)} must be at most half the kernel size "
                         f"{shown(kernel, dims)}")
    return make_windows(op, x.shape, kernel, stride, padding, dilation, ceil_mode, dims)


def _max_pool(op: str, x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool,
              return_indices: bool, dims: int) -> Any:
    x, unbatched = batched(x, op, dims)
    image = x.unsqueeze(2) if dims == 1 else x
    geometry = _pool_windows(op, image, kernel_size, stride, padding, dilation, ceil_mode, dims)
    out = MaxPool2d.apply(image, geometry=geometry)
    results = [out]
    if return_indices:
        xp = x.xp
        offsets = offsets_of_maxima(xp, *window_maxima(xp, image.array, geometry), geometry)
        results.append(Tensor._make(flat_input_positions(xp, offsets, geometry), x._device, False, None))
    results = [r.squeeze(2) if dims == 1 else r for r in results]
    results = [r.squeeze(0) if unbatched else r for r in results]
    return tuple(results) if return_indices else results[0]


def _avg_pool(op: str, x: Tensor, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool,
              count_include_pad: bool, divisor_override: int | None, dims: int) -> Tensor:
    if divisor_override is not None and (not is_int(divisor_override) or divisor_override == 0):
        raise ValueError(f"{op}: divisor_override must be a non-zero int, got {divisor_override!r}")
    x, unbatched = batched(x, op, dims)
    image = x.unsqueeze(2) if dims == 1 else x
    geometry = _pool_windows(op, image, kernel_size, stride, padding, 1, ceil_mode, dims)
    out = AvgPool2d.apply(image, geometry=geometry, count_include_pad=bool(count_include_pad),
                          divisor_override=divisor_override)
    out = out.squeeze(2) if dims == 1 else out
    return out.squeeze(0) if unbatched else out


@register("max_pool2d", kind="functional")
def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The largest value of each kernel_size window; stride defaults to kernel_size, and
    padding counts as -inf (it never wins).

    ceil_mode rounds the number of windows up; return_indices also returns where each maximum
    lies in its input image (h·W + w, int64), as PyTorch does.
    """
    return _max_pool("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2)


@register("avg_pool2d", kind="functional")
def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each kernel_size window; stride defaults to kernel_size, and padding zeros
    count towards the mean (PyTorch's default count_include_pad=True).

    ceil_mode rounds the number of windows up (the part past the padding never counts);
    divisor_override divides every window's sum by that number instead.
    """
    return _avg_pool("avg_pool2d", input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 2)


@register("max_pool1d", kind="functional")
def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """max_pool2d along the last dim of an (N, C, L) or (C, L) input"""
    return _max_pool("max_pool1d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1)


@register("avg_pool1d", kind="functional")
def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """avg_pool2d along the last dim of an (N, C, L) or (C, L) input"""
    return _avg_pool("avg_pool1d", input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1)


# ---- adaptive average pooling ----------------------------------------------------------------

def adaptive_windows_matrix(xp: Any, size: int, out: int, dtype: Any) -> Any:
    """The (out, size) matrix that averages PyTorch's adaptive windows: window i covers
    floor(i·size/out) up to ceil((i+1)·size/out), so windows may differ in size and overlap."""
    i = xp.arange(out).reshape(-1, 1)
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    inside = (xp.arange(size) >= start) & (xp.arange(size) < end)
    return (inside / (end - start)).astype(dtype)


def _output_size(op: str, output_size: Any, in_size: tuple, dims: int) -> tuple[int, ...]:
    """output_size as one int per pooled dim; None keeps the input's size there."""
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * dims
    if len(sizes) != dims or not all(s is None or (is_int(s) and s >= 0) for s in sizes):
        raise ValueError(f"{op}: output_size must be {'an int' if dims == 1 else 'an int or a pair'} of sizes >= 0 "
                         f"(or None to keep a size), got {output_size!r}")
    return tuple(n if s is None else int(s) for s, n in zip(sizes, in_size))


def _adaptive_avg_pool(op: str, x: Tensor, output_size: Any, dims: int) -> Tensor:
    check_float(op, input=x)
    batch, unbatched = batched(x, op, dims)
    in_size = batch.shape[2:]
    if 0 in in_size:
        raise ShapeError(f"{op}: the input must not be empty in the pooled dims, got shape {x.shape}")
    out_size = _output_size(op, output_size, in_size, dims)
    if all(o and n % o == 0 for n, o in zip(in_size, out_size)):
        # Windows that tile the input: plain average pooling, which is faster than the products below.
        kernel = tuple(n // o for n, o in zip(in_size, out_size))
        return avg_pool1d(x, kernel) if dims == 1 else avg_pool2d(x, kernel)
    # Each pooled dim is averaged by a matrix product, so gradients of any order come for free.
    for d, (n, o) in enumerate(zip(in_size, out_size)):
        averages = Tensor._make(adaptive_windows_matrix(x.xp, n, o, x.dtype), x._device, False, None)
        axis = x.ndim - dims + d
        x = matmul(x.transpose(axis, -1), averages.T).transpose(axis, -1)
    return x


@register("adaptive_avg_pool2d", kind="functional")
def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """The mean over each of output_size windows that PyTorch spreads evenly over H and W"""
    return _adaptive_avg_pool("adaptive_avg_pool2d", input, output_size, 2)


@register("adaptive_avg_pool1d", kind="functional")
def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """The mean over each of output_size windows that PyTorch spreads evenly over L"""
    return _adaptive_avg_pool("adaptive_avg_pool1d", input, output_size, 1)
