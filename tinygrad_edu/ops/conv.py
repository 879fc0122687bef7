"""Convolution and pooling: one small weight pattern (or a max, or an average) slid over an image.

The fast trick is *im2col*: instead of looping over every output pixel, copy the padded
input into a matrix with one column per output pixel, holding the window that pixel sees.
That takes one copy per kernel offset, not per pixel: what offset (i, j) meets in every
window is a shifted, strided view of the input. The whole convolution is then ONE matrix
product with the flattened weights, which BLAS (or the GPU) does very fast.
`tinygrad_edu/study/conv_reference.py` does the same sums with plain loops, to show what a
convolution is.

Every backward here is again an operation with its own backward, so gradients of
gradients work:

* conv2d's input gradient (`ConvInputGrad`) spreads the upstream gradient back over the
  windows (a "transposed convolution"); its weight gradient (`ConvWeightGrad`) correlates
  the upstream gradient with the windows. The three operations are each other's backward.
* max pooling picks one element per window (`PickFromWindows`); its backward puts each
  gradient back at the picked place (`PlaceInWindows`), and the other way round.
* average pooling and its backward (`SpreadOverWindows`) are each other's backward too.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Iterator

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
from tinygrad_edu.ops import movement
from tinygrad_edu.tensor import Tensor

Pair = tuple[int, int]


def _is_int(value: Any) -> bool:
    # type() first: the check runs a dozen times per call, and an ABC isinstance is slow.
    return type(value) is int or (isinstance(value, numbers.Integral) and not isinstance(value, bool))


def pair(value: Any, name: str, op: str) -> Pair:
    """Accept 3 or (3, 2) for a (height, width) setting, as PyTorch does."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2 or not (_is_int(values[0]) and _is_int(values[1])):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    return int(values[0]), int(values[1])


@dataclass(frozen=True)
class Windows:
    """Where the windows of a convolution or pooling lie on an (N, C, H, W) input."""
    kernel: Pair
    stride: Pair
    padding: Pair
    dilation: Pair
    in_size: Pair     # (H, W) before padding
    out_size: Pair    # (OH, OW): how many windows fit down and across

    @property
    def span(self) -> Pair:
        """How far one window reaches: a dilated 3×3 kernel with dilation 2 spans 5×5."""
        return tuple(d * (k - 1) + 1 for k, d in zip(self.kernel, self.dilation))

    @property
    def overlapping(self) -> bool:
        """Whether neighbouring windows share pixels (the stride is shorter than the span)."""
        return any(st < sp for st, sp in zip(self.stride, self.span))

    @property
    def tiling(self) -> bool:
        """Whether the windows cover the padded input exactly once (2×2 stride 2 on an even size)."""
        return self.dilation == (1, 1) and all(st == k and n == o * k for st, k, n, o in
                                               zip(self.stride, self.kernel, self.padded_size, self.out_size))

    @property
    def padded_size(self) -> Pair:
        return tuple(n + 2 * p for n, p in zip(self.in_size, self.padding))

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


