"""tg.study.trace_backward: every backward step, with numbers that equal autograd's gradients."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import autograd


def test_steps_run_from_the_last_op_back_to_the_first():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    w = tg.tensor([3.0, 4.0], requires_grad=True)
    trace = tg.study.trace_backward((x * w + x).sum(), names={"x": x, "w": w})
    assert [s.op for s in trace] == ["sum", "add", "mul"]
    assert [s.number for s in trace] == [1, 2, 3]
    assert [s.position for s in trace] == sorted((s.position for s in trace), reverse=True)


def test_a_node_used_twice_gets_the_sum_of_both_paths_equal_to_autograds_gradient():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    w = tg.tensor([3.0, 4.0], requires_grad=True)
    trace = tg.study.trace_backward((x * w + x).sum(), names={"x": x, "w": w})
    leaf = trace.leaf("x")
    assert leaf.summed and leaf.paths == ["step 2 (add, input 1)", "step 3 (mul, input 0)"]
    handed = [i.gradient for s in trace for i in s.inputs if i.name == "x"]
    assert len(handed) == 2
    np.testing.assert_allclose(handed[0] + handed[1], x.grad.numpy())
    np.testing.assert_allclose(leaf.gradient, x.grad.numpy())
    np.testing.assert_allclose(leaf.gradient, [4.0, 5.0])      # w + 1
    assert not trace.leaf("w").summed


def test_an_intermediate_tensor_used_twice_receives_the_summed_upstream_gradient():
    x = tg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    h = x * 2.0
    y = (h * h + h).sum()
    trace = tg.study.trace_backward(y, names={"h": h})
    step = next(s for s in trace if s.output == "h")
    # h + ... and both inputs of h * h: three paths meet at h
    assert step.paths == ["step 2 (add, input 1)", "step 3 (mul, input 0)", "step 3 (mul, input 1)"]
    expected = 2 * (2 * x.numpy()) + 1                          # dy/dh = 2h + 1
    np.testing.assert_allclose(step.upstream, expected)
    assert "the sum of 3 paths" in trace.table()


def test_a_broadcast_add_records_the_reduction_and_matches_autograd():
    a = tg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    weights = tg.tensor(np.arange(6.0).reshape(2, 3))
    trace = tg.study.trace_backward(((a + b) * weights).sum(), names={"a": a, "b": b})
    add = next(s for s in trace if s.op == "add")
    to_a, to_b = add.inputs
    assert to_a.broadcast_from is None
    assert to_b.broadcast_from == (2, 3) and to_b.shape == (3,)
    np.testing.assert_allclose(to_b.gradient, b.grad.numpy())
    np.testing.assert_allclose(to_b.gradient, [3.0, 5.0, 7.0])
    np.testing.assert_allclose(to_a.gradient, a.grad.numpy())
    assert "broadcast: summed (2, 3) down to (3,)" in trace.table()


def test_every_number_in_the_trace_equals_pytorchs_gradients():
    rng = np.random.default_rng(0)
    xs, ws = rng.standard_normal((2, 3)), rng.standard_normal((3, 2))
    x, w = tg.tensor(xs, requires_grad=True), tg.tensor(ws, requires_grad=True)
    h = x @ w
    h.retain_grad()
    trace = tg.study.trace_backward((h.tanh() * h).sum(), names={"x": x, "w": w, "h": h})
    tx, tw = torch.tensor(xs, requires_grad=True), torch.tensor(ws, requires_grad=True)
    th = tx @ tw
    th.retain_grad()
    (th.tanh() * th).sum().backward()
    np.testing.assert_allclose(trace.leaf("x").gradient, tx.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(trace.leaf("w").gradient, tw.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(next(s for s in trace if s.output == "h").upstream, th.grad.numpy(), rtol=1e-10)


def test_the_upstream_gradient_of_each_step_is_the_gradient_of_that_ops_result():
    x = tg.tensor([0.5, -1.0, 2.0], requires_grad=True)
    a = x.exp()
    b = a * x
    c = b.sigmoid()
    for t in (a, b, c):
        t.retain_grad()
    trace = tg.study.trace_backward(c.sum(), names={"a": a, "b": b, "c": c})
    by_output = {s.output: s for s in trace}
    for name, t in (("a", a), ("b", b), ("c", c)):
        np.testing.assert_allclose(by_output[name].upstream, t.grad.numpy(), rtol=1e-6)


def test_local_derivatives_are_listed_as_numbers_for_small_tensors():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    w = tg.tensor([3.0, 4.0], requires_grad=True)
    trace = tg.study.trace_backward((x * w).sum(), names={"x": x, "w": w})
    mul = trace[1]
    assert mul.rule == "f(a, b) = a * b;  df/da = b, df/db = a"
    assert [i.derivative_kind for i in mul.inputs] == ["elementwise", "elementwise"]
    np.testing.assert_allclose(mul.inputs[0].local_derivative, [3.0, 4.0])   # df/dx = w
    np.testing.assert_allclose(mul.inputs[1].local_derivative, [1.0, 2.0])   # df/dw = x
    total = trace[0]
    assert total.inputs[0].derivative_kind == "jacobian"
    np.testing.assert_allclose(total.inputs[0].local_derivative, [[1.0, 1.0]])


def test_a_matmuls_local_derivative_is_its_jacobian():
    xs, ws = np.array([[1.0, 2.0]]), np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.5]])
    x, w = tg.tensor(xs, requires_grad=True), tg.tensor(ws, requires_grad=True)
    trace = tg.study.trace_backward((x @ w).sum())
    matmul = next(s for s in trace if s.op == "matmul")
    jacobian = torch.autograd.functional.jacobian(lambda a: a @ torch.tensor(ws), torch.tensor(xs))
    np.testing.assert_allclose(matmul.inputs[0].local_derivative, jacobian.reshape(3, 2).numpy())


def test_big_tensors_are_summarised_and_their_jacobians_not_listed():
    x = tg.randn(10, 10, requires_grad=True)
    trace = tg.study.trace_backward((x * x).sum())
    assert all(i.local_derivative is None for s in trace for i in s.inputs)
    table = trace.table()
    assert "(too many numbers to list)" in table and "mean " in table and "norm " in table


def test_the_trace_prints_as_a_readable_table():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    trace = tg.study.trace_backward((x * tg.tensor([3.0, 3.0])).sum(), names={"x": x})
    text = str(trace)
    assert text.startswith("backward trace: 2 steps")
    assert "step 1: sum (op #" in text and "step 2: mul (op #" in text
    assert "rule: f(a, b) = a * b;  df/da = b, df/db = a" in text
    assert "input  shape  local derivative  gradient handed on  note" in text
    assert "needs no gradient" in text                     # the constant [3., 3.]
    assert "from the starting gradient" in text
    assert text.splitlines()[-1].split() == ["x", "(2,)", "[3.,", "3.]", "step", "2", "(mul,", "input", "0)"]


def test_steps_are_dataclasses_for_notebooks():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    trace = tg.study.trace_backward((x * x).sum())
    assert len(trace) == 2
    assert all(dataclasses.is_dataclass(s) for s in trace.steps)
    assert dataclasses.is_dataclass(trace.steps[1].inputs[0]) and dataclasses.is_dataclass(trace.leaves[0])
    assert dataclasses.asdict(trace.steps[0])["op"] == "sum"


def test_trace_backward_fills_grad_like_backward_and_removes_its_hooks():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    tg.study.trace_backward(h.sum())
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])
    assert not autograd.active_hooks()[1] and not autograd.active_hooks()[0]
    assert not x._hooks and not h._hooks


def test_a_non_scalar_root_needs_a_gradient_as_in_backward():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="gradient can be created implicitly only for a scalar"):
        tg.study.trace_backward(x * 2.0)
    assert not autograd.active_hooks()[1]
    trace = tg.study.trace_backward(x * 2.0, gradient=tg.tensor([1.0, -1.0]))
    np.testing.assert_allclose(trace.leaves[0].gradient, [2.0, -2.0])


def test_tracing_a_freed_graph_says_how_to_keep_it():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"trace_backward: .*freed by backward\(\).*tg\.study\.keep_graphs\(\)"):
        tg.study.trace_backward(y)


def test_trace_backward_works_on_every_device(device):
    a = tg.tensor([[1.0, 2.0], [3.0, 4.0]], device=device, requires_grad=True)
    b = tg.tensor([10.0, 20.0], device=device, requires_grad=True)
    trace = tg.study.trace_backward(((a + b) * a).sum(), names={"a": a, "b": b})
    np.testing.assert_allclose(trace.leaf("a").gradient, a.grad.numpy())
    np.testing.assert_allclose(trace.leaf("b").gradient, b.grad.numpy())
    assert trace.leaf("a").summed


def test_parameters_in_the_trace_carry_their_module_names():
    class Layer:
        def __init__(self):
            self.weight = tg.tensor([[2.0, -1.0]], requires_grad=True)

        def named_parameters(self):
            return [("fc.weight", self.weight)]

    layer = Layer()
    x = tg.tensor([[1.0, 3.0]])
    trace = tg.study.trace_backward((x @ layer.weight.T).sum(), module=layer)
    assert [leaf.name for leaf in trace.leaves] == ["fc.weight"]
    np.testing.assert_allclose(trace.leaf("fc.weight").gradient, [[1.0, 3.0]])
    assert "fc.weight" in trace.table()


def test_the_rule_of_an_op_whose_docstring_wraps_over_lines_is_given_whole():
    class Twice(tg.Function):
        """f(x) = 2x, written over two lines as a user
        might;  df/dx = 2

        Anything after the first paragraph is not part of the rule."""

        def forward(self, x):
            return x * 2

        def backward(self, grad):
            return grad * 2.0

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    trace = tg.study.trace_backward(Twice.apply(x).sum())
    rule = {s.op: s.rule for s in trace}["twice"]
    assert rule == "f(x) = 2x, written over two lines as a user might;  df/dx = 2"
