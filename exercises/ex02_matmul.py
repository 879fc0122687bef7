"""Exercise 2: matrix multiplication with broadcast batch dimensions.

    forward:   C = A @ B          A: (..., n, k),  B: (..., k, m),  C: (..., n, m)
    backward:  grad_A = grad @ Bᵀ      grad_B = Aᵀ @ grad       (ᵀ swaps the last two dims)

Both inputs have at least 2 dimensions. The dimensions before the last two are batch
dimensions, and they broadcast as in NumPy: (5, 2, 3) @ (3, 4) multiplies each of the five
(2, 3) matrices by the same (3, 4) one and gives (5, 2, 4). np.matmul (the `@` operator)
already does this forward.

The backward is where broadcasting bites. grad @ Bᵀ and Aᵀ @ grad have the *batch* shape of
the output, not of the input: in the example, Aᵀ @ grad is (5, 3, 4), while B is (3, 4). B was
used five times, once per batch item, so its gradient is the sum of the five contributions
(the chain rule adds up every path from B to the loss). `unbroadcast` does that sum:

    unbroadcast(g, shape)  sums g over the leading dimensions that `shape` does not have, and
                           over every dimension where `shape` has 1 but g does not, keeping it
                           as size 1; the result has exactly `shape`.

    unbroadcast(ones((5, 3, 4)), (3, 4))     -> 5 · ones((3, 4))
    unbroadcast(ones((2, 7, 3)), (2, 1, 3))  -> 7 · ones((2, 1, 3))

Each input's gradient must have that input's shape.
"""
import numpy as np


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """grad summed back down to `shape`, the shape it was broadcast from."""
    raise NotImplementedError("exercise: write unbroadcast")


def forward(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, object]:
    """a @ b with broadcast batch dimensions; returns (out, saved)."""
    raise NotImplementedError("exercise: write matmul's forward")


def backward(grad: np.ndarray, saved: object) -> tuple[np.ndarray, np.ndarray]:
    """(grad_a, grad_b), each of its input's shape."""
    raise NotImplementedError("exercise: write matmul's backward")
