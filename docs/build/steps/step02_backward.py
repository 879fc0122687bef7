"""Step 2: backward() does the walk for us, in the right order.

New in this step: `topological_order` and `Value.backward()`. In step 1 we had to call the
backward steps ourselves, each only after everything that used its Value had handed its
gradient on. That order is a topological order of the graph, reversed; here the code finds it.
"""


class Value:
    """One number in a computation, with the gradient of the final result with respect to it."""

    def __init__(self, data, inputs=(), local_grads=()):
        self.data = float(data)
        self.grad = 0.0                  # d(final result)/d(self), filled in by backward()
        self.inputs = inputs             # the Values this one was computed from
        self.local_grads = local_grads   # d(self)/d(input), one number per input

    def __add__(self, other):
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def backward_step(self):
        """The chain rule for one operation: hand self.grad on to the inputs."""
        for inp, local in zip(self.inputs, self.local_grads):
            inp.grad += self.grad * local

    def backward(self):
        """Fill in .grad of every Value this one depends on: d(self)/d(that value)."""
        self.grad = 1.0
        for value in reversed(topological_order(self)):
            value.backward_step()

    def __repr__(self):
        return f"Value(data={self.data:g}, grad={self.grad:g})"


def topological_order(root):
    """Every Value `root` depends on, each listed after all of its inputs.

    Depth first, with an explicit stack instead of recursion: a recursive walk stops at
    Python's recursion limit, near a thousand operations deep."""
    order, seen = [], set()
    stack = [(root, False)]           # (value, are its inputs already listed?)
    while stack:
        value, inputs_listed = stack.pop()
        if inputs_listed:
            order.append(value)       # after all of its inputs
        elif id(value) not in seen:
            seen.add(id(value))
            stack.append((value, True))
            stack.extend((inp, False) for inp in value.inputs)
    return order


if __name__ == "__main__":
    x, y = Value(3.0), Value(4.0)
    f = x * x * y + y        # x is used twice, y twice
    f.backward()
    print("f =", f)
    print("x =", x)          # df/dx = 2xy = 24
    print("y =", y)          # df/dy = x² + 1 = 10

    deep = Value(1.0)        # a chain of 10,000 additions: no recursion limit to hit
    total = deep
    for _ in range(10_000):
        total = total + deep
    total.backward()
    print("d(total)/d(deep) =", deep.grad)
