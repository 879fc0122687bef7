"""The workloads with forward and backward written by hand in NumPy: no graph, no autodiff.

This is the floor for any framework that computes with NumPy: the same array operations a
framework must run, with none of the bookkeeping (no Tensor objects, no graph, no dtype or
device checks). Whatever tinygrad_edu spends above this is the price of being a framework.
The code makes the same array-level choices as tinygrad_edu (im2col by kernel offset, one
matrix product per convolution, conv outputs kept stored channel by channel through ReLU and
pooling, matrix operands starting on a cache line, in-place updates), so that it stays a
floor: only the bookkeeping is missing.
"""
from __future__ import annotations

import numpy as np

from benchmarks.workloads import (LEARNING_RATE, OVERHEAD_OPS, Run, Sizes, chain_data, conv_data, convnet_data,
                                  mlp_data, overhead_operands)

NAME = "NumPy floor"


def prepare(device: str) -> None:
    if device != "cpu":
        raise ValueError(f"the NumPy floor runs on the cpu only, not on {device!r}")


def aligned_empty(shape: tuple) -> np.ndarray:
    """An uninitialised float32 array starting on a 64-byte boundary: OpenBLAS multiplies
    such operands faster, and NumPy itself only aligns to 16 bytes."""
    nbytes = int(np.prod(shape)) * 4
    raw = np.empty(nbytes + 64, dtype=np.uint8)
    start = -raw.ctypes.data % 64
    return raw[start:start + nbytes].view(np.float32).reshape(shape)


def conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """k×k convolution, stride 1, 'same' padding; returns the output and the im2col matrix
    that backward needs. Channels come first in the columns, (C·kh·kw, N·H·W), so that the
    product, its gradients and the col2im below all work on contiguous blocks; the output is
    stored channel by channel too, as the product leaves it."""
    n, c, h, wd = x.shape
    out_c, _, kh, kw = w.shape
    padded = np.zeros((n, c, h + kh - 1, wd + kw - 1), dtype=x.dtype)
    padded[:, :, kh // 2:kh // 2 + h, kw // 2:kw // 2 + wd] = x
    cols = aligned_empty((c, kh, kw, n, h, wd))
    for i in range(kh):          # each kernel offset copies what it sees in every window
        for j in range(kw):
            cols[:, i, j] = padded[:, :, i:i + h, j:j + wd].transpose(1, 0, 2, 3)
    cols = cols.reshape(c * kh * kw, n * h * wd)
    out = w.reshape(out_c, -1) @ cols                                         # (out_c, n·h·w)
    if b is not None:
        out += b[:, None]
    return out.reshape(out_c, n, h, wd).transpose(1, 0, 2, 3), cols


def conv_backward(grad: np.ndarray, cols: np.ndarray, w: np.ndarray,
                  need_x: bool) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Gradients of conv_forward: (dx or None, dw, db)."""
    n, out_c, h, wd = grad.shape
    _, c, kh, kw = w.shape
    by_channel = grad.transpose(1, 0, 2, 3)
    if not by_channel.flags.c_contiguous:
        copy = aligned_empty(by_channel.shape)
        copy[...] = by_channel
        by_channel = copy
    g = by_channel.reshape(out_c, n * h * wd)
    dw = (cols @ g.T).T.reshape(w.shape)     # this orientation is the faster one for OpenBLAS
    db = g.sum(axis=1)
    if not need_x:
        return None, dw, db
    # As tinygrad_edu (ops/conv_shifted.py): the gradient laid on a flat grid of rows W + kw//2
    # wide (neighbouring rows share their padding), so each kernel offset is one shift of long rows.
    ph, pw = kh // 2, kw // 2
    rows, row = h + ph, wd + pw
    length = n * rows * row
    grid = np.zeros((out_c, n, rows, row), dtype=grad.dtype)
    grid[:, :, :h, :wd] = g.reshape(out_c, n, h, wd)
    blocks = (w.transpose(2, 3, 1, 0).reshape(kh * kw * c, out_c) @ grid.reshape(out_c, length)).reshape(kh * kw, c, -1)
    start = ph * row + pw
    dpadded = np.zeros((c, length + max((kh - 1) * row + kw - 1, start)), dtype=grad.dtype)
    for k in range(kh * kw):     # each kernel offset adds its share back, kh·kw shifted blocks in all
        shift = (k // kw) * row + k % kw
        dpadded[:, shift:shift + length] += blocks[k]
    dx = dpadded[:, start:start + length].reshape(c, n, rows, row)[:, :, :h, :wd]
    return dx.transpose(1, 0, 2, 3), dw, db


def max_pool2_forward(x: np.ndarray) -> np.ndarray:
    """2×2 max pooling, stride 2: the larger of the four strided views of the input (far
    faster than reshaping into blocks and reducing over two small axes)."""
    top = np.maximum(x[:, :, 0::2, 0::2], x[:, :, 0::2, 1::2])
    bottom = np.maximum(x[:, :, 1::2, 0::2], x[:, :, 1::2, 1::2])
    return np.maximum(top, bottom)


def max_pool2_backward(grad: np.ndarray, x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Each window's gradient goes to the element that equals the window's maximum."""
    # Ties only occur between zeros from the ReLU below, whose gradient is zero anyway.
    # The gradients are stored like x and out (channel by channel), so every step walks
    # its operands in the same order.
    g = np.empty_like(out)
    g[...] = grad
    dx = np.empty_like(x)
    for i in (0, 1):
        for j in (0, 1):
            np.multiply(g, x[:, :, i::2, j::2] == out, out=dx[:, :, i::2, j::2])
    return dx


def cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of integer labels, and its gradient with respect to the logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    loss = float(np.mean(np.log(total[:, 0]) - shifted[rows, y]))
    grad = e / total
    grad[rows, y] -= 1
    grad /= len(y)
    return loss, grad


def _sgd(params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
    for name, p in params.items():
        p -= LEARNING_RATE * grads[name]


def convnet(sizes: Sizes, device: str) -> Run:
    data = convnet_data(sizes)
    x, y = data.pop("x"), data.pop("y")
    p = data

    def step() -> float:
        a1, cols1 = conv_forward(x, p["conv1.weight"], p["conv1.bias"])
        r1 = np.maximum(a1, 0)
        m1 = max_pool2_forward(r1)
        a2, cols2 = conv_forward(m1, p["conv2.weight"], p["conv2.bias"])
        r2 = np.maximum(a2, 0)
        m2 = max_pool2_forward(r2)
        flat = m2.reshape(len(x), -1)
        a3 = flat @ p["fc1.weight"].T + p["fc1.bias"]
        r3 = np.maximum(a3, 0)
        logits = r3 @ p["fc2.weight"].T + p["fc2.bias"]
        loss, g = cross_entropy(logits, y)

        grads = {"fc2.weight": g.T @ r3, "fc2.bias": g.sum(axis=0)}
        g = (g @ p["fc2.weight"]) * (a3 > 0)
        grads["fc1.weight"], grads["fc1.bias"] = g.T @ flat, g.sum(axis=0)
        g = (g @ p["fc1.weight"]).reshape(m2.shape)
        g = max_pool2_backward(g, r2, m2) * (a2 > 0)
        g, grads["conv2.weight"], grads["conv2.bias"] = conv_backward(g, cols2, p["conv2.weight"], True)
        g = max_pool2_backward(g, r1, m1) * (a1 > 0)
        _, grads["conv1.weight"], grads["conv1.bias"] = conv_backward(g, cols1, p["conv1.weight"], False)
        _sgd(p, grads)
        return loss

    return Run(step, lambda: dict(p))


def mlp(sizes: Sizes, device: str) -> Run:
    data = mlp_data(sizes)
    x, y = data.pop("x"), data.pop("y")
    p = data

    def step() -> float:
        a1 = x @ p["fc1.weight"].T + p["fc1.bias"]
        r1 = np.maximum(a1, 0)
        a2 = r1 @ p["fc2.weight"].T + p["fc2.bias"]
        r2 = np.maximum(a2, 0)
        logits = r2 @ p["fc3.weight"].T + p["fc3.bias"]
        loss, g = cross_entropy(logits, y)

        grads = {"fc3.weight": g.T @ r2, "fc3.bias": g.sum(axis=0)}
        g = (g @ p["fc3.weight"]) * (a2 > 0)
        grads["fc2.weight"], grads["fc2.bias"] = g.T @ r1, g.sum(axis=0)
        g = (g @ p["fc2.weight"]) * (a1 > 0)
        grads["fc1.weight"], grads["fc1.bias"] = g.T @ x, g.sum(axis=0)
        _sgd(p, grads)
        return loss

    return Run(step, lambda: dict(p))


def _overhead(sizes: Sizes, tensor_constants: bool) -> Run:
    start, operands = overhead_operands(sizes, tensor_constants)
    result = {}

    def step() -> float:
        saved = []          # what each op's backward needs: a, the output, or the input
        h = start
        for i, (a, b) in enumerate(operands):
            op = OVERHEAD_OPS[i % 4]
            if op == "mul":
                saved.append(a)
                h = h * a
            elif op == "add":
                saved.append(None)
                h = h + b
            elif op == "sigmoid":
                h = 1 / (1 + np.exp(-h))
                saved.append(h)
            else:
                saved.append(h)
                h = np.maximum(h, 0)
        loss = float(h.sum())
        g = np.ones_like(h)
        for i in reversed(range(len(operands))):
            op, s = OVERHEAD_OPS[i % 4], saved[i]
            if op == "mul":
                g = g * s
            elif op == "sigmoid":
                g = g * s * (1 - s)
            elif op == "relu":
                g = g * (s > 0)
        result["x.grad"] = g
        return loss

    return Run(step, lambda: dict(result))


def overhead(sizes: Sizes, device: str) -> Run:
    return _overhead(sizes, tensor_constants=False)


def overhead_tensors(sizes: Sizes, device: str) -> Run:
    return _overhead(sizes, tensor_constants=True)


def conv(sizes: Sizes, device: str) -> Run:
    data = conv_data(sizes)
    x, w = data["x"], data["w"]
    result = {}

    def step() -> float:
        out, cols = conv_forward(x, w, None)
        dx, dw, _ = conv_backward(np.ones_like(out), cols, w, True)
        result["x.grad"], result["w.grad"] = dx, dw
        return float(dw[0, 0, 0, 0])

    return Run(step, lambda: dict(result))


def chain(sizes: Sizes, device: str) -> Run:
    x = chain_data(sizes)
    result = {}

    def step() -> float:
        h = x
        for _ in range(sizes.w5_adds):
            h = h + 1.0
        loss = float(h.sum())
        # Each add hands its gradient on unchanged, so backward through the whole chain is
        # only the gradient of the sum: nothing is left for the floor to compute.
        result["x.grad"] = np.ones_like(h)
        return loss

    return Run(step, lambda: dict(result))


BUILDERS = {"W1": convnet, "W2": mlp, "W3": overhead, "W3t": overhead_tensors, "W4": conv, "W5": chain}
