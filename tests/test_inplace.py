"""In-place changes and version counters: recorded like PyTorch, or refused; never a silently
wrong gradient. Each in-place op is compared with PyTorch's, values and gradients."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tests.oracle import check_against_torch
from tinygrad_edu import nn, optim
from tinygrad_edu.errors import DTypeError

OPS_TESTED_HERE = ("normal_", "uniform_")

POSITIVE = np.array([[0.3, 0.9, 1.7], [2.5, 0.6, 4.1]])

# Each case changes a non-leaf (x * 1.0) in place; the gradient must flow through the change.
IN_PLACE = {
    "add_": (lambda x: (x * 1.0).add_(x * x, alpha=2.0), lambda x: (x * 1.0).add_(x * x, alpha=2.0)),
    "sub_": (lambda x: (x * 1.0).sub_(x.exp()), lambda x: (x * 1.0).sub_(x.exp())),
    "mul_": (lambda x: (x * 1.0).mul_(x + 1.0), lambda x: (x * 1.0).mul_(x + 1.0)),
    "div_": (lambda x: (x * 1.0).div_(x + 1.0), lambda x: (x * 1.0).div_(x + 1.0)),
    "iadd": (lambda x: _iadd(x * 2.0, x), lambda x: _iadd(x * 2.0, x)),
    "zero_": (lambda x: (x * 1.0).zero_() + x, lambda x: (x * 1.0).zero_() + x),
    "fill_": (lambda x: (x * 1.0).fill_(x[0, 0]) * x, lambda x: (x * 1.0).fill_(x[0, 0]) * x),
    "copy_": (lambda x: (x * 1.0).copy_(x[0] * 3.0), lambda x: (x * 1.0).copy_(x[0] * 3.0)),
    "clamp_": (lambda x: (x * 1.0).clamp_(0.5, 2.0), lambda x: (x * 1.0).clamp_(0.5, 2.0)),
    "relu_": (lambda x: (x - 1.0).relu_(), lambda x: (x - 1.0).relu_()),
    "sigmoid_": (lambda x: (x * 1.0).sigmoid_(), lambda x: (x * 1.0).sigmoid_()),
    "setitem": (lambda x: _setitem(x * 1.0, x[1, 1:] * 5.0), lambda x: _setitem(x * 1.0, x[1, 1:] * 5.0)),
}


def _iadd(a, b):
    a += b
    return a


def _setitem(a, value):
    a[0, :2] = value
    return a


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_ops_on_a_non_leaf_are_recorded_like_pytorch(name, device):
    ours, theirs = IN_PLACE[name]
    check_against_torch(ours, theirs, [POSITIVE], device=device, double=name not in ("setitem",))


# ---- the silent wrong gradients of the past now raise --------------------------------------

def test_changing_a_saved_tensor_in_place_makes_backward_raise():
    w, y = tg.tensor([1.0, 2.0], requires_grad=True), tg.tensor([3.0, 4.0])
    out = (w * y).sum()
    y += 10
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: input 1 of mul .*shape \(2,\).*"
                                           r"version 1; expected version 0"):
        out.backward()


def test_changing_a_leaf_under_no_grad_between_forward_and_backward_makes_backward_raise():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    out = (w * w).sum()
    with tg.no_grad():
        w -= 0.1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward()


def test_changing_a_detached_alias_of_a_saved_tensor_makes_backward_raise():
    w, y = tg.tensor([1.0, 2.0], requires_grad=True), tg.tensor([3.0, 4.0], requires_grad=True)
    out = (w * y).sum()
    alias = y.detach()
    alias.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward()


def test_an_optimizer_step_between_forward_and_backward_makes_backward_raise():
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))   # the second weight is read by backward
    opt = optim.SGD(model.parameters(), lr=0.1)
    model(tg.ones(1, 3)).sum().backward()
    loss = model(tg.ones(1, 3)).sum()
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_relu_in_place_then_changing_its_output_again_raises_as_in_pytorch():
    x = tg.tensor([1.0, -2.0], requires_grad=True)
    out = x * 2.0
    out.relu_()
    out.mul_(tg.tensor([1.0, 0.0]))
    with pytest.raises(RuntimeError, match="its output of relu"):
        out.sum().backward()


def test_changing_an_output_that_its_op_saved_makes_backward_raise():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x.sigmoid()           # sigmoid's backward reads its output
    y.mul_(2.0)
    with pytest.raises(RuntimeError, match=r"its output of sigmoid"):
        y.sum().backward()


def test_changes_that_backward_does_not_read_are_fine():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3.0
    out = h + 1.0             # add reads neither input
    h.add_(5.0)
    out.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


# ---- versions -------------------------------------------------------------------------------

def test_versions_count_changes_and_views_and_detach_share_them():
    x = tg.zeros(2, 3)
    view, alias = x[0], x.detach()
    assert x._version == 0
    x += 1
    view.fill_(2.0)
    alias[1, 1] = 5.0
    assert x._version == view._version == alias._version == 3
    assert x.tolist() == [[2.0, 2.0, 2.0], [1.0, 5.0, 1.0]]
    x.array[...] = 0           # the raw array: no version change, as PyTorch's .array
    assert x._version == 3


def test_a_reshape_that_copies_does_not_share_the_version():
    x = tg.zeros(2, 3)
    copy = x.T.reshape(-1)    # not expressible as a view: a copy
    copy += 1
    assert x._version == 0 and copy._version == 1


# ---- PyTorch's rules for what may change in place ------------------------------------------

def test_a_leaf_that_requires_grad_cannot_change_in_place_while_recording():
    w = tg.tensor([1.0], requires_grad=True)
    for change in (lambda: w.add_(1.0), lambda: w.zero_(), lambda: w.__setitem__(0, 2.0)):
        with pytest.raises(RuntimeError, match="a leaf tensor that requires grad .* in-place operation"):
            change()
    assert w.tolist() == [1.0] and w._version == 0
    with tg.no_grad():
        w.add_(1.0)
    assert w.tolist() == [2.0] and w.is_leaf


def test_writing_a_value_that_requires_grad_into_a_plain_tensor_records_it():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    buffer = tg.zeros(3)
    buffer[1:] = w * 2.0
    assert buffer.requires_grad and not buffer.is_leaf
    (buffer * tg.tensor([5.0, 6.0, 7.0])).sum().backward()
    assert w.grad.tolist() == [12.0, 14.0]
    total = tg.zeros(2)
    total += w
    assert total.grad_fn is not None and total.requires_grad


def test_changing_a_view_of_a_tensor_that_requires_grad_is_a_clear_error():
    h = tg.tensor([1.0, 2.0], requires_grad=True) * 2.0
    with pytest.raises(RuntimeError, match="a view of another tensor in place .*clone"):
        h[0:1].mul_(3.0)


def test_in_place_ops_on_0d_tensors_and_with_0d_integer_operands():
    t = tg.tensor(2.0)
    t += 1
    t *= tg.tensor(3)
    t.sub_(tg.tensor(1.5))
    assert t.item() == 7.5 and t.shape == ()
    i = tg.tensor(4)
    i += tg.tensor(2)
    assert i.item() == 6 and i.dtype == tg.int64
    with pytest.raises(RuntimeError, match="can't be cast"):
        i += 0.5


def test_copy_broadcasts_like_pytorch():
    c = tg.zeros(2, 3)
    c.copy_(tg.tensor([1.0, 2.0, 3.0]))
    assert c.tolist() == [[1.0, 2.0, 3.0]] * 2
    with pytest.raises(ValueError, match=r"copy_: the operand of shape \(2,\) does not broadcast"):
        c.copy_(tg.ones(2))


def test_contiguous_copies_a_tensor_that_is_not():
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    c = x.T.contiguous()
    c += 100
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]] and c.array.flags.c_contiguous
    assert x.contiguous() is x


def test_requires_grad_turned_on_after_use_gets_no_gradient_from_earlier_ops():
    a, b = tg.tensor([1.0, 2.0], requires_grad=True), tg.tensor([3.0, 4.0])
    y = (a + b).sum()
    b.requires_grad_()
    y.backward()
    assert b.grad is None and a.grad.tolist() == [1.0, 1.0]


# ---- .grad ----------------------------------------------------------------------------------

def test_every_grad_is_its_own_writable_tensor():
    a, b = tg.tensor([1.0, 2.0], requires_grad=True), tg.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.zero_()            # the PyTorch idiom: must not touch b.grad
    assert b.grad.tolist() == [1.0, 1.0] and not np.shares_memory(a.grad.array, b.grad.array)
    g = tg.tensor([5.0, 6.0])
    c = tg.tensor([1.0, 1.0], requires_grad=True)
    (c * 1.0).backward(g)
    c.grad.mul_(2.0)
    assert g.tolist() == [5.0, 6.0]
    row = tg.tensor([1.0, 2.0], requires_grad=True)
    (row.expand(3, 2) * 1.0).sum().backward()   # a broadcast gradient arrives as a read-only view
    row.grad += 1
    assert row.grad.tolist() == [4.0, 4.0]


def test_gradients_accumulate_into_the_same_grad_tensor_as_in_pytorch():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * 2.0).sum().backward()
    held = x.grad
    (x * 3.0).sum().backward()
    assert x.grad is held and held.tolist() == [5.0, 5.0]


@pytest.mark.parametrize("value, error, message", [
    (1.0, TypeError, "assigned grad expected to be a Tensor or None but got grad of type float"),
    ("zeros(3)", RuntimeError, "assigned grad has data of a different size"),
    ("zeros(2, dtype=float64)", RuntimeError, "assigned grad has data of a different type"),
], ids=["float", "shape", "dtype"])
def test_assigning_a_wrong_grad_is_refused_like_pytorch(value, error, message):
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    value = eval("tg." + value, {"tg": tg, "float64": tg.float64}) if isinstance(value, str) else value
    with pytest.raises(error, match=message):
        w.grad = value
    assert w.grad is None


def test_a_failed_optimizer_step_changes_no_parameter_and_no_state():
    a, b = tg.tensor([1.0, 2.0], requires_grad=True), tg.tensor([3.0], requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad, b.grad = tg.ones(2), tg.ones(1)
    opt.step()
    before = (a.tolist(), b.tolist(), {k: v.tolist() for k, v in opt.state[a].items() if hasattr(v, "tolist")})
    b.grad.array = np.ones(4, dtype=np.float32)   # a wrong shape that went around the checked setter
    with pytest.raises(RuntimeError, match=r"Adam.step: parameter 1 of group 0 has shape \(1,\) but its gradient "
                                           r"has shape \(4,\); no parameter was changed"):
        opt.step()
    after = (a.tolist(), b.tolist(), {k: v.tolist() for k, v in opt.state[a].items() if hasattr(v, "tolist")})
    assert before == after


def test_reading_the_grad_of_a_non_leaf_warns_like_pytorch():
    x = tg.tensor([1.0], requires_grad=True)
    y = x * 2.0
    y.sum().backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert y.grad is None


# ---- hooks ----------------------------------------------------------------------------------

@pytest.mark.parametrize("returned, error, message", [
    (lambda g: 1.0, TypeError, r"hook '<lambda>' returned a float; expected None or a Tensor of shape \(2,\)"),
    (lambda g: g.numpy(), TypeError, "returned a ndarray"),
    (lambda g: g.double(), RuntimeError, "returned a gradient with dtype float64, but the gradient has dtype float32"),
    (lambda g: g[:1], RuntimeError, r"returned a gradient with shape \(1,\)"),
], ids=["float", "array", "dtype", "shape"])
def test_a_hook_that_returns_something_else_than_a_like_gradient_is_named(returned, error, message):
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(returned)
    with pytest.raises(error, match=message):
        (x * 2.0).sum().backward()


# ---- grad modes -------------------------------------------------------------------------------

def test_grad_mode_decorators_work_on_generators_and_inference_mode_is_no_grad():
    @tg.no_grad()
    def numbers():
        for i in range(3):
            yield tg.is_grad_enabled(), i

    seen = []
    for enabled, i in numbers():
        seen.append(enabled)
        assert tg.is_grad_enabled()   # the caller's mode between steps
    assert seen == [False, False, False]
    with tg.inference_mode():
        assert not tg.is_grad_enabled()
        with tg.inference_mode(False):
            assert tg.is_grad_enabled()

    @tg.inference_mode()
    def f():
        return (tg.ones(1, requires_grad=True) * 2).requires_grad
    assert f() is False


def test_in_place_changes_match_torch_on_relu_in_a_residual_block():
    rng = np.random.default_rng(0)
    x_data, w_data = rng.standard_normal((4, 3)), rng.standard_normal((3, 3))

    def run(lib, x, w):
        identity = x
        out = x @ w
        out += identity
        out.relu_()
        return (out * lib.tensor([1.0, 0.0, 2.0], dtype=out.dtype)).sum()

    x, w = tg.tensor(x_data, requires_grad=True), tg.tensor(w_data, requires_grad=True)
    tx, tw = torch.tensor(x_data, requires_grad=True), torch.tensor(w_data, requires_grad=True)
    run(tg, x, w).backward()
    run(torch, tx, tw).backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)


def test_the_graph_drawings_show_a_tensor_changed_in_place_with_its_version():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2.0
    h.add_(1.0)
    y = (h * h).sum()
    assert "version 1 (changed in place)" in tg.viz.draw_graph(y).source
    assert "version 1" in tg.viz.graph_text(y)


def test_an_in_place_op_that_reads_the_old_values_works_after_earlier_changes():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    for lib, v in ((tg, x), (torch, tx)):
        h = v * 1.0
        h.add_(1.0)           # version 1
        h.mul_(v)             # mul_'s gradient for v reads h as it was: needs its own copy
        h.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_an_in_place_add_needs_no_copy_of_the_old_values():
    h = tg.tensor([1.0, 2.0], requires_grad=True) * 1.0
    memory = h.array
    h += 1.0
    (old,) = h.grad_fn.inputs
    assert old.array is memory and h.array is memory   # add reads nothing: no copy was made


# ---- random fills: normal_ and uniform_ (what `m.weight.data.normal_(0.0, 0.02)` runs) ----------

def test_normal_and_uniform_fill_in_place_with_the_asked_distribution():
    tg.manual_seed(0)
    w = tg.zeros(200, 50)
    array = w.array
    assert w.normal_(1.0, 0.02) is w and w.array is array
    assert abs(w.numpy().mean() - 1.0) < 0.002 and abs(w.numpy().std() - 0.02) < 0.001
    assert w.uniform_(-0.5, 0.25) is w and w.array is array
    values = w.numpy()
    assert values.min() >= -0.5 and values.max() < 0.25 and abs(values.mean() + 0.125) < 0.01


def test_normal_and_uniform_through_data_leave_the_graph_alone_and_follow_a_generator():
    p = tg.nn.Parameter(tg.zeros(3, 4))
    g = tg.Generator().manual_seed(7)
    p.data.normal_(0.0, 0.02, generator=g)
    first = p.numpy().copy()
    p.data.normal_(0.0, 0.02, generator=g.manual_seed(7))
    np.testing.assert_array_equal(p.numpy(), first)
    assert p.grad_fn is None and p.requires_grad and p._version == 0


def test_random_fills_are_refused_where_pytorch_refuses_them_and_change_nothing():
    leaf = tg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        leaf.normal_()
    assert leaf.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(DTypeError, match="uniform_"):
        tg.zeros(3, dtype=tg.int64).uniform_()
    with pytest.raises(ValueError, match="std"):
        tg.zeros(3).normal_(0.0, -1.0)
    with pytest.raises(ValueError, match="from_ <= to"):
        tg.zeros(3).uniform_(1.0, 0.0)
