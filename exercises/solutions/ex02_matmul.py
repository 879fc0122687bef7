"""Reference solution to exercise 2: matmul with broadcasting (the maths is in exercises/ex02_matmul.py)."""
import numpy as np


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    extra = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(extra)))          # dimensions broadcasting added in front
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True)     # dimensions stretched from 1


def forward(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, object]:
    return a @ b, (a, b)


def backward(grad: np.ndarray, saved: object) -> tuple[np.ndarray, np.ndarray]:
    a, b = saved
    grad_a = grad @ np.swapaxes(b, -1, -2)
    grad_b = np.swapaxes(a, -1, -2) @ grad
    return unbroadcast(grad_a, a.shape), unbroadcast(grad_b, b.shape)
