"""clamp_min and clamp_max against PyTorch: number and tensor bounds, broadcasting, promotion,
who gets the gradient on ties and at NaN, and errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu import Tensor

OPS_TESTED_HERE = ("clamp_min", "clamp_max")

CASES = [
    ("clamp_min_number", lambda x: tg.clamp_min(x, 0.1), lambda x: torch.clamp_min(x, 0.1), [(3, 4)]),
    ("clamp_max_number", lambda x: x.clamp_max(-0.2), lambda x: x.clamp_max(-0.2), [(3, 4)]),
    ("clamp_min_tensor", lambda x, b: x.clamp_min(b), lambda x, b: x.clamp_min(b), [(3, 4), (3, 4)]),
    ("clamp_max_tensor_broadcast", lambda x, b: tg.clamp_max(x, b), lambda x, b: torch.clamp_max(x, b),
     [(3, 4), (4,)]),
    ("clamp_min_bound_broadcast_up", lambda x, b: x.clamp_min(b), lambda x, b: x.clamp_min(b), [(4,), (2, 1)]),
    ("clamp_max_0d_bound", lambda x, b: x.clamp_max(b), lambda x, b: x.clamp_max(b), [(3,), ()]),
]


@pytest.mark.parametrize("name, ours, theirs, shapes", CASES, ids=[c[0] for c in CASES])
def test_clamps_match_torch_with_gradients_and_second_derivatives(name, ours, theirs, shapes, device):
    check_against_torch(ours, theirs, shapes, device=device, double=True)


@pytest.mark.parametrize("name, ours, theirs, shapes", CASES, ids=[c[0] for c in CASES])
def test_clamps_match_finite_differences(name, ours, theirs, shapes):
    finite_difference_check(ours, shapes)


@pytest.mark.parametrize("op", ["clamp_min", "clamp_max"])
def test_ties_and_nan_give_the_gradient_where_torch_does(op, device):
    x = np.array([1.0, 2.0, 3.0, np.nan, 0.5])
    b = np.array([2.0, 2.0, np.nan, 0.0, 1.0])
    check_against_torch(lambda x, b: getattr(x, op)(b), lambda x, b: getattr(x, op)(b), [x, b], device=device)


def test_bounds_promote_dtypes_like_torch(device):
    n = Tensor([1, 2, 3], device=device)
    assert tg.clamp_min(n, 1.5).dtype == tg.float32 and tg.clamp_min(n, 1.5).tolist() == [1.5, 2.0, 3.0]
    assert tg.clamp_max(n, 2).dtype == tg.int64 and tg.clamp_max(n, 2).tolist() == [1, 2, 2]
    assert tg.clamp_max(n, Tensor(1.5, device=device)).dtype == tg.float32
    f = Tensor([1.0, 2.0], device=device)
    assert f.clamp_min(Tensor([1.5], dtype=tg.float64, device=device)).dtype == tg.float64


def test_bad_bounds_are_clear_errors():
    with pytest.raises(TypeError, match=r"clamp_min: the bound must be a number or a Tensor, got None"):
        tg.ones(3).clamp_min(None)
    with pytest.raises(ValueError, match=r"shapes \(3,\) and \(2,\) cannot be broadcast"):
        tg.ones(3).clamp_max(tg.ones(2))
