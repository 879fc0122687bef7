"""Reductions against PyTorch: sum mean max min var, and argmax/argmin (no gradient)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu import Tensor

CASES = [
    ("sum_all", lambda x: x.sum(), lambda x: x.sum(), [(2, 3)]),
    ("sum_dim0", lambda x: x.sum(0), lambda x: x.sum(0), [(2, 3)]),
    ("sum_negative_dim_keepdim", lambda x: x.sum(-1, keepdim=True), lambda x: x.sum(-1, keepdim=True), [(2, 3)]),
    ("sum_dim_tuple", lambda x: x.sum((0, 2)), lambda x: x.sum((0, 2)), [(2, 3, 4)]),
    ("sum_axis_keepdims_aliases", lambda x: x.sum(axis=1, keepdims=True), lambda x: x.sum(1, keepdim=True),
     [(2, 3, 4)]),
    ("sum_all_keepdim", lambda x: x.sum(keepdim=True), lambda x: x.sum(dim=(0, 1), keepdim=True), [(2, 3)]),
    ("sum_0d", lambda x: x.sum(), lambda x: x.sum(), [()]),
    ("sum_0d_dim0", lambda x: x.sum(0), lambda x: x.sum(0), [()]),
    ("sum_size1_dim", lambda x: x.sum(1), lambda x: x.sum(1), [(3, 1)]),
    ("mean_all", lambda x: x.mean(), lambda x: x.mean(), [(2, 3)]),
    ("mean_dim", lambda x: x.mean(1), lambda x: x.mean(1), [(2, 3)]),
    ("mean_dim_tuple_keepdim", lambda x: x.mean((0, 1), keepdim=True), lambda x: x.mean((0, 1), keepdim=True),
     [(2, 3, 2)]),
    ("mean_axis_alias", lambda x: x.mean(axis=-1), lambda x: x.mean(-1), [(2, 3)]),
    ("mean_0d", lambda x: x.mean(), lambda x: x.mean(), [()]),
    ("max_all", lambda x: x.max(), lambda x: x.amax(dim=(0, 1)), [(3, 4)]),
    ("max_dim", lambda x: x.max(1), lambda x: x.amax(1), [(3, 4)]),
    ("max_dim_keepdim", lambda x: x.max(0, keepdim=True), lambda x: x.amax(0, keepdim=True), [(3, 4)]),
    ("max_dim_tuple", lambda x: x.max((0, 2)), lambda x: x.amax((0, 2)), [(2, 3, 4)]),
    ("max_axis_alias", lambda x: x.max(axis=-1, keepdims=True), lambda x: x.amax(-1, keepdim=True), [(2, 3)]),
    ("max_0d", lambda x: x.max(), lambda x: x.amax(), [()]),
    ("amax_alias", lambda x: x.amax(1), lambda x: x.amax(1), [(3, 4)]),
    ("min_all", lambda x: x.min(), lambda x: x.amin(dim=(0, 1)), [(3, 4)]),
    ("min_dim", lambda x: x.min(0), lambda x: x.amin(0), [(3, 4)]),
    ("min_dim_keepdim", lambda x: x.min(-1, keepdim=True), lambda x: x.amin(-1, keepdim=True), [(3, 4)]),
    ("var_all", lambda x: x.var(), lambda x: x.var(), [(3, 4)]),
    ("var_dim", lambda x: x.var(1), lambda x: x.var(1), [(3, 4)]),
    ("var_dim_keepdim", lambda x: x.var(0, keepdim=True), lambda x: x.var(0, keepdim=True), [(3, 4)]),
    ("var_biased", lambda x: x.var(1, correction=0), lambda x: x.var(1, correction=0), [(3, 4)]),
    ("var_unbiased_false", lambda x: x.var(unbiased=False), lambda x: x.var(unbiased=False), [(3, 4)]),
    ("var_dim_tuple", lambda x: x.var((0, 2)), lambda x: x.var((0, 2)), [(2, 3, 4)]),
    ("std", lambda x: x.std(1), lambda x: x.std(1), [(3, 4)]),
    ("sum_of_broadcast_product", lambda x, y: (x * y).sum(0), lambda x, y: (x * y).sum(0), [(3, 1), (4,)]),
]


@pytest.mark.parametrize("name, ours, theirs, shapes", CASES, ids=[c[0] for c in CASES])
def test_reduction_values_gradients_and_second_derivatives_match_torch(name, ours, theirs, shapes, device):
    check_against_torch(ours, theirs, shapes, device=device, double=True)


@pytest.mark.parametrize("name, ours, theirs, shapes", CASES, ids=[c[0] for c in CASES])
def test_reduction_gradients_match_finite_differences(name, ours, theirs, shapes):
    finite_difference_check(ours, shapes)


@pytest.mark.parametrize("ours, theirs", [
    (lambda x: x.max(), lambda x: x.amax()),
    (lambda x: x.max(1), lambda x: x.amax(1)),
    (lambda x: x.min(), lambda x: x.amin()),
    (lambda x: x.min(0, keepdim=True), lambda x: x.amin(0, keepdim=True)),
], ids=["max_all", "max_dim", "min_all", "min_dim"])
def test_max_and_min_split_the_gradient_evenly_between_ties_like_torch_amax(ours, theirs, device):
    tied = np.array([[1.0, 3.0, 3.0], [-2.0, -2.0, 0.5], [3.0, -2.0, 0.0]])
    check_against_torch(ours, theirs, [tied], device=device, double=True)


def test_max_and_min_return_values_only_like_amax(device):
    x = Tensor([[1.0, 5.0], [7.0, 2.0]], device=device)
    assert isinstance(x.max(1), Tensor)
    assert x.max(1).tolist() == [5.0, 7.0]
    assert x.min(0).tolist() == [1.0, 2.0]
    assert x.max().item() == 7.0


def test_reductions_keep_integer_dtypes_like_torch(device):
    n = Tensor([[1, 2], [3, 4]], device=device)
    assert n.sum().dtype == tg.int64 and n.sum().item() == 10
    assert n.max(0).dtype == tg.int64 and n.max(0).tolist() == [3, 4]
    b = Tensor([True, False, True], device=device)
    assert b.sum().item() == 2


def test_float32_reductions_stay_float32(device):
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], device=device)
    for r in (x.sum(), x.mean(0), x.max(), x.min(1), x.var(), x.std(0)):
        assert r.dtype == tg.float32


@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_argmax_and_argmin_give_int64_indices_like_torch(op, device):
    values = np.array([[0.5, -1.0, 2.0, 2.0], [3.0, 1.0, -4.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    x = Tensor(values, device=device, requires_grad=True)
    t = torch.tensor(values)
    for kwargs in ({}, {"dim": 0}, {"dim": 1}, {"dim": -1, "keepdim": True}, {"dim": 0, "keepdim": True},
                   {"keepdim": True}):
        ours, theirs = getattr(x, op)(**kwargs), getattr(t, op)(**kwargs)
        assert ours.dtype == tg.int64, kwargs
        assert not ours.requires_grad and ours.grad_fn is None, kwargs
        assert ours.shape == tuple(theirs.shape), kwargs
        assert ours.tolist() == theirs.tolist(), kwargs


def test_argmax_accepts_numpy_style_axis_and_keepdims(device):
    x = Tensor([[1.0, 9.0], [8.0, 2.0]], device=device)
    assert x.argmax(axis=1).tolist() == [1, 0]
    assert x.argmin(axis=0, keepdims=True).tolist() == [[0, 1]]


def test_argmax_of_a_0d_tensor_is_zero(device):
    assert Tensor(3.0, device=device).argmax().item() == 0


@pytest.mark.filterwarnings("error::RuntimeWarning")   # PyTorch's warning, not NumPy's "invalid value"
def test_var_with_no_degrees_of_freedom_is_nan_with_a_warning_like_torch(device):
    x = Tensor([1.0], device=device, requires_grad=True)
    with pytest.warns(UserWarning, match=r"var: degrees of freedom is <= 0 \(1 elements with correction=1\)"):
        v = x.var()
    assert np.isnan(v.item())
    v.backward()
    assert np.isnan(x.grad.item())                        # torch's gradient is nan too
    with pytest.warns(UserWarning, match="std: |var: "):
        assert np.isnan(Tensor([[1.0, 2.0]], device=device).std(dim=0).numpy()).all()


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_mean_of_no_elements_is_nan_like_torch(device):
    assert np.isnan(Tensor(np.zeros(0), device=device).mean().item())
    assert np.isnan(torch.zeros(0).mean().item())
    per_row = Tensor(np.zeros((2, 0)), device=device).mean(dim=1)
    assert per_row.shape == (2,) and np.isnan(per_row.numpy()).all()


def test_mean_of_an_integer_tensor_asks_for_a_float_tensor():
    with pytest.raises(TypeError, match=r"mean: needs a floating-point tensor, got int64"):
        Tensor([1, 2]).mean()
    with pytest.raises(TypeError, match=r"var: needs a floating-point tensor, got int64"):
        Tensor([1, 2]).var()


def test_giving_both_dim_and_axis_is_an_error():
    with pytest.raises(TypeError, match="sum: give dim or axis, not both"):
        Tensor([[1.0]]).sum(0, axis=1)


def test_sum_backward_copies_the_upstream_gradient_to_every_element(device):
    x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], device=device, requires_grad=True)
    x.sum(1).backward(Tensor([10.0, 20.0], device=device))
    assert x.grad.tolist() == [[10.0, 10.0, 10.0], [20.0, 20.0, 20.0]]
