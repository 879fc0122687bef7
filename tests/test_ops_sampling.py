"""multinomial: it cannot repeat PyTorch's random stream, so these tests check what it promises:
the distribution (chi-square tests with a fixed seed, which a biased sampler fails), shapes,
dtype and device, reproducibility through seeds and generators, and PyTorch's errors."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import Tensor

OPS_TESTED_HERE = ("multinomial",)

# The 0.999 quantiles of the chi-square distribution, by degrees of freedom: a correct sampler
# exceeds them once in a thousand seeds; with a fixed seed the test is deterministic.
CHI2_999 = {2: 13.82, 3: 16.27, 5: 20.52}


def chi_square(counts: np.ndarray, expected_probabilities: np.ndarray) -> float:
    expected = expected_probabilities * counts.sum()
    return float(((counts - expected) ** 2 / expected).sum())


def test_draws_with_replacement_follow_the_weights(device):
    weights = np.array([1.0, 0.0, 2.0, 3.0, 4.0])   # unnormalised, with a zero weight
    g = tg.Generator().manual_seed(1)
    samples = tg.multinomial(Tensor(weights, device=device), 20000, replacement=True, generator=g).numpy()
    counts = np.bincount(samples, minlength=5)
    assert counts[1] == 0, "a zero-weight category was drawn"
    positive = weights > 0
    assert chi_square(counts[positive], weights[positive] / weights.sum()) < CHI2_999[3]


def test_each_row_of_a_2d_tensor_follows_its_own_weights(device):
    weights = np.array([[1.0, 1.0, 1.0, 1.0], [8.0, 4.0, 2.0, 1.0]])
    samples = tg.multinomial(Tensor(weights, device=device), 8000, True, generator=tg.Generator().manual_seed(2))
    assert samples.shape == (2, 8000)
    for row, w in zip(samples.numpy(), weights):
        assert chi_square(np.bincount(row, minlength=4), w / w.sum()) < CHI2_999[3]


def test_draws_without_replacement_pick_each_next_category_by_the_weights_left(device):
    weights = np.array([1.0, 2.0, 3.0])
    rows = np.tile(weights, (6000, 1))   # 6000 independent draws of 2 from the same weights
    pairs = tg.multinomial(Tensor(rows, device=device), 2, generator=tg.Generator().manual_seed(3)).numpy()
    assert np.all(pairs[:, 0] != pairs[:, 1]), "a category was drawn twice without replacement"
    cells = list(itertools.permutations(range(3), 2))
    expected = np.array([weights[i] / 6 * weights[j] / (6 - weights[i]) for i, j in cells])
    counts = np.array([np.sum((pairs[:, 0] == i) & (pairs[:, 1] == j)) for i, j in cells])
    assert chi_square(counts, expected) < CHI2_999[5]


def test_a_uniform_sampler_would_fail_the_test():
    # the check above can fail: draws that ignore the weights are far beyond the quantile
    uniform = np.bincount(np.random.default_rng(0).integers(0, 4, 20000), minlength=4)
    assert chi_square(uniform, np.array([1.0, 2.0, 3.0, 4.0]) / 10) > 100 * CHI2_999[3]


def test_without_replacement_all_categories_give_a_permutation_and_zero_weights_come_last(device):
    out = tg.multinomial(Tensor([[0.0, 5.0, 1.0, 0.0]] * 50, device=device), 4).numpy()
    assert all(sorted(row) == [0, 1, 2, 3] for row in out)
    assert set(out[:, 2:].ravel()) == {0, 3}   # the positive weights are drawn first, as in PyTorch


def test_shapes_dtype_and_device_follow_torch(device):
    p = Tensor([0.2, 0.3, 0.5], device=device)
    one = tg.multinomial(p, 2)
    assert one.shape == torch.multinomial(torch.tensor([0.2, 0.3, 0.5]), 2).shape == (2,)
    assert one.dtype == tg.int64 and one.device == device and not one.requires_grad
    assert p.multinomial(5, replacement=True).shape == (5,)
    assert tg.multinomial(Tensor(np.ones((3, 4)), device=device), 4).shape == (3, 4)
    assert tg.multinomial(Tensor(np.ones((0, 4)), device=device), 2).shape == (0, 2)


def test_the_same_seed_gives_the_same_samples(device):
    p = Tensor(np.arange(1.0, 11.0), device=device)
    first = tg.multinomial(p, 6, generator=tg.Generator().manual_seed(7)).tolist()
    assert tg.multinomial(p, 6, generator=tg.Generator().manual_seed(7)).tolist() == first
    tg.manual_seed(11)
    a = tg.multinomial(p, 30, True).tolist()
    tg.manual_seed(11)
    assert tg.multinomial(p, 30, True).tolist() == a
    g = tg.Generator().manual_seed(7)
    assert tg.multinomial(p, 6, generator=g).tolist() == first
    assert tg.multinomial(p, 6, generator=g).tolist() != first   # the stream moves on


@pytest.mark.parametrize("weights, num_samples, replacement, error, message", [
    ([1.0, -0.5, 2.0], 1, True, ValueError, r"multinomial: the weights must be finite and >= 0"),
    ([1.0, float("nan")], 1, True, ValueError, r"multinomial: the weights must be finite"),
    ([1.0, float("inf")], 1, False, ValueError, r"multinomial: the weights must be finite"),
    ([[1.0, 1.0], [0.0, 0.0]], 1, True, ValueError, r"multinomial: every row of weights needs a positive sum"),
    ([1.0, 2.0, 3.0], 4, False, ValueError, r"cannot sample 4 samples without replacement from 3 categories"),
    ([1.0, 2.0], 0, True, ValueError, r"cannot sample num_samples=0"),
    ([1, 2], 1, True, TypeError, r"multinomial: only supports floating-point weights, got int64"),
    ([[[1.0]]], 1, True, ValueError, r"multinomial: the weights must be 1-D or 2-D"),
    ([1.0, 2.0], 1.5, True, TypeError, r"multinomial: num_samples must be an int"),
], ids=["negative", "nan", "inf", "zero_row", "too_many", "zero_samples", "integers", "3d", "float_count"])
def test_bad_weights_and_counts_are_clear_errors_like_torch(weights, num_samples, replacement, error, message):
    with pytest.raises(error, match=message):
        tg.multinomial(tg.tensor(weights), num_samples, replacement)
    with pytest.raises((RuntimeError, TypeError)):   # PyTorch refuses each of them too
        torch.multinomial(torch.tensor(weights), num_samples, replacement)
