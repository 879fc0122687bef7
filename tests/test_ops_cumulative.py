"""cumsum, cumprod, cummax, cummin and logcumsumexp against PyTorch: values, gradients (cumprod
with zeros too), second derivatives, dtypes, ties and NaN for the running extremes, and errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tests.oracle import assert_close, check_against_torch, finite_difference_check
from tinygrad_edu import Tensor

OPS_TESTED_HERE = ("cumsum", "cumprod", "cummax", "cummin", "logcumsumexp")

WITH_ZEROS = np.array([[2.0, 0.0, 3.0, 0.0, 5.0], [1.5, -2.0, 3.0, 0.5, 1.0], [0.0, 1.0, 2.0, -3.0, 4.0],
                       [1.0, 2.0, 3.0, 4.0, 0.0]])
TIES = np.array([[1.0, 3.0, 3.0, 2.0, 5.0], [2.0, 2.0, 0.5, 0.5, 2.0]])

CASES = [
    ("cumsum_dim1", lambda x: tg.cumsum(x, 1), lambda x: torch.cumsum(x, 1), [(3, 4)]),
    ("cumsum_negative_dim_3d", lambda x: x.cumsum(-2), lambda x: x.cumsum(-2), [(2, 3, 4)]),
    ("cumsum_0d", lambda x: x.cumsum(0), lambda x: x.cumsum(0), [()]),
    ("cumprod_dim0", lambda x: tg.cumprod(x, 0), lambda x: torch.cumprod(x, 0), [(4, 3)]),
    ("cumprod_negative_dim", lambda x: x.cumprod(-1), lambda x: x.cumprod(-1), [(2, 3, 4)]),
    ("cumprod_with_zeros", lambda x: x.cumprod(1), lambda x: x.cumprod(1), [WITH_ZEROS]),
    ("cumprod_with_zeros_dim0", lambda x: x.cumprod(0), lambda x: x.cumprod(0), [WITH_ZEROS.T.copy()]),
    ("cummax_values", lambda x: tg.cummax(x, 1).values, lambda x: torch.cummax(x, 1).values, [(3, 5)]),
    ("cummin_values_dim0", lambda x: x.cummin(0)[0], lambda x: x.cummin(0)[0], [(5, 2)]),
    ("cummax_ties", lambda x: x.cummax(1).values, lambda x: x.cummax(1).values, [TIES]),
    ("cummin_ties", lambda x: x.cummin(-1).values, lambda x: x.cummin(-1).values, [TIES]),
    ("logcumsumexp", lambda x: tg.logcumsumexp(x, 1), lambda x: torch.logcumsumexp(x, 1), [(3, 4)]),
    ("logcumsumexp_dim0_3d", lambda x: x.logcumsumexp(0), lambda x: x.logcumsumexp(0), [(4, 2, 3)]),
    ("logcumsumexp_0d", lambda x: x.logcumsumexp(-1), lambda x: x.logcumsumexp(-1), [()]),
]


@pytest.mark.parametrize("name, ours, theirs, shapes", CASES, ids=[c[0] for c in CASES])
def test_cumulative_values_gradients_and_second_derivatives_match_torch(name, ours, theirs, shapes, device):
    check_against_torch(ours, theirs, shapes, device=device, double=True)


SMOOTH = [c for c in CASES if "ties" not in c[0]]   # at a tie the running extreme has no derivative


@pytest.mark.parametrize("name, ours, theirs, shapes", SMOOTH, ids=[c[0] for c in SMOOTH])
def test_cumulative_gradients_match_finite_differences(name, ours, theirs, shapes):
    finite_difference_check(ours, shapes)


def test_cumprod_gradient_with_zeros_matches_torch_without_create_graph(device):
    # the first-order path (no graph for second derivatives) handles zeros its own way
    check_against_torch(lambda x: x.cumprod(1), lambda x: x.cumprod(1), [WITH_ZEROS], device=device)


@pytest.mark.parametrize("op", ["cummax", "cummin"])
def test_running_extremes_give_torchs_indices_on_ties_and_nan(op, device):
    for data in (TIES, np.array([np.nan, 1.0, np.nan, 2.0, -1.0]), np.array([[3, 1, 3, 4], [0, 0, -2, 5]])):
        for dim in range(-data.ndim, data.ndim):
            ours, theirs = getattr(tg, op)(Tensor(data, device=device), dim), getattr(torch, op)(torch.tensor(data), dim)
            np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
            np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
            assert ours.indices.dtype == tg.int64


def test_running_extremes_are_named_tuples_that_unpack(device):
    values, indices = tg.cummax(Tensor([1.0, 0.0, 2.0], device=device), 0)
    result = Tensor([1.0, 0.0, 2.0], device=device).cummin(0)
    assert values.tolist() == [1.0, 1.0, 2.0] and indices.tolist() == [0, 0, 2]
    assert result.values.tolist() == [1.0, 0.0, 0.0] and result.indices.tolist() == [0, 1, 1]
    assert type(result).__name__ == "cummin"


def test_cumsum_and_cumprod_dtypes_follow_torch(device):
    for data in ([True, False, True], np.array([100, 100, 3], dtype=np.int8), [1, 2, 3], [1.5, 2.0]):
        for op in ("cumsum", "cumprod"):
            ours, theirs = getattr(tg, op)(Tensor(data, device=device), 0), getattr(torch, op)(torch.tensor(data), 0)
            assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch."), (op, data)
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    x = Tensor([1, 2, 3], device=device)
    assert tg.cumsum(x, 0, dtype=tg.float64).dtype == tg.float64
    assert x.cumprod(0, dtype=tg.float32).tolist() == [1.0, 2.0, 6.0]


def test_logcumsumexp_is_stable_for_large_and_infinite_inputs_like_torch(device):
    for data in ([-1000.0, 0.0, float("-inf")], [1000.0, 1000.0, -5.0], [float("-inf")] * 2, [float("inf"), 1.0]):
        assert_close(tg.logcumsumexp(Tensor(data, device=device), 0), torch.logcumsumexp(torch.tensor(data), 0),
                     "logcumsumexp")
    x = np.array([[700.0, 710.0, -700.0]])
    check_against_torch(lambda t: t.logcumsumexp(1), lambda t: t.logcumsumexp(1), [x], device=device)


def test_cumulative_ops_on_empty_tensors(device):
    x = np.zeros((0, 3))
    for op in ("cumsum", "cumprod", "logcumsumexp"):
        assert getattr(tg, op)(Tensor(x, device=device), 0).shape == (0, 3)
    assert tg.cummax(Tensor(x, device=device), 1).indices.shape == (0, 3)


def test_cumulative_errors_name_the_op():
    x = tg.ones(2, 3)
    with pytest.raises(IndexError, match=r"cumsum: dim 2 is out of range"):
        x.cumsum(2)
    with pytest.raises(IndexError, match=r"cummax: dim -3 is out of range"):
        tg.cummax(x, -3)
    with pytest.raises(TypeError, match=r"cumprod: dim must be an int"):
        x.cumprod(None)
    with pytest.raises(TypeError, match=r"logcumsumexp: needs a floating-point tensor, got int64"):
        tg.logcumsumexp(tg.tensor([1, 2]), 0)
    with pytest.raises(RuntimeError):   # PyTorch refuses it too
        torch.logcumsumexp(torch.tensor([1, 2]), 0)
