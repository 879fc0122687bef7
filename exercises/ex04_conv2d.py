"""Exercise 4: 2-D convolution by loops, forward and backward.

x: (N, C, H, W) images; weight: (O, C, kh, kw), one kernel per output channel, each as deep as
the input; bias: (O,). The input is padded with `padding` zeros on every side (call it xp),
and the kernel moves `stride` pixels at a time:

    OH = (H + 2·padding - kh) // stride + 1          (OW likewise)
    out[n, o, p, q] = bias[o] + Σ_{c, i, j} weight[o, c, i, j] · xp[n, c, p·stride + i, q·stride + j]

(This is cross-correlation, as in PyTorch: the kernel is not flipped.)

Backward: every term of that sum is a product weight · pixel, so grad[n, o, p, q] flows back

    to the weight:  grad_weight[o, c, i, j] += grad[n, o, p, q] · xp[n, c, p·stride + i, q·stride + j]
    to the pixel:   grad_xp[n, c, p·stride + i, q·stride + j] += grad[n, o, p, q] · weight[o, c, i, j]
    to the bias:    grad_bias[o] += grad[n, o, p, q]

and grad_x is grad_xp with the padding cut off. Loop over n, o, p and q, as the formula
reads; inside, a window of xp (a slice) times weight[o] may be one NumPy expression. The
`+=` matters: windows overlap when stride < kernel size, and a pixel gets the sum.
"""
import numpy as np


def forward(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, stride: int = 1,
            padding: int = 0) -> tuple[np.ndarray, object]:
    """out of shape (N, O, OH, OW); returns (out, saved)."""
    raise NotImplementedError("exercise: write conv2d's forward")


def backward(grad: np.ndarray, saved: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(grad_x, grad_weight, grad_bias), each of its input's shape."""
    raise NotImplementedError("exercise: write conv2d's backward")
