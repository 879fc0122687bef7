"""The backward engine: ordering, accumulation, freeing, grad mode, hooks, tg.grad."""
from __future__ import annotations

import gc
import sys
import threading
import weakref

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import Tensor


def test_backward_of_a_scalar_fills_leaf_grads(device):
    x = Tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0, 6.0])
    assert x.grad.device == device


def test_a_node_used_twice_receives_the_sum_of_both_paths():
    x = Tensor(3.0, requires_grad=True)
    y = x * 2.0
    z = y * y + y           # dz/dy = 2y + 1 = 13, dz/dx = 26
    z.backward()
    assert x.grad.item() == 26.0


def test_gradients_accumulate_across_backward_calls_until_zeroed():
    x = Tensor([1.0, -1.0], requires_grad=True)
    (x * 3.0).sum().backward()
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 6.0])
    x.grad = None
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])


def test_broadcast_inputs_get_gradients_of_their_own_shape():
    a = Tensor(np.ones((2, 1, 3)), requires_grad=True)
    b = Tensor(np.ones((4, 1)), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (2, 1, 3) and b.grad.shape == (4, 1)
    np.testing.assert_allclose(a.grad.numpy(), np.full((2, 1, 3), 4.0))
    np.testing.assert_allclose(b.grad.numpy(), np.full((4, 1), 6.0))


def test_only_leaves_keep_grad_unless_retain_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 2.0
    kept = x * 3.0
    kept.retain_grad()
    (hidden + kept).sum().backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor is being accessed"):   # PyTorch's warning
        assert hidden.grad is None
    np.testing.assert_allclose(kept.grad.numpy(), [1.0, 1.0])


def test_a_chain_of_100000_ops_works_at_the_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.backward()
    assert x.grad.item() == 1.0
    assert y.item() == 100_001.0


def test_second_backward_through_a_freed_graph_is_a_clear_error():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2.0).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_backward_through_a_freed_part_of_a_graph_is_a_clear_error_and_changes_nothing():
    x = Tensor([1.0, 2.0], requires_grad=True)
    shared = x.exp() * 2.0                 # recorded once, used by two losses
    (shared.sum() + (shared * 4.0).sum()).backward()   # frees shared's ops
    x_grad = x.grad.numpy().copy()
    second = (shared * 3.0).sum() + (x * 5.0).sum()    # new ops on top of the freed ones, and live ones
    fresh = second.grad_fn
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        second.backward()
    np.testing.assert_array_equal(x.grad.numpy(), x_grad)   # no gradient was added
    assert not fresh.freed                 # the walk failed before running any backward


def test_retain_graph_allows_a_second_backward():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2.0).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 4.0 * np.exp([1.0, 2.0]))


def test_saved_values_are_freed_after_backward():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = y.sum()
    fn = y.grad_fn
    z.backward()
    assert fn.freed and not hasattr(fn, "inputs")


def test_an_intermediate_is_collected_after_backward_without_the_garbage_collector():
    gc.disable()
    try:
        x = Tensor(np.ones(1000), requires_grad=True)
        hidden = x.exp()
        loss = (hidden * 2.0).sum()
        probe = weakref.ref(hidden)
        del hidden
        assert probe() is not None          # the graph keeps it alive for backward
        loss.backward()
        assert probe() is None              # freed by reference counting alone: no cycles
    finally:
        gc.enable()


def test_a_graph_is_collected_when_dropped_without_backward():
    gc.disable()
    try:
        x = Tensor(np.ones(10), requires_grad=True)
        out = x.sigmoid().exp()              # ops that keep a (weak) reference to their output
        probe = weakref.ref(out.grad_fn)
        del out
        assert probe() is None
    finally:
        gc.enable()


def test_non_scalar_backward_needs_a_gradient():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"scalar output.*shape \(2, 3\)"):
        (x * 2.0).backward()
    (x * 2.0).backward(gradient=Tensor(np.ones((2, 3))))
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 3), 2.0))


def test_backward_gradient_of_the_wrong_shape_is_an_error():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"gradient has shape \(3,\).*\(2, 3\)"):
        (x * 2.0).backward(gradient=Tensor(np.ones(3)))


def test_backward_on_a_tensor_without_grad_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).sum().backward()


def test_requires_grad_on_an_integer_tensor_is_an_error():
    with pytest.raises(RuntimeError, match="only floating-point.*int64"):
        Tensor([1, 2, 3], requires_grad=True)
    with pytest.raises(RuntimeError, match="only floating-point.*bool"):
        Tensor([True]).requires_grad_()


