"""Convolution: one small weight pattern slid over an image.

    out[n, o, p, q] = b[o] + Σ_{c,i,j} w[o, c, i, j]·x_pad[n, c, p·s + i·d, q·s + j·d]

Each output pixel (p, q) is the weighted sum of the window of the (padded) input it sees
(s: stride, d: dilation; with groups, c runs over the input channels of o's group).
`tinygrad_edu/study/conv_reference.py` does these sums, and the gradients', with plain loops;
the tests check the fast code below against them.

The fast trick is *im2col* (ops/windows.py): instead of looping over every output pixel,
copy the padded input into a matrix with one column per output pixel, holding the window
that pixel sees. That takes one copy per kernel offset, not per pixel: what offset (i, j)
meets in every window is a shifted, strided view of the input. The whole convolution is then
ONE matrix product with the flattened weights, which BLAS (or the GPU) does very fast.

Every backward here is again an operation with its own backward, so gradients of gradients
work: the input gradient (`ConvInputGrad`) spreads the upstream gradient back over the
windows (a "transposed convolution", im2col run backwards: col2im); the weight gradient
(`ConvWeightGrad`) correlates the upstream gradient with the windows. The three operations
are each other's backward.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu.autograd import Function
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops import conv_shifted, movement
from tinygrad_edu.ops.windows import (Pair, Windows, batched, channels_first, check_float, check_settings, col2im,
                                      im2col, is_int, line_setting, make_windows, pair, shown)
from tinygrad_edu.ops.reduce import Sum
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor


class Conv2d(Function):
    """f(x, w, b)[n, o, p, q] = Σ_{c,i,j} w[o, c, i, j]·x_pad[n, c, p·s + i·d, q·s + j·d] + b[o];
    df/dx = ConvInputGrad(g, w), df/dw = ConvWeightGrad(x, g), df/db = Σ_{n,p,q} g

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
        # overflow gives inf, inf·0 nan, silently
        out = self.xp.matmul(weights, cols)                     # (G, O/G, N·OH·OW): the one GEMM
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
        if self.needs_input_grad[2]:   # grad.sum(dim=(0, 2, 3)), without sum()'s checks of dims known to be right
            grad_b = Sum.apply(grad, dim=(0, 2, 3), keepdim=False)
        return grad_x, grad_w, grad_b


