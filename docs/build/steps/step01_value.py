"""Step 1: a number that remembers how it was made.

New in this step: `Value`, a number with a gradient. `+` and `*` make a new Value that keeps
its inputs and the local derivative of the result with respect to each input. Nothing calls
backward for us yet: we call `backward_step()` by hand, from the result back to the inputs.
"""


class Value:
    """One number in a computation, with the gradient of the final result with respect to it."""

    def __init__(self, data, inputs=(), local_grads=()):
        self.data = float(data)
        self.grad = 0.0                  # d(final result)/d(self), filled in by backward steps
        self.inputs = inputs             # the Values this one was computed from
        self.local_grads = local_grads   # d(self)/d(input), one number per input

    def __add__(self, other):
        # d(a + b)/da = 1 and d(a + b)/db = 1
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        # d(a * b)/da = b and d(a * b)/db = a
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def backward_step(self):
        """The chain rule for one operation: hand self.grad on to the inputs.

        d(result)/d(input) = d(result)/d(self) * d(self)/d(input). The `+=` matters: a Value
        used twice receives a contribution from each use."""
        for inp, local in zip(self.inputs, self.local_grads):
            inp.grad += self.grad * local

    def __repr__(self):
        return f"Value(data={self.data:g}, grad={self.grad:g})"


if __name__ == "__main__":
    a, b, c = Value(2.0), Value(-3.0), Value(10.0)
    d = a * b          # -6
    e = d + c          # 4: the result
    e.grad = 1.0       # d(e)/d(e)
    e.backward_step()  # hands e's gradient to d and c
    d.backward_step()  # then d's to a and b: d must be finished before it hands anything on
    print("e =", e)
    print("a =", a)    # de/da = b = -3
    print("b =", b)    # de/db = a = 2
    print("c =", c)    # de/dc = 1
