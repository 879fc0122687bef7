"""Pooling: every window of an image reduced to one number, its maximum or its mean.

    max_pool2d(x)[n, c, p, q] = max_{i,j} x_pad[n, c, p·s + i·d, q·s + j·d]       (padding: -inf)
    avg_pool2d(x)[n, c, p, q] = 1/(kh·kw) · Σ_{i,j} x_pad[n, c, p·s + i, q·s + j]   (padding: 0)

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
from tinygrad_edu.ops.windows import (Windows, batched, check_float, check_kernel_size, contiguous_like_layout,
                                      crop_padding, full_like_layout, make_windows, pad_spatial,
                                      pad_spatial_reference, pair)
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


def place_in_windows_reference(xp, g: Any, index: Any, geometry: Windows, in_shape: tuple) -> Any:
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
    def _place(xp, padded, g, index, geometry: Windows, finite: bool, zero) -> None:
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


def max_pool_reference(xp, x: Any, geometry: Windows) -> tuple[Any, Any]:
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

    def forward(self, x, geometry):
        xp = self.xp
        self.geometry = geometry
        self.padded = pad_spatial(xp, x, geometry, value=-xp.inf)   # padding never wins a max
        views = [geometry.at_offset(self.padded, i, j) for _, i, j in geometry.offsets()]   # each (N, C, OH, OW)
        best = views[0]
        for view in views[1:]:
            best = xp.maximum(best, view)                        # NaN spreads, as in PyTorch
        self.best = best if len(views) > 1 else best.copy()      # a 1×1 kernel must not return a view of x
        return self.best

    def backward(self, grad):
        self.index = self.winning_offsets()    # found only now: evaluation without gradients never needs it
        return super().backward(grad)

    def winning_offsets(self):
        """Which kernel offset k held each window's maximum (the first one, on ties)."""
        xp, geometry = self.xp, self.geometry
        offsets = list(geometry.offsets())
        dtype = xp.uint8 if len(offsets) <= 256 else xp.int64
        index = full_like_layout(xp, self.best, self.best.shape, 0, dtype)
        # The first winner's offset is the number of offsets before it that are not the maximum.
        # Counted from the last offset back to the first: index = (offset k loses)·(index + 1).
        # In-place arithmetic on masks, because xp.where and boolean indexing are far slower here.
        for _, i, j in reversed(offsets[:-1]):
            index += 1
            index *= geometry.at_offset(self.padded, i, j) != self.best
        if xp.isnan(self.best).any():
            # A NaN equals nothing, so no offset matched in a window holding one. PyTorch sends
            # that window's gradient to its last NaN: here each NaN overwrites, first to last.
            for k, i, j in offsets:
                is_nan = xp.isnan(geometry.at_offset(self.padded, i, j))
                index += (index.dtype.type(k) - index) * is_nan
        return index


class AvgPool2d(Function):
    """f(x)[n, c, p, q] = mean of window (p, q), padding zeros included;  df/dx = 1/(kh·kw) for
    each element of the window"""

    def forward(self, x, geometry):
        self.geometry = geometry
        padded = pad_spatial(self.xp, x, geometry)
        total = self.xp.zeros((x.shape[0], x.shape[1]) + geometry.out_size, dtype=x.dtype)
        with backend.ieee_quietly(self.xp):   # a float32 sum past 3.4e38 is inf, silently
            for _, i, j in geometry.offsets():
                total += geometry.at_offset(padded, i, j)
            return total * x.dtype.type(1 / (geometry.kernel[0] * geometry.kernel[1]))

    def backward(self, grad):
        return SpreadOverWindows.apply(grad, geometry=self.geometry, in_shape=self.inputs[0].shape)


class SpreadOverWindows(Function):
    """f(g) = g[n, c, p, q]/(kh·kw) added onto each pixel of window (p, q);  df/dg = avg_pool2d

    This is the backward of avg_pool2d: each gradient shared equally over its window, the
    shares added up where windows overlap."""

    def forward(self, g, geometry, in_shape):
        self.geometry = geometry
        padded = self.xp.zeros(in_shape[:2] + geometry.padded_size, dtype=g.dtype)
        with backend.ieee_quietly(self.xp):
            share = g * g.dtype.type(1 / (geometry.kernel[0] * geometry.kernel[1]))
            for _, i, j in geometry.offsets():
                geometry.at_offset(padded, i, j)[...] += share
        return crop_padding(padded, geometry)

    def backward(self, grad):
        return AvgPool2d.apply(grad, geometry=self.geometry)


def _pool_windows(op: str, x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any) -> Windows:
    check_float(op, input=x)
    kernel = pair(kernel_size, "kernel_size", op)
    check_kernel_size(kernel, op)   # first: a bad kernel_size must not be reported as bad padding
    stride = kernel if stride is None or stride == () else stride   # PyTorch: stride defaults to the kernel
    padding = pair(padding, "padding", op)
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise ShapeError(f"{op}: padding {padding} must be at most half the kernel size {kernel}")
    return make_windows(op, x.shape, kernel, stride, padding, dilation)


@register("max_pool2d", kind="functional")
def max_pool2d(x: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1) -> Tensor:
    """The largest value of each kernel_size window; stride defaults to kernel_size, and
    padding counts as -inf (it never wins)."""
    x, unbatched = batched(x, "max_pool2d")
    out = MaxPool2d.apply(x, geometry=_pool_windows("max_pool2d", x, kernel_size, stride, padding, dilation))
    return out.squeeze(0) if unbatched else out


@register("avg_pool2d", kind="functional")
def avg_pool2d(x: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0) -> Tensor:
    """The mean of each kernel_size window; stride defaults to kernel_size, and padding zeros
    count towards the mean (PyTorch's default count_include_pad=True)."""
    x, unbatched = batched(x, "avg_pool2d")
    out = AvgPool2d.apply(x, geometry=_pool_windows("avg_pool2d", x, kernel_size, stride, padding, 1))
    return out.squeeze(0) if unbatched else out
