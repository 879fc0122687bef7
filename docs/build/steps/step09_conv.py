"""Step 9: a convolution layer, by im2col, forward and backward.

New in this step: `conv2d`. It copies every window of the image into one row of a matrix
(im2col), so that ONE matrix product computes all the windows' weighted sums. Its backward
adds each row's gradient back onto the pixels it came from (col2im). Left out, because the
example does not use them: no_grad, relu, @ and cross_entropy (step 8 has them).
"""
import numpy as np


class Tensor:
    def __init__(self, array, inputs=(), backward=None, requires_grad=False):
        self.array = np.asarray(array, dtype=np.float64)
        self.grad = None           # d(result)/d(self), an array of self's shape, once backward ran
        # An op's result is linked to its inputs only if a gradient could flow back through it.
        self.requires_grad = requires_grad or any(t.requires_grad for t in inputs)
        self.inputs = inputs if self.requires_grad else ()
        self._backward = backward if self.requires_grad else None

    def __add__(self, other):      # the gradient passes unchanged to both
        return Tensor(self.array + other.array, (self, other), lambda g: (g, g))

    def __mul__(self, other):      # elementwise: the gradient times the other factor
        return Tensor(self.array * other.array, (self, other), lambda g: (g * other.array, g * self.array))

    def sum(self):                 # each element counts once: its gradient is the upstream number
        return Tensor(self.array.sum(), (self,), lambda g: (np.full(self.array.shape, g),))

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


def conv2d(x, w, stride=1, padding=0):
    """out[n, o, p, q] = Σ_{c,i,j} w[o, c, i, j]·x_padded[n, c, p·stride + i, q·stride + j]

    x: images (N, C, H, W); w: kernels (O, C, kh, kw). Each output pixel is one window of the
    input, weighted by a kernel; every window uses the same kernel."""
    if x.array.ndim != 4 or w.array.ndim != 4 or x.array.shape[1] != w.array.shape[1]:
        raise ValueError(f"conv2d: expected images (N, C, H, W) and kernels (O, C, kh, kw) with one C, "
                         f"got {x.array.shape} and {w.array.shape}")
    (n, c, height, width), (o, _, kh, kw) = x.array.shape, w.array.shape
    padded = np.pad(x.array, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    # Every kh×kw window, as a view (no copy yet): (N, C, OH, OW, kh, kw)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    oh, ow = windows.shape[2:4]
    cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * kh * kw)   # im2col: a row per window
    kernels = w.array.reshape(o, c * kh * kw)                                      # a row per kernel
    out = (cols @ kernels.T).reshape(n, oh, ow, o).transpose(0, 3, 1, 2)           # the one product

    def backward(g):
        g = g.transpose(0, 2, 3, 1).reshape(n * oh * ow, o)          # a row per window again
        grad_w = (g.T @ cols).reshape(w.array.shape)                 # each kernel: Σ gradient × its windows
        grad_cols = (g @ kernels).reshape(n, oh, ow, c, kh, kw)
        grad_padded = np.zeros_like(padded)
        for i in range(kh):   # col2im: offset (i, j) of every window adds back onto the pixels it read
            for j in range(kw):
                grad_padded[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride] += \
                    grad_cols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
        return grad_padded[:, :, padding:padding + height, padding:padding + width], grad_w
    return Tensor(out, (x, w), backward)


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
    from tinygrad_edu.data import load_digits                  # the digits scikit-learn ships
    images = Tensor(load_digits()[0].numpy()[:100])             # 100 digits, shape (100, 1, 8, 8)
    edge = Tensor([[[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]]])   # finds vertical edges
    target = conv2d(images, edge).array                         # what that kernel sees in each digit
    # Can a kernel that starts random learn to see the same? Gradient descent on the squared error.
    w = Tensor(np.random.default_rng(0).normal(0, 0.1, (1, 1, 3, 3)), requires_grad=True)
    for step in range(500):
        error = conv2d(images, w) + Tensor(-target)
        loss = (error * error).sum()
        w.grad = None
        loss.backward()
        w.array -= 0.00005 * w.grad   # small: the loss adds up 3,600 output pixels
    print(f"squared error {loss.array:.4f}; the learned kernel:")
    print(w.array[0, 0].round(2) + 0.0)   # + 0.0 turns -0.0 into 0.0
