"""sort, argsort, topk and kthvalue against PyTorch: values, indices (where PyTorch is stable),
gradients that go back to where each element came from, and the errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tests.oracle import assert_close, check_against_torch, finite_difference_check
from tinygrad_edu import Tensor

OPS_TESTED_HERE = ("sort", "argsort", "topk", "kthvalue")

TIES = np.array([[3.0, 1.0, 3.0, 2.0, 1.0], [0.5, 0.5, -1.0, 0.5, 2.0], [4.0, 4.0, 4.0, 4.0, 4.0]])

DIFFERENTIABLE = [
    ("sort_last_dim", lambda x: tg.sort(x).values, lambda x: torch.sort(x).values, [(3, 4)]),
    ("sort_dim0_descending", lambda x: x.sort(0, descending=True).values,
     lambda x: x.sort(0, descending=True).values, [(4, 3)]),
    ("sort_negative_dim_3d", lambda x: x.sort(-2)[0], lambda x: x.sort(-2)[0], [(2, 5, 3)]),
    ("sort_0d", lambda x: x.sort().values, lambda x: x.sort().values, [()]),
    ("topk_largest", lambda x: x.topk(2).values, lambda x: x.topk(2).values, [(3, 5)]),
    ("topk_smallest_dim0", lambda x: tg.topk(x, 3, dim=0, largest=False).values,
     lambda x: torch.topk(x, 3, dim=0, largest=False).values, [(4, 2)]),
    ("topk_all_of_dim", lambda x: x.topk(4, 1).values, lambda x: x.topk(4, 1).values, [(2, 4)]),
    ("kthvalue", lambda x: x.kthvalue(2).values, lambda x: x.kthvalue(2).values, [(3, 4)]),
    ("kthvalue_dim0_keepdim", lambda x: tg.kthvalue(x, 3, 0, True).values,
     lambda x: torch.kthvalue(x, 3, 0, True).values, [(4, 2)]),
    ("sort_then_weighted", lambda x: (x.sort(1).values * x).sum(1), lambda x: (x.sort(1).values * x).sum(1),
     [(3, 4)]),
]


@pytest.mark.parametrize("name, ours, theirs, shapes", DIFFERENTIABLE, ids=[c[0] for c in DIFFERENTIABLE])
def test_sorted_values_gradients_and_second_derivatives_match_torch(name, ours, theirs, shapes, device):
    check_against_torch(ours, theirs, shapes, device=device, double=True)


@pytest.mark.parametrize("name, ours, theirs, shapes", DIFFERENTIABLE, ids=[c[0] for c in DIFFERENTIABLE])
def test_sorted_values_gradients_match_finite_differences(name, ours, theirs, shapes):
    finite_difference_check(ours, shapes)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_with_ties_gives_torchs_stable_values_and_indices(dim, descending, device):
    ours = tg.sort(Tensor(TIES, device=device), dim=dim, descending=descending, stable=True)
    theirs = torch.sort(torch.tensor(TIES), dim=dim, descending=descending, stable=True)
    assert_close(ours.values, theirs.values, "values")
    np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    assert ours.indices.dtype == tg.int64 and ours.indices.device == device
    argsorted = tg.argsort(Tensor(TIES, device=device), dim=dim, descending=descending)
    np.testing.assert_array_equal(argsorted.numpy(), theirs.indices.numpy())


def test_sort_puts_nan_last_ascending_and_first_descending_like_torch(device):
    x = np.array([2.0, np.nan, -1.0, np.nan, 5.0])
    for descending in (False, True):
        ours = Tensor(x, device=device).sort(descending=descending)
        theirs = torch.tensor(x).sort(descending=descending, stable=True)
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())


def test_the_gradient_of_tied_sorted_values_goes_to_their_own_elements_like_torch(device):
    check_against_torch(lambda x: x.sort(1, descending=True).values, lambda x: x.sort(dim=1, descending=True, stable=True).values,
                        [TIES], device=device, double=True)
    # topk's choice among ties is unspecified in PyTorch: the gradient must go to the chosen indices
    x = Tensor(TIES, device=device, requires_grad=True)
    result = x.topk(2)
    upstream = np.arange(1.0, 7.0).reshape(3, 2)
    result.values.backward(Tensor(upstream, device=device))
    expected = np.zeros_like(TIES)
    np.put_along_axis(expected, result.indices.numpy(), upstream, axis=1)
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_sort_results_are_named_tuples_that_unpack(device):
    x = Tensor([[3.0, 1.0, 2.0]], device=device)
    values, indices = x.sort()
    result = tg.sort(x)
    assert values.tolist() == result.values.tolist() == [[1.0, 2.0, 3.0]]
    assert indices.tolist() == result.indices.tolist() == [[1, 2, 0]]
    assert result[0] is result.values and type(result).__name__ == "sort"
    assert type(x.topk(1)).__name__ == "topk" and type(x.kthvalue(1)).__name__ == "kthvalue"


@pytest.mark.parametrize("k, dim, largest", [(1, -1, True), (3, 1, False), (0, 1, True), (2, 0, True)])
def test_topk_values_and_gathered_indices_match_torch(k, dim, largest, device):
    x = np.random.default_rng(3).standard_normal((3, 5))
    ours = tg.topk(Tensor(x, device=device), k, dim, largest)
    theirs = torch.topk(torch.tensor(x), k, dim, largest)
    assert_close(ours.values, theirs.values, "values")
    np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())   # no ties: one answer


def test_topk_and_kthvalue_with_ties_pick_elements_that_hold_the_value(device):
    x = Tensor(TIES, device=device)
    for result, expected in ((x.topk(3), torch.tensor(TIES).topk(3)), (x.kthvalue(2, 1), torch.tensor(TIES).kthvalue(2, 1))):
        assert_close(result.values, expected.values, "values")
        picked = np.take_along_axis(TIES, result.indices.numpy().reshape(TIES.shape[0], -1), axis=1)
        np.testing.assert_array_equal(picked.reshape(result.values.shape), result.values.numpy())


def test_sorting_integer_bool_and_empty_tensors_like_torch(device):
    for data in ([3, -1, 2, 2], [True, False, True], np.zeros((2, 0))):
        ours, theirs = tg.sort(Tensor(data, device=device), stable=True), torch.sort(torch.tensor(data), stable=True)
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
        assert ours.values.dtype == tg.Tensor(data).dtype
    assert tg.kthvalue(Tensor(7.0, device=device), 1).values.item() == 7.0


def test_kthvalue_squeezes_the_dim_unless_keepdim(device):
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    for keepdim in (False, True):
        ours, theirs = tg.kthvalue(Tensor(x, device=device), 2, 1, keepdim), torch.kthvalue(torch.tensor(x), 2, 1, keepdim)
        assert_close(ours.values, theirs.values, "values")
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())


def test_bad_k_and_dims_are_clear_errors():
    x = tg.randn(2, 3)
    with pytest.raises(RuntimeError, match=r"topk: k=4 is out of range for a dim of size 3 .*shape \(2, 3\)"):
        x.topk(4)
    with pytest.raises(RuntimeError, match=r"topk: k=-1 is out of range"):
        x.topk(-1)
    with pytest.raises(RuntimeError, match=r"kthvalue: k=0 is out of range"):
        x.kthvalue(0)
    with pytest.raises(TypeError, match=r"topk: k must be an int, got float"):
        x.topk(1.5)
    with pytest.raises(IndexError, match=r"sort: dim 2 is out of range"):
        x.sort(2)
    with pytest.raises(IndexError, match=r"argsort: dim -3 is out of range"):
        x.argsort(-3)
