"""Convolution the slow, obvious way: plain loops over every output pixel.

This is what `tinygrad_edu.ops.conv.conv2d` computes, written so that each line says what a
convolution *is*: for every output pixel, lay the kernel over its window of the (padded)
input, multiply element by element, and add everything up. It runs on NumPy arrays on the
host and is far too slow for training; the tests use it to prove the fast im2col version
right on random shapes. `conv2d_backward_reference` does the same for the gradients.
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

    padded = np.zeros((n_items, channels, height + 2 * ph, width + 2 * pw), dtype=x.dtype)
    padded[:, :, ph:ph + height, pw:pw + width] = x
    out_h = (height + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    out_w = (width + 2 * pw - dw * (kw - 1) - 1) // sw + 1

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
    """The gradients (of x, weight and bias) for an upstream gradient `grad` (N, O, OH, OW).

    Each term weight[o, c, i, j]·x_pad[...] of conv2d_reference's sums sends grad[n, o, p, q]
    times the weight back to that input pixel, and times the pixel back to that weight.
    """
    x, weight, grad = _host(x), _host(weight), _host(grad)
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    n_items, channels, height, width = x.shape
    out_channels, group_channels, kh, kw = weight.shape
    out_per_group = out_channels // groups
    _, _, out_h, out_w = grad.shape

    padded = np.zeros((n_items, channels, height + 2 * ph, width + 2 * pw), dtype=x.dtype)
    padded[:, :, ph:ph + height, pw:pw + width] = x
    grad_padded, grad_weight = np.zeros_like(padded), np.zeros_like(weight)
    for n in range(n_items):
        for o in range(out_channels):
            first_channel = (o // out_per_group) * group_channels
            for p in range(out_h):
                for q in range(out_w):
                    for c in range(group_channels):
                        for i in range(kh):
                            for j in range(kw):
                                row, col = p * sh + i * dh, q * sw + j * dw
                                grad_padded[n, first_channel + c, row, col] += weight[o, c, i, j] * grad[n, o, p, q]
                                grad_weight[o, c, i, j] += padded[n, first_channel + c, row, col] * grad[n, o, p, q]
    return grad_padded[:, :, ph:ph + height, pw:pw + width], grad_weight, grad.sum(axis=(0, 2, 3))
