"""Convolution and max pooling the slow, obvious way: plain loops over every output pixel.

This is what `tinygrad_edu.ops.conv.conv2d` and `tinygrad_edu.ops.pooling.max_pool2d` compute,
forward and backward, written so that each line says what the operation *is*:

* convolution: for every output pixel, lay the kernel over its window of the (padded) input,
  multiply element by element, and add everything up. Backward, every product in that sum
  sends the upstream gradient back to both its factors: times the weight to the pixel, times
  the pixel to the weight.
* max pooling: for every output pixel, the largest value of its window. Backward, the window's
  gradient goes to the one pixel that won; every other pixel of the window gets nothing.

It runs on NumPy arrays on the host and is far too slow for training; the tests use it to
prove the fast, vectorised versions right on random shapes (tests/test_conv.py,
tests/test_conv_reference.py), and chapter 9b works both backward passes by hand with it.
"""
from __future__ import annotations

from typing import Any

import numpy as np


def _pair(value: Any) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _host(array: Any) -> np.ndarray | None:
    """Accept NumPy arrays and tinygrad_edu Tensors (anything with .numpy())."""
    if array is None:
        return None
    return array.numpy() if hasattr(array, "numpy") else np.asarray(array)


def _padded(x: np.ndarray, padding: tuple[int, int], value: float) -> np.ndarray:
    """x (N, C, H, W) with `padding` rows above and below and columns left and right, filled with `value`."""
    ph, pw = padding
    n_items, channels, height, width = x.shape
    padded = np.full((n_items, channels, height + 2 * ph, width + 2 * pw), value, dtype=x.dtype)
    padded[:, :, ph:ph + height, pw:pw + width] = x
    return padded


