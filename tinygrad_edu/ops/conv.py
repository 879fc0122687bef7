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

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops import movement
from tinygrad_edu.ops.windows import (Pair, batched, channels_first, check_float, col2im, im2col, is_int, make_windows,
                                      pair)
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
        with backend.ieee_quietly(self.xp):   # overflow gives inf, inf·0 nan, silently
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
        if self.needs_input_grad[2]:
            grad_b = grad.sum(dim=(0, 2, 3))
        return grad_x, grad_w, grad_b


class ConvInputGrad(Function):
    """f(g, w) = col2im(Wᵀ·g), conv2d's input gradient;  df/dg = conv2d(·, w),
    df/dw = ConvWeightGrad(·, g)

    A transposed convolution: columns Wᵀ·g, added back onto the pixels they came from."""

    def forward(self, g, w, geometry, groups, in_shape):
        self.geometry, self.groups = geometry, groups
        out_channels = w.shape[0]
        weights = w.reshape(groups, out_channels // groups, -1).transpose(0, 2, 1)   # (G, C/G·kh·kw, O/G)
        with backend.ieee_quietly(self.xp):
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
        with backend.ieee_quietly(self.xp):
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


@register("conv2d", kind="functional")
def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (strictly, cross-correlation, as in every deep learning library).

    x: (N, C, H, W) or (C, H, W); weight: (O, C/groups, kh, kw); bias: (O,) or None.
    Returns (N, O, OH, OW) with OH = (H + 2·padding - dilation·(kh - 1) - 1) // stride + 1.
    """
    op = "conv2d"
    check_float(op, input=x, weight=weight, bias=bias)
    x, unbatched = batched(x, op)
    if weight.ndim != 4:
        raise ShapeError(f"{op}: weight must be 4-D (out_channels, in_channels/groups, kh, kw), "
                         f"got shape {weight.shape}")
    if not is_int(groups) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    out_channels, channels_per_group = weight.shape[:2]
    if x.shape[1] % groups or out_channels % groups:
        raise ShapeError(f"{op}: groups={groups} must divide both the input channels ({x.shape[1]}, input "
                         f"{x.shape}) and the output channels ({out_channels}, weight {weight.shape})")
    if x.shape[1] != channels_per_group * groups:
        raise ShapeError(f"{op}: input {x.shape} has {x.shape[1]} channels, but weight {weight.shape} with "
                         f"groups={groups} expects {channels_per_group * groups}")
    if bias is not None and bias.shape != (out_channels,):
        raise ShapeError(f"{op}: bias must have shape ({out_channels},) for weight {weight.shape}, got {bias.shape}")
    kernel = weight.shape[2:]
    if isinstance(padding, str):
        dilation, stride = pair(dilation, "dilation", op), pair(stride, "stride", op)
        x, padding = _resolve_string_padding(padding, x, kernel, dilation, stride)
    geometry = make_windows(op, x.shape, kernel, stride, padding, dilation)
    tensors = (x, weight) if bias is None else (x, weight, bias)
    out = Conv2d.apply(*tensors, geometry=geometry, groups=groups)
    return out.squeeze(0) if unbatched else out
