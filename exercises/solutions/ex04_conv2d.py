"""Reference solution to exercise 4: conv2d by loops (the maths is in exercises/ex04_conv2d.py)."""
import numpy as np


def _pad(x: np.ndarray, padding: int) -> np.ndarray:
    return np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))


def forward(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, stride: int = 1,
            padding: int = 0) -> tuple[np.ndarray, object]:
    n_items, _, height, width = x.shape
    out_channels, _, kh, kw = weight.shape
    out_h = (height + 2 * padding - kh) // stride + 1
    out_w = (width + 2 * padding - kw) // stride + 1
    xp = _pad(x, padding)
    out = np.zeros((n_items, out_channels, out_h, out_w), dtype=x.dtype)
    for n in range(n_items):
        for o in range(out_channels):
            for p in range(out_h):
                for q in range(out_w):
                    window = xp[n, :, p * stride:p * stride + kh, q * stride:q * stride + kw]
                    out[n, o, p, q] = bias[o] + np.sum(window * weight[o])
    return out, (x, weight, stride, padding)


def backward(grad: np.ndarray, saved: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, weight, stride, padding = saved
    n_items, out_channels, out_h, out_w = grad.shape
    _, _, kh, kw = weight.shape
    xp = _pad(x, padding)
    grad_xp, grad_weight = np.zeros_like(xp), np.zeros_like(weight)
    for n in range(n_items):
        for o in range(out_channels):
            for p in range(out_h):
                for q in range(out_w):
                    rows, cols = slice(p * stride, p * stride + kh), slice(q * stride, q * stride + kw)
                    grad_weight[o] += grad[n, o, p, q] * xp[n, :, rows, cols]
                    grad_xp[n, :, rows, cols] += grad[n, o, p, q] * weight[o]   # windows overlap: add
    height, width = x.shape[2:]
    grad_x = grad_xp[:, :, padding:padding + height, padding:padding + width]
    return grad_x, grad_weight, grad.sum(axis=(0, 2, 3))