def test_no_grad_records_nothing_and_enable_grad_turns_it_back_on():
    x = Tensor([1.0], requires_grad=True)
    with tg.no_grad():
        y = x * 2.0
        with tg.enable_grad():
            z = x * 2.0
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None
    assert tg.is_grad_enabled()


def test_no_grad_works_as_a_decorator():
    @tg.no_grad()
    def evaluate(t):
        return t * 2.0

    x = Tensor([1.0], requires_grad=True)
    assert not evaluate(x).requires_grad
    assert (x * 2.0).requires_grad


def test_no_grad_is_local_to_its_thread():
    seen = {}
    inside = threading.Event()
    checked = threading.Event()

    def other_thread():
        inside.wait()
        x = Tensor([1.0], requires_grad=True)
        seen["other"] = (x * 2.0).requires_grad
        checked.set()

    t = threading.Thread(target=other_thread)
    t.start()
    with tg.no_grad():
        inside.set()
        checked.wait(timeout=10)
        seen["main"] = (Tensor([1.0], requires_grad=True) * 2.0).requires_grad
    t.join()
    assert seen == {"other": True, "main": False}


def test_grad_returns_gradients_without_touching_dot_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 3).sum()
    (g,) = tg.grad(y, x)
    np.testing.assert_allclose(g.numpy(), [3.0, 12.0])
    assert x.grad is None


def test_grad_with_create_graph_gives_gradients_of_gradients():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (g,) = tg.grad((x ** 3).sum(), x, create_graph=True)   # 3x²
    (h,) = tg.grad(g.sum(), x)                             # 6x
    np.testing.assert_allclose(h.numpy(), [6.0, 12.0])


def test_backward_with_create_graph_matches_torch_hessian_vector_product():
    data = np.array([0.3, -1.2, 2.0])
    x = Tensor(data, requires_grad=True)
    xt = torch.tensor(data, requires_grad=True)
    for lib_x, lib in ((x, "tg"), (xt, "torch")):
        y = (lib_x.sigmoid() * lib_x.tanh()).sum()
        y.backward(create_graph=True)
        (lib_x.grad * lib_x.grad).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.detach().numpy(), rtol=1e-10)


def test_grad_of_an_unused_input_is_an_error_unless_allowed():
    x = Tensor([1.0], requires_grad=True)
    unused = Tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="input 1.*not used"):
        tg.grad((x * 2.0).sum(), [x, unused], retain_graph=True)
    gx, gu = tg.grad((x * 2.0).sum(), [x, unused], allow_unused=True)
    assert gu is None and gx.item() == 2.0


def test_grad_of_an_intermediate_tensor():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 3.0
    (gh,) = tg.grad((h * h).sum(), h)
    np.testing.assert_allclose(gh.numpy(), [6.0, 12.0])


def test_hooks_see_and_can_replace_the_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    seen = []
    h = x * 2.0
    h.register_hook(lambda g: seen.append(g.numpy().copy()))
    handle = x.register_hook(lambda g: g * 10.0)
    h.sum().backward()
    np.testing.assert_allclose(seen[0], [1.0, 1.0])
    np.testing.assert_allclose(x.grad.numpy(), [20.0, 20.0])
    handle.remove()
    x.grad = None
    (x * 2.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_a_hook_that_changes_the_shape_is_an_error():
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: Tensor([1.0]))
    with pytest.raises(RuntimeError, match="hook.*shape"):
        (x * 2.0).sum().backward()


def test_detach_cuts_the_graph():
    x = Tensor([2.0], requires_grad=True)
    y = x * x.detach()
    y.sum().backward()
    assert x.grad.item() == 2.0


def test_a_custom_function_plugs_into_the_engine():
    class Cube(tg.Function):
        """f(x) = x³;  df/dx = 3x²"""

        def forward(self, x):
            return x ** 3

        def backward(self, grad):
            x, = self.inputs
            return grad * 3.0 * x * x

    x = Tensor([2.0], requires_grad=True)
    y = Cube.apply(x)
    assert repr(y).endswith("grad_fn=<CubeBackward>)")
    y.sum().backward()
    assert x.grad.item() == 12.0


def test_inplace_update_under_no_grad_keeps_the_leaf():
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with tg.no_grad():
        w -= 0.1 * w.grad
    assert w.is_leaf and w.requires_grad
    np.testing.assert_allclose(w.numpy(), [0.8, 1.6])


def test_inplace_update_of_a_leaf_that_requires_grad_is_refused_while_recording():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place operation.*no_grad"):
        w -= 1.0
    np.testing.assert_allclose(w.numpy(), [1.0, 2.0])