class ConvInputGrad(Function):
    """f(g, w) = col2im(Wᵀ·g), conv2d's input gradient;  df/dg = conv2d(·, w),
    df/dw = ConvWeightGrad(·, g)

    A transposed convolution: columns Wᵀ·g, added back onto the pixels they came from."""

    def forward(self, g, w, geometry, groups, in_shape):
        self.geometry, self.groups = geometry, groups
        if conv_shifted.covers(geometry, groups):   # stride 1: the same sums, without col2im's short rows
            return conv_shifted.input_grad_shifted(self.xp, g, w, geometry, in_shape)
        out_channels = w.shape[0]
        weights = w.reshape(groups, out_channels // groups, -1).transpose(0, 2, 1)   # (G, C/G·kh·kw, O/G)
        cols = self.xp.matmul(weights, channels_first(self.xp, g, groups))       # (G, C/G·kh·kw, N·OH·OW)
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
    """f(x, g) = g·im2col(x)ᵀ, conv2d's weight gradient;  df/dx = ConvInputGrad(g, ·),
    df/dg = conv2d(x, ·)

    The product sums over every output pixel of every image."""

    def forward(self, x, g, geometry, groups, w_shape, cols=None):
        self.geometry, self.groups = geometry, groups
        if cols is None:
            cols = im2col(self.xp, x, geometry, groups)
        self.cols = cols
        # Plainly g·colsᵀ, matmul(channels_first(g), colsᵀ). Computed as (cols·gᵀ)ᵀ, the same
        # product, because OpenBLAS runs it faster with the long N·OH·OW side inside.
        g_rows = channels_first(self.xp, g, groups).transpose(0, 2, 1)
        grad_w = self.xp.matmul(cols, g_rows)   # (G, C/G·kh·kw, O/G)
        return grad_w.transpose(0, 2, 1).reshape(w_shape)

    def backward(self, grad):
        x, g = self.inputs
        grad_x = grad_g = None
        if self.needs_input_grad[0]:
            grad_x = ConvInputGrad.apply(g, grad, geometry=self.geometry, groups=self.groups, in_shape=x.shape)
        if self.needs_input_grad[1]:
            grad_g = Conv2d.apply(x, grad, geometry=self.geometry, groups=self.groups, cols=self.cols)
        return grad_x, grad_g


class ConvTranspose2d(ConvInputGrad):
    """f(x, w) = col2im(Wᵀ·x), conv2d's input gradient used as an op of its own;  df/dx = conv2d(·, w),
    df/dw = ConvWeightGrad(·, x)

    Each input pixel spreads its value, weighted by the kernel, over a window of the output:
    the transpose of conv2d's gathering of a window into one pixel. The weight keeps conv2d's
    layout, seen from the other side: (in_channels, out_channels/groups, kh, kw)."""


def _resolve_string_padding(op: str, padding: str, x: Tensor, kernel: Pair, dilation: Pair, stride: Pair,
                            dims: int) -> tuple[Tensor, Pair]:
    """padding='valid' is no padding; 'same' keeps H and W (stride 1), padding an odd extra
    row or column at the bottom/right as PyTorch does."""
    if padding == "valid":
        return x, (0, 0)
    if padding != "same":
        raise ValueError(f"{op}: padding must be an int, a {'pair' if dims == 2 else 'tuple of one int'}, "
                         f"'valid' or 'same', got {padding!r}")
    if stride != (1, 1):
        raise ValueError(f"{op}: padding='same' needs stride 1, got stride {shown(stride, dims)}")
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    if all(t % 2 == 0 for t in totals):
        return x, (totals[0] // 2, totals[1] // 2)
    (th, tw) = totals
    x = movement.pad(x, (tw // 2, tw - tw // 2, th // 2, th - th // 2))
    return x, (0, 0)


def _check_convolution(op: str, x: Tensor, weight: Tensor, bias: Tensor | None, groups: Any, dims: int,
                       transposed: bool = False) -> None:
    """The shapes, dtypes and groups of a convolution, checked on the tensors as the user gave them."""
    check_float(op, input=x, weight=weight, bias=bias)
    batched(x, op, dims)   # only its check of the input's rank
    sides = "in_channels, out_channels/groups" if transposed else "out_channels, in_channels/groups"
    if weight.ndim != dims + 2:
        raise ShapeError(f"{op}: weight must be {dims + 2}-D ({sides}, {'kh, kw' if dims == 2 else 'k'}), "
                         f"got shape {weight.shape}")
    if not is_int(groups) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    channels = x.shape[-dims - 1]
    if transposed:
        if weight.shape[0] % groups:
            raise ShapeError(f"{op}: groups={groups} must divide the input channels ({weight.shape[0]}, weight "
                             f"{weight.shape})")
        if channels != weight.shape[0]:
            raise ShapeError(f"{op}: input {x.shape} has {channels} channels, but weight {weight.shape} expects "
                             f"{weight.shape[0]}")
        out_channels = weight.shape[1] * groups
    else:
        out_channels, channels_per_group = weight.shape[:2]
        if channels % groups or out_channels % groups:
            raise ShapeError(f"{op}: groups={groups} must divide both the input channels ({channels}, input "
                             f"{x.shape}) and the output channels ({out_channels}, weight {weight.shape})")
        if channels != channels_per_group * groups:
            raise ShapeError(f"{op}: input {x.shape} has {channels} channels, but weight {weight.shape} with "
                             f"groups={groups} expects {channels_per_group * groups}")
    if bias is not None and bias.shape != (out_channels,):
        raise ShapeError(f"{op}: bias must have shape ({out_channels},) for weight {weight.shape}, got {bias.shape}")


def _as_images(op: str, x: Tensor, weight: Tensor, settings: dict, dims: int) -> tuple[Tensor, Tensor, dict]:
    """A 1-D convolution is the 2-D one on images of height 1 (and kernels of height 1)."""
    if dims == 2:
        return x, weight, settings
    fills = {"stride": 1, "padding": 0, "dilation": 1, "output_padding": 0}
    settings = {name: value if isinstance(value, str) else line_setting(value, name, op, fills[name])
                for name, value in settings.items()}
    return x.unsqueeze(-2), weight.unsqueeze(-2), settings


def _convolve(op: str, x: Tensor, weight: Tensor, bias: Tensor | None, stride: Any, padding: Any, dilation: Any,
              groups: int, dims: int) -> Tensor:
    _check_convolution(op, x, weight, bias, groups, dims)
    x, weight, settings = _as_images(op, x, weight, {"stride": stride, "padding": padding, "dilation": dilation}, dims)
    stride, padding, dilation = settings["stride"], settings["padding"], settings["dilation"]
    x, unbatched = batched(x, op)
    kernel = weight.shape[2:]
    if isinstance(padding, str):
        dilation, stride = pair(dilation, "dilation", op), pair(stride, "stride", op)
        x, padding = _resolve_string_padding(op, padding, x, kernel, dilation, stride, dims)
    geometry = make_windows(op, x.shape, kernel, stride, padding, dilation, dims=dims)
    tensors = (x, weight) if bias is None else (x, weight, bias)
    out = Conv2d.apply(*tensors, geometry=geometry, groups=groups)
    out = out.squeeze(0) if unbatched else out
    return out.squeeze(-2) if dims == 1 else out


def _convolve_transposed(op: str, x: Tensor, weight: Tensor, bias: Tensor | None, stride: Any, padding: Any,
                         output_padding: Any, groups: int, dilation: Any, dims: int) -> Tensor:
    _check_convolution(op, x, weight, bias, groups, dims, transposed=True)
    shapes = f"input {x.shape}, weight {weight.shape}"
    x, weight, settings = _as_images(op, x, weight, {"stride": stride, "padding": padding, "dilation": dilation,
                                                     "output_padding": output_padding}, dims)
    x, unbatched = batched(x, op)
    kernel, stride, padding, dilation = check_settings(op, weight.shape[2:], settings["stride"], settings["padding"],
                                                       settings["dilation"], dims)
    extra = pair(settings["output_padding"], "output_padding", op)
    if any(e < 0 or (e >= s and e >= d) for e, s, d in zip(extra, stride, dilation)):
        raise ShapeError(f"{op}: output_padding must be at least 0 and smaller than either stride or dilation, got "
                         f"output_padding {shown(extra, dims)} with stride {shown(stride, dims)} and dilation "
                         f"{shown(dilation, dims)}")
    in_size = x.shape[2:]
    # The output is the input conv2d would have taken: its windows, one per pixel of x, reach
    # (n - 1)·stride + span pixels of the padded output; output_padding adds rows no window reaches.
    out_size = tuple((n - 1) * s - 2 * p + d * (k - 1) + 1 + e
                     for n, s, p, d, k, e in zip(in_size, stride, padding, dilation, kernel, extra))
    if min(out_size) < 1:
        raise ShapeError(f"{op}: the input {shown(in_size, dims)} is too small for padding {shown(padding, dims)}: "
                         f"the output size {shown(out_size, dims)} would be empty ({shapes})")
    geometry = Windows(kernel, stride, padding, dilation, out_size, in_size)
    out_shape = (x.shape[0], weight.shape[1] * groups) + out_size
    out = ConvTranspose2d.apply(x, weight, geometry=geometry, groups=groups, in_shape=out_shape)
    if bias is not None:
        out = out + bias.reshape(-1, 1, 1)
    out = out.squeeze(0) if unbatched else out
    return out.squeeze(-2) if dims == 1 else out


@register("conv2d", kind="functional")
def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (strictly, cross-correlation, as in every deep learning library).

    input: (N, C, H, W) or (C, H, W); weight: (O, C/groups, kh, kw); bias: (O,) or None.
    Returns (N, O, OH, OW) with OH = (H + 2·padding - dilation·(kh - 1) - 1) // stride + 1.
    """
    return _convolve("conv2d", input, weight, bias, stride, padding, dilation, groups, dims=2)


@register("conv1d", kind="functional")
def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution: conv2d along the last dim of an (N, C, L) or (C, L) input, weight (O, C/groups, k)"""
    return _convolve("conv1d", input, weight, bias, stride, padding, dilation, groups, dims=1)


@register("conv_transpose2d", kind="functional")
def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """Transposed 2-D convolution (conv2d's input gradient): each input pixel spread over an output window.

    input: (N, C, H, W) or (C, H, W); weight: (C, O/groups, kh, kw); bias: (O,) or None. Returns
    (N, O, OH, OW) with OH = (H - 1)·stride - 2·padding + dilation·(kh - 1) + output_padding + 1.
    """
    return _convolve_transposed("conv_transpose2d", input, weight, bias, stride, padding, output_padding, groups,
                                dilation, dims=2)


@register("conv_transpose1d", kind="functional")
def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """Transposed 1-D convolution: conv_transpose2d along the last dim of an (N, C, L) or (C, L) input"""
    return _convolve_transposed("conv_transpose1d", input, weight, bias, stride, padding, output_padding, groups,
                                dilation, dims=1)
