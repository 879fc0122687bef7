"""Step 7: requires_grad and no_grad: record only what a gradient can flow through.

New in this step: weights ask for a gradient (`requires_grad=True`), data does not. An op
links its result to its inputs only when recording is on and an input requires a gradient;
`with no_grad():` turns recording off, for evaluation. From here on a file keeps only the ops
its example needs: -, /, ** and exp are in step 6.
"""
import contextlib

import numpy as np

_recording = True   # whether new operations are linked into the graph


@contextlib.contextmanager
def no_grad():
    """Compute without recording: for evaluating a model, when no gradient will be asked for."""
    global _recording
    before, _recording = _recording, False
    try:
        yield
    finally:
        _recording = before


class Tensor:
    def __init__(self, array, inputs=(), backward=None, requires_grad=False):
        self.array = np.asarray(array, dtype=np.float64)
        self.grad = None           # d(result)/d(self), an array of self's shape, once backward ran
        # An op's result is linked to its inputs only if a gradient could flow back through it.
        self.requires_grad = requires_grad or (_recording and any(t.requires_grad for t in inputs))
        self.inputs = inputs if self.requires_grad else ()
        self._backward = backward if self.requires_grad else None

    def __add__(self, other):      # the gradient passes unchanged to both
        other = as_tensor(other)
        return Tensor(self.array + other.array, (self, other), lambda g: (g, g))

    def __mul__(self, other):      # elementwise: the gradient times the other factor
        other = as_tensor(other)
        return Tensor(self.array * other.array, (self, other), lambda g: (g * other.array, g * self.array))

    def relu(self):                # the gradient passes where the input was positive
        return Tensor(np.maximum(self.array, 0), (self,), lambda g: (g * (self.array > 0),))

    def __matmul__(self, other):   # (n, k) @ (k, m): dA = G·Bᵀ, dB = Aᵀ·G
        a, b = self.array, other.array
        if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
            raise ValueError(f"matmul: cannot multiply shapes {a.shape} and {b.shape}")
        return Tensor(a @ b, (self, other), lambda g: (g @ b.T, a.T @ g))

    def sum(self, axis=None, keepdims=False):   # each element counts once: it gets the upstream gradient
        def backward(g):
            g = g if keepdims or axis is None else np.expand_dims(g, axis)
            return (np.broadcast_to(g, self.array.shape),)
        return Tensor(self.array.sum(axis=axis, keepdims=keepdims), (self,), backward)

    def mean(self, axis=None, keepdims=False):   # the sum, divided by how many numbers it added
        return self.sum(axis, keepdims) * (np.sum(self.array, axis=axis).size / self.array.size)

    def backward(self):
        """Fill in .grad of every Tensor this one depends on that requires a gradient."""
        if not self.requires_grad:
            raise RuntimeError("backward: nothing this result was computed from requires a gradient")
        if self.array.size != 1:
            raise ValueError(f"backward: needs a single number to start from, got shape {self.array.shape}")
        self.grad = np.ones_like(self.array)
        for t in reversed(topological_order(self)):
            if t._backward is not None:
                for inp, g in zip(t.inputs, t._backward(t.grad)):
                    if inp.requires_grad:   # data gets no .grad
                        g = unbroadcast(g, inp.array.shape)
                        inp.grad = g if inp.grad is None else inp.grad + g   # used twice: the sum


def as_tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def unbroadcast(grad, shape):
    """Sum `grad` back to `shape` over the axes broadcasting stretched. NumPy lines shapes up from
    the right: (3,) meeting (2, 3) gains a leading axis; an axis of size 1 is repeated."""
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))                  # added axes
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True)                              # size-1 axes


def topological_order(root):
    """Every Tensor `root` depends on, each listed after all of its inputs (no recursion)."""
    order, seen, stack = [], set(), [(root, False)]   # (tensor, are its inputs listed yet?)
    while stack:
        t, inputs_listed = stack.pop()
        if inputs_listed:
            order.append(t)
        elif id(t) not in seen:
            seen.add(id(t))
            stack += [(t, True)] + [(inp, False) for inp in t.inputs]
    return order


if __name__ == "__main__":
    x = Tensor([[1.0, 2.0], [3.0, -1.0]])              # data: wants no gradient
    w = Tensor([[0.5], [1.0]], requires_grad=True)     # a weight: wants one
    (x @ w).relu().mean().backward()
    print("w.grad:", w.grad.ravel(), "  x.grad:", x.grad)
    with no_grad():                                    # evaluating: no gradient will be asked for
        score = (x @ w).relu().mean()
    print("under no_grad: requires_grad", score.requires_grad, " inputs kept", score.inputs)