def make_windows(op: str, in_shape: tuple, kernel: Any, stride: Any, padding: Any, dilation: Any) -> Windows:
    """Check the settings against the input's (N, C, H, W) shape and work out the output size."""
    kernel, stride = pair(kernel, "kernel_size", op), pair(stride, "stride", op)
    padding, dilation = pair(padding, "padding", op), pair(dilation, "dilation", op)
    if min(kernel) < 1:
        raise ValueError(f"{op}: kernel size must be at least 1, got {kernel}")
    if min(stride) < 1:
        raise ValueError(f"{op}: stride must be at least 1, got {stride}")
    if min(padding) < 0:
        raise ValueError(f"{op}: padding must not be negative, got {padding}")
    if min(dilation) < 1:
        raise ValueError(f"{op}: dilation must be at least 1, got {dilation}")
    in_size = (in_shape[2], in_shape[3])
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    padded_size = tuple(n + 2 * p for n, p in zip(in_size, padding))
    if any(s > n for s, n in zip(span, padded_size)):
        raise ValueError(f"{op}: the kernel {kernel} (reaching {span} with dilation {dilation}) is larger "
                         f"than the padded input {padded_size} (input {tuple(in_shape)}, padding {padding})")
    out_size = tuple((n - s) // st + 1 for n, s, st in zip(padded_size, span, stride))
    return Windows(kernel, stride, padding, dilation, in_size, out_size)


# ---- memory order ------------------------------------------------------------------------
# conv2d's product leaves its output stored channel by channel: (C, N, H, W) in memory, seen as
# (N, C, H, W) through a transposed view (see Conv2d.forward). ReLU and pooling keep that order.
# Arrays made for such a tensor, and its gradients, are stored the same way: elementwise ops
# then walk their operands in step, and the next conv2d's products need no reordering copy.

def stored_channel_first(a: Any) -> bool:
    """Whether an (N, C, H, W) array lies in memory channel by channel, as conv2d's outputs do."""
    return a.ndim == 4 and a.strides[1] > a.strides[0]


def full_like_layout(xp, like: Any, shape: tuple, value: float | None, dtype: Any) -> Any:
    """A new (N, C, H, W) array of `value` (None: left unset), stored in the same order as `like`."""
    def new(shape):
        return xp.empty(shape, dtype=dtype) if value is None else xp.full(shape, value, dtype=dtype)
    if stored_channel_first(like):
        return new((shape[1], shape[0]) + tuple(shape[2:])).transpose(1, 0, 2, 3)
    return new(shape)


def contiguous_like_layout(xp, like: Any, a: Any) -> Any:
    """`a` stored without gaps in `like`'s order: `a` itself if it already is, else a copy."""
    if stored_channel_first(like):
        return xp.ascontiguousarray(a.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
    return xp.ascontiguousarray(a)


def pad_spatial(xp, x: Any, geometry: Windows, value: float = 0.0) -> Any:
    """x with a border of `value` around every image, stored in x's order."""
    if geometry.padding == (0, 0):
        return x
    padded = full_like_layout(xp, x, x.shape[:2] + geometry.padded_size, value, x.dtype)
    crop_padding(padded, geometry)[...] = x
    return padded


def im2col(xp, x: Any, geometry: Windows, groups: int) -> Any:
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


def col2im(xp, cols: Any, geometry: Windows, shape: tuple) -> Any:
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


def crop_padding(padded: Any, geometry: Windows) -> Any:
    (ph, pw), (h, w) = geometry.padding, geometry.in_size
    return padded[:, :, ph: ph + h, pw: pw + w]


def channels_first(xp, g: Any, groups: int) -> Any:
    """An (N, O, OH, OW) gradient as (groups, O/groups, N·OH·OW), matching im2col's columns."""
    by_channel = g.transpose(1, 0, 2, 3)
    if not by_channel.flags.c_contiguous:
        copy = backend.empty_aligned(xp, by_channel.shape, g.dtype)
        copy[...] = by_channel
        by_channel = copy
    return by_channel.reshape(groups, g.shape[1] // groups, -1)


class Conv2d(Function):
    """f(x, w, b)[n, o, p, q] = Σ_{c,i,j} w[o, c, i, j]·x_pad[n, c, p·s + i·d, q·s + j·d] + b[o];  df/dx = ConvInputGrad(g, w), df/dw = ConvWeightGrad(x, g), df/db = Σ_{n,p,q} g

    The input's gradient is the upstream gradient spread back over the windows; the weight's
    is the upstream gradient correlated with the windows; the bias's is the upstream gradient
    summed over every image and pixel. The bias is optional."""

    def forward(self, x, w, b=None, *, geometry, groups, cols=None):
        self.geometry, self.groups = geometry, groups
        if cols is None:
            cols = im2col(self.xp, x, geometry, groups)
        self.cols = cols                       # kept: the weight gradient needs the same columns
        out_channels = w.shape[0]
        weights = w.reshape(groups, out_channels // groups, -1)   # (G, O/G, C/G·kh·kw)
        out = self.xp.matmul(weights, cols)                         # (G, O/G, N·OH·OW): the one GEMM
        if b is not None:
            # Added in place while each channel is one contiguous row: no second output array.
            out += b.reshape(groups, out_channels // groups, 1)
        # The result is laid out channel by channel; a transposed view gives (N, O, OH, OW) without a copy.
        return out.reshape((out_channels, x.shape[0]) + geometry.out_size).transpose(1, 0, 2, 3)

    def backward(self, grad):
        x, w = self.inputs[:2]
        grad_x = grad_w = grad_b = None
        if self.needs_input_grad[0]:
            grad_x = ConvInputGrad.apply(grad, w, geometry=self.geometry, groups=self.groups, in_shape=x.shape)
        if self.needs_input_grad[1]:
            grad_w = ConvWeightGrad.apply(x, grad, geometry=self.geometry, groups=self.groups,
                                          w_shape=w.shape, cols=self.cols)
        if len(self.inputs) == 2:
            return grad_x, grad_w
        if self.needs_input_grad[2]:
            grad_b = grad.sum(dim=(0, 2, 3))
        return grad_x, grad_w, grad_b


class ConvInputGrad(Function):
    """f(g, w) = col2im(Wᵀ·g), conv2d's input gradient;  df/dg = conv2d(·, w), df/dw = ConvWeightGrad(·, g)

    A transposed convolution: columns Wᵀ·g, added back onto the pixels they came from."""

    def forward(self, g, w, geometry, groups, in_shape):
        self.geometry, self.groups = geometry, groups
        out_channels = w.shape[0]
        weights = w.reshape(groups, out_channels // groups, -1).transpose(0, 2, 1)   # (G, C/G·kh·kw, O/G)
        cols = self.xp.matmul(weights, channels_first(self.xp, g, groups))           # (G, C/G·kh·kw, N·OH·OW)
        cols = cols.reshape((in_shape[1],) + geometry.kernel + (in_shape[0],) + geometry.out_size)
        return col2im(self.xp, cols, geometry, in_shape)

    def backward(self, grad):
        g, w = self.inputs
        grad_g = grad_w = None
        if self.needs_input_grad[0]:
            grad_g = Conv2d.apply(grad, w, geometry=self.geometry, groups=self.groups)
        if self.needs_input_grad[1]:
            grad_w = ConvWeightGrad.apply(grad, g, geometry=self.geometry, groups=self.groups, w_shape=w.shape)
        return grad_g, grad_w


class ConvWeightGrad(Function):
    """f(x, g) = g·im2col(x)ᵀ, conv2d's weight gradient;  df/dx = ConvInputGrad(g, ·), df/dg = conv2d(x, ·)

    The product sums over every output pixel of every image."""

    def forward(self, x, g, geometry, groups, w_shape, cols=None):
        self.geometry, self.groups = geometry, groups
        if cols is None:
            cols = im2col(self.xp, x, geometry, groups)
        self.cols = cols
        # Computed as (cols·gᵀ)ᵀ: OpenBLAS runs this product faster with the long N·OH·OW side inside.
        grad_w = self.xp.matmul(cols, channels_first(self.xp, g, groups).transpose(0, 2, 1))   # (G, C/G·kh·kw, O/G)
        return grad_w.transpose(0, 2, 1).reshape(w_shape)

    def backward(self, grad):
        x, g = self.inputs
        grad_x = grad_g = None
        if self.needs_input_grad[0]:
            grad_x = ConvInputGrad.apply(g, grad, geometry=self.geometry, groups=self.groups, in_shape=x.shape)
        if self.needs_input_grad[1]:
            grad_g = Conv2d.apply(x, grad, geometry=self.geometry, groups=self.groups, cols=self.cols)
        return grad_x, grad_g


def _resolve_string_padding(padding: str, x: Tensor, kernel: Pair, dilation: Pair, stride: Pair) -> tuple[Tensor, Pair]:
    """padding='valid' is no padding; 'same' keeps H and W (stride 1), padding an odd extra
    row or column at the bottom/right as PyTorch does."""
    if padding == "valid":
        return x, (0, 0)
    if padding != "same":
        raise ValueError(f"conv2d: padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
    if stride != (1, 1):
        raise ValueError(f"conv2d: padding='same' needs stride 1, got stride {stride}")
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    if all(t % 2 == 0 for t in totals):
        return x, (totals[0] // 2, totals[1] // 2)
    (th, tw) = totals
    x = movement.pad(x, (tw // 2, tw - tw // 2, th // 2, th - th // 2))
    return x, (0, 0)


def _check_float(op: str, **tensors: Tensor | None) -> None:
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


def _batched(x: Tensor, op: str) -> tuple[Tensor, bool]:
    """Accept (N, C, H, W) and, like PyTorch, a single unbatched (C, H, W) image."""
    if x.ndim == 3:
        return x.unsqueeze(0), True
    if x.ndim != 4:
        raise ValueError(f"{op}: expected a 4-D input (N, C, H, W) or a 3-D one (C, H, W), got shape {x.shape}")
    return x, False


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (strictly, cross-correlation, as in every deep learning library).

    x: (N, C, H, W) or (C, H, W); weight: (O, C/groups, kh, kw); bias: (O,) or None.
    Returns (N, O, OH, OW) with OH = (H + 2·padding - dilation·(kh - 1) - 1) // stride + 1.
    """
    op = "conv2d"
    _check_float(op, input=x, weight=weight, bias=bias)
    x, unbatched = _batched(x, op)
    if weight.ndim != 4:
        raise ValueError(f"{op}: weight must be 4-D (out_channels, in_channels/groups, kh, kw), "
                         f"got shape {weight.shape}")
    if not _is_int(groups) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    out_channels, channels_per_group = weight.shape[:2]
    if x.shape[1] % groups or out_channels % groups:
        raise ValueError(f"{op}: groups={groups} must divide both the input channels ({x.shape[1]}, input "
                         f"{x.shape}) and the output channels ({out_channels}, weight {weight.shape})")
    if x.shape[1] != channels_per_group * groups:
        raise ValueError(f"{op}: input {x.shape} has {x.shape[1]} channels, but weight {weight.shape} with "
                         f"groups={groups} expects {channels_per_group * groups}")
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(f"{op}: bias must have shape ({out_channels},) for weight {weight.shape}, got {bias.shape}")
    kernel = weight.shape[2:]
    if isinstance(padding, str):
        dilation, stride = pair(dilation, "dilation", op), pair(stride, "stride", op)
        x, padding = _resolve_string_padding(padding, x, kernel, dilation, stride)
    geometry = make_windows(op, x.shape, kernel, stride, padding, dilation)
    tensors = (x, weight) if bias is None else (x, weight, bias)
    out = Conv2d.apply(*tensors, geometry=geometry, groups=groups)
    return out.squeeze(0) if unbatched else out


class PickFromWindows(Function):
    """f(x)[n, c, p, q] = the element of window (p, q) at offset index[n, c, p, q];  df/dx = 1 at each picked element, 0 elsewhere

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


class PlaceInWindows(Function):
    """f(g) = zeros with g[n, c, p, q] added where window (p, q) picked;  df/dg = PickFromWindows (read back from the same place)"""

    def forward(self, g, index, geometry, in_shape):
        self.index, self.geometry = index, geometry
        # Made, and g copied if need be, in index's memory order (the forward input's): writing
        # through the strided views below is fast only when all three are walked in step.
        # Where the windows tile the input, the loop writes every element: nothing to zero first.
        padded = full_like_layout(self.xp, index, in_shape[:2] + geometry.padded_size,
                                  None if geometry.tiling else 0, g.dtype)
        g = contiguous_like_layout(self.xp, index, g)
        for k, i, j in geometry.offsets():
            target = geometry.at_offset(padded, i, j)
            if geometry.overlapping:
                target += g * (index == k)
            else:   # windows that never share a pixel (2×2 stride 2): write, no need to add
                self.xp.multiply(g, index == k, out=target)
        return crop_padding(padded, geometry)

    def backward(self, grad):
        return PickFromWindows.apply(grad, index=self.index, geometry=self.geometry)


class MaxPool2d(PickFromWindows):
    """f(x)[n, c, p, q] = max of window (p, q);  df/dx = 1 at each window's maximum (the first on ties, as PyTorch), 0 elsewhere"""

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
    """f(x)[n, c, p, q] = mean of window (p, q), padding zeros included;  df/dx = 1/(kh·kw) for each element of the window"""

    def forward(self, x, geometry):
        self.geometry = geometry
        padded = pad_spatial(self.xp, x, geometry)
        total = self.xp.zeros((x.shape[0], x.shape[1]) + geometry.out_size, dtype=x.dtype)
        for _, i, j in geometry.offsets():
            total += geometry.at_offset(padded, i, j)
        return total * x.dtype.type(1 / (geometry.kernel[0] * geometry.kernel[1]))

    def backward(self, grad):
        return SpreadOverWindows.apply(grad, geometry=self.geometry, in_shape=self.inputs[0].shape)


class SpreadOverWindows(Function):
    """f(g) = each g[n, c, p, q] shared equally over window (p, q), added where windows overlap;  df/dg = avg_pool2d

    This is the backward of avg_pool2d."""

    def forward(self, g, geometry, in_shape):
        self.geometry = geometry
        share = g * g.dtype.type(1 / (geometry.kernel[0] * geometry.kernel[1]))
        padded = self.xp.zeros(in_shape[:2] + geometry.padded_size, dtype=g.dtype)
        for _, i, j in geometry.offsets():
            geometry.at_offset(padded, i, j)[...] += share
        return crop_padding(padded, geometry)

    def backward(self, grad):
        return AvgPool2d.apply(grad, geometry=self.geometry)


def _pool_windows(op: str, x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any) -> Windows:
    _check_float(op, input=x)
    kernel = pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None or stride == () else stride   # PyTorch: stride defaults to the kernel
    padding = pair(padding, "padding", op)
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise ValueError(f"{op}: padding {padding} must be at most half the kernel size {kernel}")
    return make_windows(op, x.shape, kernel, stride, padding, dilation)


def max_pool2d(x: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1) -> Tensor:
    """The largest value of each kernel_size window; stride defaults to kernel_size, and
    padding counts as -inf (it never wins)."""
    x, unbatched = _batched(x, "max_pool2d")
    out = MaxPool2d.apply(x, geometry=_pool_windows("max_pool2d", x, kernel_size, stride, padding, dilation))
    return out.squeeze(0) if unbatched else out


def avg_pool2d(x: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0) -> Tensor:
    """The mean of each kernel_size window; stride defaults to kernel_size, and padding zeros
    count towards the mean (PyTorch's default count_include_pad=True)."""
    x, unbatched = _batched(x, "avg_pool2d")
    out = AvgPool2d.apply(x, geometry=_pool_windows("avg_pool2d", x, kernel_size, stride, padding, 1))
    return out.squeeze(0) if unbatched else out
