"""A leaf's `.grad` owns its memory, whether backward copied the gradient or took it.

backward() hands a leaf the gradient array itself when nothing else holds it or the memory
under it (autograd.accumulate, as PyTorch's AccumulateGrad steals an unreferenced gradient),
and a copy otherwise. A wrong "nothing else holds it" would let a later backward, which adds
into `.grad` in place, change a tensor the user holds. Each test below holds a gradient in
one of the ways a program can, runs backward twice, and checks that what it held did not
change and that `.grad` shares memory with nothing it holds.
"""
from __future__ import annotations

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu.autograd import Function


def _twice(loss_of, leaves):
    for _ in range(2):
        loss_of().backward()
    return [leaf.grad for leaf in leaves]


def test_a_fresh_gradient_becomes_grad_without_a_copy():
    # x @ W.T: W's gradient is a view of the product that made it, which nothing else holds;
    # a copy would own its memory (base None) instead.
    x = tg.tensor(np.arange(12.0).reshape(4, 3))
    w = tg.tensor(np.ones((2, 3)), requires_grad=True)
    (x @ w.T).sum().backward()
    assert w.grad.array.base is not None
    np.testing.assert_array_equal(w.grad.numpy(), np.tile(x.numpy().sum(0), (2, 1)))


def test_a_gradient_given_to_backward_is_never_taken():
    g = tg.tensor([1.0, 2.0])
    w = tg.tensor([3.0, 4.0], requires_grad=True)
    w.backward(g)                  # the root is the leaf: its gradient is g itself
    assert not np.shares_memory(w.grad.array, g.array)
    w.backward(g)
    np.testing.assert_array_equal(g.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 4.0])
    v = tg.tensor([1.0, 1.0], requires_grad=True)
    (v + 0.0).backward(g)          # add hands g on unchanged
    assert not np.shares_memory(v.grad.array, g.array)


def test_one_gradient_for_two_leaves_gives_each_its_own_memory():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = tg.tensor([5.0, 6.0], requires_grad=True)
    grads = _twice(lambda: (a + b).sum(), [a, b])
    assert not np.shares_memory(grads[0].array, grads[1].array)
    a.grad.array[0] = 100.0
    np.testing.assert_array_equal(b.grad.numpy(), [2.0, 2.0])


def test_views_of_one_gradient_array_are_not_shared_between_leaves():
    c = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    d = tg.tensor([4.0], requires_grad=True)
    weights = tg.tensor([1.0, 2.0, 3.0, 4.0])
    grads = _twice(lambda: (tg.cat([c, d]) * weights).sum(), [c, d])   # cat's backward: slices of one array
    assert not np.shares_memory(grads[0].array, grads[1].array)
    for g in grads:   # a slice taken as .grad would keep the whole gradient of the cat alive
        assert g.array.base is None or g.array.base.nbytes == g.array.nbytes
    np.testing.assert_array_equal(c.grad.numpy(), [2.0, 4.0, 6.0])
    np.testing.assert_array_equal(d.grad.numpy(), [8.0])


def test_a_gradient_a_hook_kept_is_not_changed_by_the_next_backward():
    saved = []
    e = tg.tensor([1.0, 2.0], requires_grad=True)
    e.register_hook(lambda g: saved.append(g))
    _twice(lambda: (e * 3.0).sum(), [e])
    assert not np.shares_memory(e.grad.array, saved[0].array)
    np.testing.assert_array_equal(saved[0].numpy(), [3.0, 3.0])
    np.testing.assert_array_equal(e.grad.numpy(), [6.0, 6.0])


def test_a_gradient_a_study_hook_recorded_is_not_changed_by_the_next_backward():
    seen = []
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    with tg.autograd.hooks(backward=lambda fn, grads: seen.extend(g for g in grads if g is not None)):
        _twice(lambda: (w * 2.0).sum(), [w])
    assert all(not np.shares_memory(w.grad.array, g.array) for g in seen)
    assert all(np.array_equal(g.numpy(), np.ones(2)) or np.array_equal(g.numpy(), [2.0, 2.0]) for g in seen)
    np.testing.assert_array_equal(w.grad.numpy(), [4.0, 4.0])


def test_a_retained_gradient_and_a_leaf_gradient_do_not_share_memory():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    y.retain_grad()
    (y + x).sum().backward()       # add hands the same gradient to y's node and to x
    assert not np.shares_memory(y.grad.array, x.grad.array)


def test_a_gradient_a_function_also_keeps_is_copied():
    kept = tg.tensor([7.0, 8.0])

    class HandsBackAKeptTensor(Function):
        def forward(self, x):
            return x.copy()

        def backward(self, grad):
            return kept            # a tensor the program still holds

    p = tg.tensor([1.0, 2.0], requires_grad=True)
    _twice(lambda: HandsBackAKeptTensor.apply(p).sum(), [p])
    assert not np.shares_memory(p.grad.array, kept.array)
    np.testing.assert_array_equal(kept.numpy(), [7.0, 8.0])
    np.testing.assert_array_equal(p.grad.numpy(), [14.0, 16.0])


def test_a_taken_gradient_can_be_changed_in_place_like_any_grad():
    x = tg.tensor(np.arange(6.0).reshape(2, 3))
    w = tg.tensor(np.ones((4, 3)), requires_grad=True)
    (x @ w.T).sum().backward()
    expected = w.grad.numpy() * 0.5
    w.grad.mul_(0.5)               # as gradient clipping does
    np.testing.assert_array_equal(w.grad.numpy(), expected)
    (x @ w.T).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), expected * 3)


def test_a_new_tensor_over_memory_the_program_holds_is_copied():
    kept = tg.tensor([7.0, 8.0])

    class WrapsKeptMemory(Function):
        def forward(self, x):
            return x.copy()

        def backward(self, grad):
            # a tensor nothing else holds, over an array the program holds (or a view of it)
            return self.constant(kept.array if self.inputs[0].shape == (2,) else kept.array[:1])

    for shape in [(2,), (1,)]:
        p = tg.ones(shape, requires_grad=True)
        _twice(lambda: WrapsKeptMemory.apply(p).sum(), [p])
        assert not np.shares_memory(p.grad.array, kept.array)
        np.testing.assert_array_equal(kept.numpy(), [7.0, 8.0])
