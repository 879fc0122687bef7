"""Step 4: a small network learns XOR with gradient descent.

New in this step: a `Layer` of neurons and a training loop (forward, loss, clear the gradients,
backward, a step downhill). The engine is step 3's, less what XOR does not use.
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

    def tanh(self):                # d(tanh x)/dx = 1 - tanh²x
        t = math.tanh(self.data)
        return Value(t, (self,), (1 - t * t,))

    def sigmoid(self):             # σ(x) = 1/(1 + e^-x);  dσ/dx = σ(1 - σ)
        e = math.exp(-abs(self.data))   # e^-|x| cannot overflow, for any x
        s = 1 / (1 + e) if self.data >= 0 else e / (1 + e)
        return Value(s, (self,), (s * (1 - s),))

    # Made of the ops above, so their gradients need no new code.
    def __neg__(self): return self * -1
    def __sub__(self, other): return self + (-as_value(other))
    def __truediv__(self, other): return self * as_value(other) ** -1
    def __radd__(self, other): return self + other        # 1 + x

    def backward(self):
        """Fill in .grad of every Value this one depends on: d(self)/d(that value)."""
        self.grad = 1.0
        for value in reversed(topological_order(self)):
            for inp, local in zip(value.inputs, value.local_grads):
                inp.grad += value.grad * local


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


# `n_outputs` neurons act(w·x + b) on the same inputs. The weights start random: neurons that
# start equal get equal gradients, and would stay equal forever.
class Layer:
    def __init__(self, n_inputs, n_outputs, activation, rng):
        self.weights = [[Value(rng.uniform(-1, 1)) for _ in range(n_inputs)] for _ in range(n_outputs)]
        self.biases = [Value(0.0) for _ in range(n_outputs)]
        self.activation = activation              # "tanh" or "sigmoid": a Value method

    def __call__(self, x):
        sums = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in zip(self.weights, self.biases)]
        return [getattr(s, self.activation)() for s in sums]

    def parameters(self):
        return [p for w in self.weights for p in w] + self.biases


if __name__ == "__main__":
    import random
    inputs, targets = [(0, 0), (0, 1), (1, 0), (1, 1)], [0, 1, 1, 0]
    rng = random.Random(0)
    layers = [Layer(2, 4, "tanh", rng), Layer(4, 1, "sigmoid", rng)]   # output: P(XOR is 1)
    parameters = [p for layer in layers for p in layer.parameters()]

    def predict(x):
        return layers[1](layers[0](x))[0]

    for step in range(500):
        loss = sum((predict(x) - t) ** 2 for x, t in zip(inputs, targets)) / len(inputs)
        for p in parameters:
            p.grad = 0.0              # backward adds to .grad: clear the last step's first
        loss.backward()
        for p in parameters:
            p.data -= 0.5 * p.grad    # learning rate 0.5
    probabilities = [predict(x).data for x in inputs]
    correct = sum((p > 0.5) == (t == 1) for p, t in zip(probabilities, targets))
    print(f"loss {loss.data:.4f} after 500 steps")
    print("P(1):", [round(p, 2) for p in probabilities], "targets:", targets)
    print(f"{correct} of 4 right")
