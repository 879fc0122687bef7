"""prod, logsumexp, norm, var_mean, std_mean and aminmax against PyTorch: values, gradients
(prod with zeros, norm at the zero vector), second derivatives, dtypes and errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tests.oracle import assert_close, check_against_torch, finite_difference_check
from tinygrad_edu import Tensor

OPS_TESTED_HERE = ("prod", "logsumexp", "norm", "var_mean", "std_mean", "aminmax")

WITH_ZEROS = np.array([[2.0, 0.0, 3.0, 0.0], [1.5, -2.0, 3.0, 0.5], [0.0, 1.0, 2.0, -3.0]])
INF = float("inf")

CASES = [
    ("prod_all", lambda x: x.prod(), lambda x: x.prod(), [(3, 4)]),
    ("prod_dim", lambda x: tg.prod(x, 1), lambda x: torch.prod(x, 1), [(3, 4)]),
    ("prod_negative_dim_keepdim", lambda x: x.prod(-2, keepdim=True), lambda x: x.prod(-2, keepdim=True), [(2, 3, 4)]),
    ("prod_0d", lambda x: x.prod(), lambda x: x.prod(), [()]),
    ("prod_zeros_all", lambda x: x.prod(), lambda x: x.prod(), [WITH_ZEROS]),
    ("prod_zeros_dim1", lambda x: x.prod(1), lambda x: x.prod(1), [WITH_ZEROS]),
    ("prod_zeros_dim0", lambda x: x.prod(0, True), lambda x: x.prod(0, True), [WITH_ZEROS]),
    ("logsumexp_dim", lambda x: tg.logsumexp(x, 1), lambda x: torch.logsumexp(x, 1), [(3, 4)]),
    ("logsumexp_dim_tuple", lambda x: x.logsumexp((0, 2)), lambda x: x.logsumexp((0, 2)), [(2, 3, 4)]),
    ("logsumexp_negative_keepdim", lambda x: x.logsumexp(-1, keepdim=True), lambda x: x.logsumexp(-1, keepdim=True),
     [(2, 3)]),
    ("norm_default", lambda x: x.norm(), lambda x: x.norm(), [(3, 4)]),
    ("norm_fro_dim_pair", lambda x: tg.norm(x, "fro", (0, 1)), lambda x: torch.norm(x, "fro", (0, 1)), [(3, 4)]),
    ("norm_2_dim_keepdim", lambda x: x.norm(2, 1, True), lambda x: x.norm(2, 1, True), [(3, 4)]),
    ("norm_1_dim", lambda x: x.norm(p=1, dim=0), lambda x: x.norm(p=1, dim=0), [(3, 4)]),
    ("norm_3", lambda x: x.norm(3, -1), lambda x: x.norm(3, -1), [(3, 4)]),
    ("norm_1_5", lambda x: x.norm(1.5), lambda x: x.norm(1.5), [(3, 4)]),
    ("norm_0_5", lambda x: x.norm(0.5, 1), lambda x: x.norm(0.5, 1), [(3, 4)]),
    ("norm_inf", lambda x: x.norm(INF, 1), lambda x: x.norm(INF, 1), [(3, 4)]),
    ("norm_minus_inf", lambda x: x.norm(-INF), lambda x: x.norm(-INF), [(3, 4)]),
    ("var_mean_dim", lambda x: tg.var_mean(x, 1)[0] + tg.var_mean(x, 1)[1] ** 2,
     lambda x: torch.var_mean(x, 1)[0] + torch.var_mean(x, 1)[1] ** 2, [(3, 4)]),
    ("std_mean_keepdim_correction", lambda x: tg.std_mean(x, (0, 1), keepdim=True, correction=0)[0] * 3
     - tg.std_mean(x, (0, 1), keepdim=True, correction=0)[1],
     lambda x: torch.std_mean(x, (0, 1), keepdim=True, correction=0)[0] * 3
     - torch.std_mean(x, (0, 1), keepdim=True, correction=0)[1], [(2, 3, 2)]),
    ("aminmax_dim", lambda x: tg.aminmax(x, dim=1).min * tg.aminmax(x, dim=1).max,
     lambda x: torch.aminmax(x, dim=1).min * torch.aminmax(x, dim=1).max, [(3, 4)]),
]


@pytest.mark.parametrize("name, ours, theirs, shapes", CASES, ids=[c[0] for c in CASES])
def test_reduction_values_gradients_and_second_derivatives_match_torch(name, ours, theirs, shapes, device):
    check_against_torch(ours, theirs, shapes, device=device, double=True)


@pytest.mark.parametrize("name, ours, theirs, shapes", CASES, ids=[c[0] for c in CASES])
def test_reduction_gradients_match_finite_differences(name, ours, theirs, shapes):
    finite_difference_check(ours, shapes)


def test_prod_gradient_with_zeros_matches_torch_without_create_graph(device):
    for dim in (None, 0, 1):
        ours = (lambda x: x.prod()) if dim is None else (lambda x: x.prod(dim))
        check_against_torch(ours, ours, [WITH_ZEROS], device=device)   # same spelling in both


@pytest.mark.parametrize("p", [2, 1, 3, 1.5, 0.5, INF, "fro"])
def test_norm_gradient_at_the_zero_vector_is_zero_like_torch(p, device):
    zeros = np.zeros((2, 3))
    check_against_torch(lambda x: tg.norm(x, p, 1), lambda x: torch.norm(x, p, 1), [zeros], device=device)
    x = Tensor(zeros, device=device, requires_grad=True)
    tg.norm(x, p).backward()
    assert np.all(x.grad.numpy() == 0)


def test_norm_with_p_0_counts_non_zero_elements(device):
    x = np.array([[0.0, -2.0, 1.0], [0.0, 0.0, 3.0]])
    assert_close(tg.norm(Tensor(x, device=device), 0, 1), torch.norm(torch.tensor(x), 0, 1), "norm p=0")
    t = Tensor(x, device=device, requires_grad=True)
    t.norm(0).backward()
    assert np.all(t.grad.numpy() == 0)


def test_norm_inf_shares_the_gradient_between_ties_like_torch(device):
    tied = np.array([[3.0, -3.0, 1.0], [2.0, 0.5, -2.0]])
    check_against_torch(lambda x: x.norm(INF, 1), lambda x: x.norm(INF, 1), [tied], device=device)


def test_logsumexp_is_stable_and_follows_torch_on_infinities_and_empty_dims(device):
    for data, dim in (([1000.0, 1000.0], 0), ([-1000.0, -1001.0], 0), ([INF, 1.0], 0), ([-INF, -INF], 0),
                      (np.zeros((0, 3)), 0), (np.zeros((2, 0)), 1)):
        assert_close(tg.logsumexp(Tensor(data, device=device), dim), torch.logsumexp(torch.tensor(data), dim),
                     f"logsumexp of {data}")


def test_prod_and_logsumexp_dtypes_follow_torch(device):
    for data in ([True, False], np.array([10, 20], dtype=np.int8), [3, 4], [1.5, 2.0]):
        ours, theirs = tg.prod(Tensor(data, device=device)), torch.prod(torch.tensor(data))
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
        assert ours.item() == theirs.item()
    assert tg.prod(Tensor([1, 2], device=device), 0, dtype=tg.float64).dtype == tg.float64
    assert tg.logsumexp(Tensor([1, 2], device=device), 0).dtype == tg.float32
    assert tg.prod(Tensor(np.zeros((2, 0)), device=device), 1).tolist() == [1.0, 1.0]


def test_var_mean_and_std_mean_return_both_like_torch(device):
    x = np.random.default_rng(0).standard_normal((3, 4))
    for dims in (None, 0, (0, 1)):
        for ours_fn, theirs_fn in ((tg.var_mean, torch.var_mean), (tg.std_mean, torch.std_mean)):
            ours, theirs = ours_fn(Tensor(x, device=device), dims), theirs_fn(torch.tensor(x), dims)
            assert isinstance(ours, tuple) and len(ours) == 2
            assert_close(ours[0], theirs[0], "spread")
            assert_close(ours[1], theirs[1], "mean")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_close(tg.var_mean(Tensor(x, device=device), 1, unbiased=False)[0],
                     torch.var_mean(torch.tensor(x), 1, unbiased=False)[0], "unbiased=False")


def test_aminmax_is_a_named_tuple_of_min_and_max(device):
    x = Tensor([[1, 5], [7, 2]], device=device)
    low, high = tg.aminmax(x)
    assert low.item() == 1 and high.item() == 7
    result = x.aminmax(dim=0, keepdim=True)
    assert result.min.tolist() == [[1, 2]] and result.max.tolist() == [[7, 5]]


def test_errors_name_the_op_and_the_offending_input():
    with pytest.raises(TypeError, match=r"prod: dim must be a single int"):
        tg.ones(2, 3).prod((0, 1))
    with pytest.raises(IndexError, match=r"logsumexp: dim 2 is out of range"):
        tg.ones(2, 3).logsumexp(2)
    with pytest.raises(TypeError, match=r"norm: needs a floating-point tensor, got int64"):
        tg.tensor([3, 4]).norm()
    with pytest.raises(ValueError, match=r"norm: p='nuc' is not supported"):
        tg.ones(2, 2).norm("nuc")
    with pytest.raises(RuntimeError, match=r"norm: expected a dim to reduce over for an empty tensor"):
        tg.ones(0).norm(INF)
    with pytest.raises(RuntimeError, match=r"aminmax|min"):
        tg.ones(0).aminmax()