def _out_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """How many windows fit along one side: a window spans dilation·(kernel - 1) + 1 pixels."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


# ---- convolution --------------------------------------------------------------------------

def conv2d_reference(x: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                     dilation: Any = 1, groups: int = 1) -> np.ndarray:
    """out[n, o, p, q] = bias[o] + Σ_{c, i, j} weight[o, c, i, j] · x_pad[n, g·C/G + c, p·s + i·d, q·s + j·d]

    x: (N, C, H, W); weight: (O, C/groups, kh, kw); bias: (O,) or None. Returns a NumPy array.
    """
    x, weight, bias = _host(x), _host(weight), _host(bias)
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    n_items, channels, height, width = x.shape
    out_channels, group_channels, kh, kw = weight.shape
    out_per_group = out_channels // groups

    padded = _padded(x, (ph, pw), 0.0)
    out_h, out_w = _out_size(height, kh, sh, ph, dh), _out_size(width, kw, sw, pw, dw)

    out = np.zeros((n_items, out_channels, out_h, out_w), dtype=x.dtype)
    for n in range(n_items):
        for o in range(out_channels):
            first_channel = (o // out_per_group) * group_channels   # the input channels this filter's group sees
            for p in range(out_h):
                for q in range(out_w):
                    total = 0.0 if bias is None else float(bias[o])
                    for c in range(group_channels):
                        for i in range(kh):
                            for j in range(kw):
                                pixel = padded[n, first_channel + c, p * sh + i * dh, q * sw + j * dw]
                                total += float(weight[o, c, i, j]) * float(pixel)
                    out[n, o, p, q] = total
    return out


def conv2d_backward_reference(x: Any, weight: Any, grad: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                              groups: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(grad_input, grad_weight, grad_bias) for an upstream gradient `grad` of shape (N, O, OH, OW).

    Every term weight[o, c, i, j] · pixel of conv2d_reference's sum for out[n, o, p, q] is a
    product, so the gradient arriving there, grad[n, o, p, q], goes back

        to the pixel:   grad_input[n, c', p·s + i·d, q·s + j·d] += grad[n, o, p, q] · weight[o, c, i, j]
        to the weight:  grad_weight[o, c, i, j]                 += grad[n, o, p, q] · pixel
        to the bias:    grad_bias[o]                            += grad[n, o, p, q]

    (c' = g·C/G + c, the input channel). Pixels and weights used by many windows collect from
    each of them. Gradients that land on the padding are dropped: the padding is no input.
    """
    x, weight, grad = _host(x), _host(weight), _host(grad)
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    n_items, channels, height, width = x.shape
    out_channels, group_channels, kh, kw = weight.shape
    out_per_group = out_channels // groups
    _, _, out_h, out_w = grad.shape

    padded = _padded(x, (ph, pw), 0.0)
    grad_padded = np.zeros_like(padded)
    grad_weight = np.zeros_like(weight)
    grad_bias = np.zeros(out_channels, dtype=grad.dtype)
    for n in range(n_items):
        for o in range(out_channels):
            first_channel = (o // out_per_group) * group_channels
            for p in range(out_h):
                for q in range(out_w):
                    upstream = grad[n, o, p, q]
                    grad_bias[o] += upstream
                    for c in range(group_channels):
                        for i in range(kh):
                            for j in range(kw):
                                row, col = p * sh + i * dh, q * sw + j * dw
                                grad_padded[n, first_channel + c, row, col] += upstream * weight[o, c, i, j]
                                grad_weight[o, c, i, j] += upstream * padded[n, first_channel + c, row, col]
    grad_input = grad_padded[:, :, ph:ph + height, pw:pw + width]
    return grad_input, grad_weight, grad_bias


# ---- max pooling --------------------------------------------------------------------------

def _pool_settings(kernel_size: Any, stride: Any, padding: Any, dilation: Any) -> tuple:
    """kernel, stride, padding and dilation as pairs; the stride defaults to the kernel size, as in PyTorch."""
    kernel = _pair(kernel_size)
    return kernel, _pair(kernel if stride is None else stride), _pair(padding), _pair(dilation)


def _window_pixels(p: int, q: int, kernel: tuple, stride: tuple, dilation: tuple) -> list[tuple[int, int]]:
    """(row, column) in the padded image of every pixel of window (p, q), row by row."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    return [(p * sh + i * dh, q * sw + j * dw) for i in range(kh) for j in range(kw)]


def _winner(values: list[float]) -> int:
    """Which pixel of a window wins its maximum: the first one on ties. A window holding NaN has
    NaN as its maximum, and PyTorch sends its gradient to the last NaN; so does tinygrad_edu."""
    nans = [k for k, value in enumerate(values) if np.isnan(value)]
    if nans:
        return nans[-1]
    return values.index(max(values))


def max_pool2d_reference(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
                         dilation: Any = 1) -> np.ndarray:
    """out[n, c, p, q] = max_{i, j} x_pad[n, c, p·s + i·d, q·s + j·d]   (the padding is -inf: it never wins)

    x: (N, C, H, W). Each channel is pooled on its own; there are no weights. Returns a NumPy array.
    """
    x = _host(x)
    kernel, stride, padding, dilation = _pool_settings(kernel_size, stride, padding, dilation)
    n_items, channels, height, width = x.shape
    padded = _padded(x, padding, -np.inf)
    out_h = _out_size(height, kernel[0], stride[0], padding[0], dilation[0])
    out_w = _out_size(width, kernel[1], stride[1], padding[1], dilation[1])

    out = np.zeros((n_items, channels, out_h, out_w), dtype=x.dtype)
    for n in range(n_items):
        for c in range(channels):
            for p in range(out_h):
                for q in range(out_w):
                    window = [padded[n, c, row, col] for row, col in _window_pixels(p, q, kernel, stride, dilation)]
                    out[n, c, p, q] = window[_winner(window)]
    return out


def max_pool2d_backward_reference(x: Any, grad: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
                                  dilation: Any = 1) -> np.ndarray:
    """grad_input for an upstream gradient `grad` of shape (N, C, OH, OW).

    out[n, c, p, q] is one pixel of its window, the winner, so only that pixel changes the
    output: grad_input[winner of window (p, q)] += grad[n, c, p, q], and every other pixel of
    the window gets 0 from it. Where windows overlap, a pixel that wins several collects from
    each. On ties the first maximum (row by row) wins, as in tinygrad_edu's max_pool2d and PyTorch.
    """
    x, grad = _host(x), _host(grad)
    kernel, stride, padding, dilation = _pool_settings(kernel_size, stride, padding, dilation)
    n_items, channels, height, width = x.shape
    _, _, out_h, out_w = grad.shape
    (ph, pw) = padding
    padded = _padded(x, padding, -np.inf)

    grad_padded = np.zeros(padded.shape, dtype=grad.dtype)
    for n in range(n_items):
        for c in range(channels):
            for p in range(out_h):
                for q in range(out_w):
                    pixels = _window_pixels(p, q, kernel, stride, dilation)
                    row, col = pixels[_winner([padded[n, c, r, s] for r, s in pixels])]
                    grad_padded[n, c, row, col] += grad[n, c, p, q]
    return grad_padded[:, :, ph:ph + height, pw:pw + width]
