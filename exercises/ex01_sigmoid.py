"""Exercise 1: the sigmoid, forward and backward.

    forward:   s = sigmoid(x) = 1 / (1 + e^-x)
    backward:  ds/dx = s · (1 - s),  so  grad_x = grad · s · (1 - s)

The sigmoid squashes any number into (0, 1). Its derivative can be written with the output
alone, which is why backward is cheapest when forward saves `s`, not `x`.

A trap: for x = -1000, e^-x = e^1000 overflows. NumPy then warns ("overflow encountered in
exp") even though 1 / (1 + inf) happens to give the right 0. The checks turn such warnings
into errors. Use the same formula rearranged for negative x:

    sigmoid(x) = e^x / (1 + e^x)      (the same number: multiply top and bottom by e^x)

and compute each formula only where it is safe (np.where evaluates both of its branches on
every element, so it would still overflow). e^-|x| is safe everywhere.

Every exercise has the same shape: `forward` returns the output and whatever backward needs
(`saved`); `backward` gets the gradient of the loss with respect to the output (`grad`, same
shape as the output) and `saved`, and returns the gradient with respect to each input.
"""
import numpy as np


def forward(x: np.ndarray) -> tuple[np.ndarray, object]:
    """sigmoid(x) elementwise, any shape, without overflow warnings; returns (out, saved)."""
    raise NotImplementedError("exercise: write sigmoid's forward")


def backward(grad: np.ndarray, saved: object) -> np.ndarray:
    """The gradient with respect to x: grad · s · (1 - s), of x's shape."""
    raise NotImplementedError("exercise: write sigmoid's backward")
