"""Exercise 5: 2×2 max pooling with stride 2, forward and backward.

x: (N, C, H, W). Each output pixel is the largest of a 2×2 window; windows do not overlap:

    out[n, c, p, q] = max(x[n, c, 2p, 2q],   x[n, c, 2p, 2q+1],
                          x[n, c, 2p+1, 2q], x[n, c, 2p+1, 2q+1])

The output is (N, C, H // 2, W // 2): with an odd H (or W) the last row (column) is in no
window and is dropped, as PyTorch does.

Backward: max passes its gradient to the element that won and gives the others 0 (moving a
loser a little does not change the maximum). So grad_x is zero except at each window's winner,
which receives grad[n, c, p, q].

Ties: when two elements of a window share the maximum, only one may get the gradient, or the
gradient would be counted twice. Give it to the first in reading order (row by row, left to
right: (0,0), (0,1), (1,0), (1,1)), as PyTorch does. np.argmax also returns the first maximum.
The checks use inputs with many ties, and inputs that are not a multiple of 2 in size.
"""
import numpy as np


def forward(x: np.ndarray) -> tuple[np.ndarray, object]:
    """out of shape (N, C, H // 2, W // 2); returns (out, saved)."""
    raise NotImplementedError("exercise: write max pooling's forward")


def backward(grad: np.ndarray, saved: object) -> np.ndarray:
    """grad_x of x's shape: each window's gradient at its (first) maximum, 0 elsewhere."""
    raise NotImplementedError("exercise: write max pooling's backward")
