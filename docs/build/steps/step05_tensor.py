"""Step 5: a Tensor: a whole NumPy array per node instead of one number.

New in this step: `Tensor` wraps a NumPy array; elementwise ops work on whole arrays and `@`
multiplies matrices. A local derivative is no longer one number, so each op keeps a small
`backward` function instead: it turns the gradient of the op's result into the gradient of
each input, in that input's shape. Shapes must match exactly here; step 6 broadcasts.
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
        same_shape("add", self, other)
        return Tensor(self.array + other.array, (self, other), lambda g: (g, g))

    def __mul__(self, other):      # elementwise: the gradient times the other factor
        same_shape("mul", self, other)
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

    def sum(self):                 # each element counts once: its gradient is the upstream number
        return Tensor(self.array.sum(), (self,), lambda g: (np.full(self.array.shape, g),))

    # Made of the ops above, so their gradients need no new code.
    def __neg__(self): return self * Tensor(np.full(self.array.shape, -1.0))
    def __sub__(self, other): return self + (-other)
    def __truediv__(self, other): return self * other ** -1

    def backward(self):
        """Fill in .grad of every Tensor this one depends on (self must be a single number)."""
        if self.array.size != 1:
            raise ValueError(f"backward: needs a single number to start from, got shape {self.array.shape}")
        self.grad = np.ones_like(self.array)
        for t in reversed(topological_order(self)):
            if t._backward is not None:
                for inp, g in zip(t.inputs, t._backward(t.grad)):
                    inp.grad = g if inp.grad is None else inp.grad + g   # used twice: the sum

    def __repr__(self):
        return f"Tensor({self.array})"


def same_shape(op, a, b):
    """NumPy would broadcast (3,) with (2, 3) silently, and the gradients would come out wrong."""
    if a.array.shape != b.array.shape:
        raise ValueError(f"{op}: shapes {a.array.shape} and {b.array.shape} differ (step 6 broadcasts)")


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
    x = Tensor([[1.0, 2.0], [3.0, 1.0]])   # two examples, two features each
    w = Tensor([[0.5], [-1.0]])             # one neuron's weights
    loss = (x @ w).relu().sum()             # x @ w = [-1.5, 0.5]: ReLU blocks the first example
    loss.backward()
    print("loss =", loss.array)
    print("dloss/dw =", w.grad.ravel())     # the second example's features
    print("dloss/dx =", x.grad.tolist())    # w, for the second example only
