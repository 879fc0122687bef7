"""Step 6: broadcasting, and sums along an axis.

New in this step: `x + b` works for x of shape (2, 3) and b of shape (3,): NumPy stretches b
over x's rows as if it were copied, and each copy sends a gradient back, so b's gradient is
their sum (`unbroadcast`, in backward). Numbers mix with tensors, `sum` and `mean` take an axis.
"""
import numpy as np


class Tensor:
    """An array in a computation, with the gradient of the final (scalar) result."""

    def __init__(self, array, inputs=(), backward=None):
        self.array = np.asarray(array, dtype=np.float64)
        self.grad = None           # d(result)/d(self), an array of self's shape, once backward ran
        self.inputs = inputs       # the Tensors this one was computed from
        self._backward = backward  # gradient of self -> gradients of the inputs, one per input

    def __add__(self, other):      # the gradient passes unchanged to both
        other = as_tensor(other)
        return Tensor(self.array + other.array, (self, other), lambda g: (g, g))

    def __mul__(self, other):      # elementwise: the gradient times the other factor
        other = as_tensor(other)
        return Tensor(self.array * other.array, (self, other), lambda g: (g * other.array, g * self.array))

    def __pow__(self, k):          # k is a number: d(x^k)/dx = k·x^(k-1)
        return Tensor(self.array ** k, (self,), lambda g: (g * k * self.array ** (k - 1),))

    def exp(self):
        e = np.exp(self.array)
        return Tensor(e, (self,), lambda g: (g * e,))

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

    # Made of the ops above, so their gradients need no new code.
    def __neg__(self): return self * -1.0
    def __sub__(self, other): return self + (-as_tensor(other))
    def __truediv__(self, other): return self * as_tensor(other) ** -1
    def __radd__(self, other): return self + other        # 1 + x
    def __rmul__(self, other): return self * other        # 2 * x
    def __rsub__(self, other): return as_tensor(other) - self
    def __rtruediv__(self, other): return as_tensor(other) / self

    def backward(self):
        """Fill in .grad of every Tensor this one depends on (self must be a single number)."""
        if self.array.size != 1:
            raise ValueError(f"backward: needs a single number to start from, got shape {self.array.shape}")
        self.grad = np.ones_like(self.array)
        for t in reversed(topological_order(self)):
            if t._backward is not None:
                for inp, g in zip(t.inputs, t._backward(t.grad)):
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
    x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])   # two examples, three features
    b = Tensor([10.0, 20.0, 30.0])                    # one bias per feature, shared by both rows
    y = ((x + b) * 2).mean()                          # b is stretched over the rows
    y.backward()
    print("y =", y.array)
    print("dy/db =", b.grad)                          # 2/6 from each of the 2 rows: 2/3
