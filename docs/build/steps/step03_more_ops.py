"""Step 3: more operations, and a neuron.

New in this step: numbers mix with Values (`2 * x`, `x + 1`), and the operations a neuron
needs: `-`, `/`, `**` (a number exponent), `exp`, `tanh`, `sigmoid` and `relu`. Each new op is
two lines: its result and its local derivative. `-` and `/` are made of ops we already have,
so their gradients come for free. Then a neuron: tanh(w·x + b).
"""
import math


class Value:
    """One number in a computation, with the gradient of the final result with respect to it."""

    def __init__(self, data, inputs=(), local_grads=()):
        self.data = float(data)
        self.grad = 0.0                  # d(final result)/d(self), filled in by backward()
        self.inputs = inputs             # the Values this one was computed from
        self.local_grads = local_grads   # d(self)/d(input), one number per input

    def __add__(self, other):
        other = as_value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = as_value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, k):          # k is a number: d(x^k)/dx = k·x^(k-1)
        return Value(self.data ** k, (self,), (k * self.data ** (k - 1),))

    def exp(self):                 # d(e^x)/dx = e^x
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    def tanh(self):                # d(tanh x)/dx = 1 - tanh²x
        t = math.tanh(self.data)
        return Value(t, (self,), (1 - t * t,))

    def sigmoid(self):             # σ(x) = 1/(1 + e^-x);  dσ/dx = σ(1 - σ)
        e = math.exp(-abs(self.data))   # e^-|x| cannot overflow, for any x
        s = 1 / (1 + e) if self.data >= 0 else e / (1 + e)
        return Value(s, (self,), (s * (1 - s),))

    def relu(self):                # max(0, x): the gradient passes where x > 0
        return Value(max(0.0, self.data), (self,), (float(self.data > 0),))

    # Made of the ops above, so their gradients need no new code.
    def __neg__(self): return self * -1
    def __sub__(self, other): return self + (-as_value(other))
    def __truediv__(self, other): return self * as_value(other) ** -1
    def __radd__(self, other): return self + other        # 1 + x
    def __rmul__(self, other): return self * other        # 2 * x
    def __rsub__(self, other): return as_value(other) - self
    def __rtruediv__(self, other): return as_value(other) / self

    def backward(self):
        """Fill in .grad of every Value this one depends on: d(self)/d(that value)."""
        self.grad = 1.0
        for value in reversed(topological_order(self)):
            for inp, local in zip(value.inputs, value.local_grads):
                inp.grad += value.grad * local

    def __repr__(self):
        return f"Value(data={self.data:g}, grad={self.grad:g})"


def as_value(x):
    return x if isinstance(x, Value) else Value(x)


def topological_order(root):
    """Every Value `root` depends on, each listed after all of its inputs (no recursion)."""
    order, seen = [], set()
    stack = [(root, False)]           # (value, are its inputs already listed?)
    while stack:
        value, inputs_listed = stack.pop()
        if inputs_listed:
            order.append(value)
        elif id(value) not in seen:
            seen.add(id(value))
            stack.append((value, True))
            stack.extend((inp, False) for inp in value.inputs)
    return order


def neuron(weights, bias, inputs):
    """tanh(w·x + b): a weighted sum, shifted by a bias, squashed by an activation."""
    return sum((w * x for w, x in zip(weights, inputs)), bias).tanh()


if __name__ == "__main__":
    w, b = [Value(0.5), Value(-1.5)], Value(0.25)
    out = neuron(w, b, [2.0, 1.0])
    out.backward()
    print("out =", out)
    print("dout/dw =", [round(wi.grad, 4) for wi in w])   # (1 - out²)·x: the input, scaled
    print("dout/db =", round(b.grad, 4))                   # 1 - out²
