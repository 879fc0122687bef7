"""Step 8: softmax cross-entropy, and a classifier for handwritten digits.

New in this step: `cross_entropy`, the loss for choosing one of several classes, as one op
with a short backward: softmax minus the one-hot label. With it, this file's engine trains a
two-layer network on the 8×8 digits. (Ops the example does not need are left out: step 7.)
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
        return Tensor(self.array + other.array, (self, other), lambda g: (g, g))

    def relu(self):                # the gradient passes where the input was positive
        return Tensor(np.maximum(self.array, 0), (self,), lambda g: (g * (self.array > 0),))

    def __matmul__(self, other):   # (n, k) @ (k, m): dA = G·Bᵀ, dB = Aᵀ·G
        a, b = self.array, other.array
        if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
            raise ValueError(f"matmul: cannot multiply shapes {a.shape} and {b.shape}")
        return Tensor(a @ b, (self, other), lambda g: (g @ b.T, a.T @ g))

    def cross_entropy(self, labels):
        """-log softmax(row)[label], averaged over the rows (one row of scores per example).
        Its gradient, softmax - one_hot(label), pushes the right class up and the others down."""
        rows = np.arange(len(labels))
        shifted = self.array - self.array.max(axis=1, keepdims=True)   # same softmax; exp cannot overflow
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        d = np.exp(log_probs)                                         # softmax ...
        d[rows, labels] -= 1                                          # ... - one_hot(label)
        return Tensor(-log_probs[rows, labels].mean(), (self,), lambda g: (g * d / len(rows),))

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


def unbroadcast(grad, shape):
    """Sum `grad` back to `shape` over the axes broadcasting added or stretched from size 1."""
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
    from tinygrad_edu.data import load_digits            # the digits scikit-learn ships: no download
    images, labels = load_digits()
    x, y = images.numpy().reshape(-1, 64), labels.numpy()  # each 8×8 image as one row of 64 pixels
    rng = np.random.default_rng(0)
    train, test = np.split(rng.permutation(len(y)), [1500])  # 1,500 to learn from, 297 to test on
    # Weights start random, uniform in ±1/√(inputs) as in PyTorch, so that the neurons differ.
    w1, w2 = (Tensor(rng.uniform(-1, 1, s) / np.sqrt(s[0]), requires_grad=True) for s in ((64, 64), (64, 10)))
    b1, b2 = Tensor(np.zeros(64), requires_grad=True), Tensor(np.zeros(10), requires_grad=True)
    for epoch in range(20):
        for batch in np.array_split(rng.permutation(train), 30):   # 30 batches of 50 images
            loss = ((Tensor(x[batch]) @ w1 + b1).relu() @ w2 + b2).cross_entropy(y[batch])
            w1.grad = b1.grad = w2.grad = b2.grad = None     # backward adds to .grad: clear it first
            loss.backward()
            for p in (w1, b1, w2, b2):
                p.array -= 0.1 * p.grad
    with no_grad():
        scores = (Tensor(x[test]) @ w1 + b1).relu() @ w2 + b2
    accuracy = (scores.array.argmax(axis=1) == y[test]).mean()
    print(f"loss on the last batch {loss.array:.3f}; test accuracy {accuracy:.1%}")
