"""nn.init: gains and fans equal PyTorch's, each initialiser draws the right distribution in
place, reproducibly, on every device."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.nn import init


@pytest.mark.parametrize("nonlinearity,param", [("linear", None), ("conv2d", None), ("sigmoid", None),
                                                ("tanh", None), ("relu", None), ("leaky_relu", None),
                                                ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("selu", None)])
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(torch.nn.init.calculate_gain(nonlinearity, param))


def test_calculate_gain_rejects_unknown_nonlinearities():
    with pytest.raises(ValueError, match="calculate_gain: unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")


@pytest.mark.parametrize("shape", [(3, 5), (8, 4, 3, 3), (6, 2, 5, 1), (2, 7, 3)])
def test_fan_in_and_fan_out_match_torch(shape):
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert init.calculate_fan_in_and_fan_out(tg.zeros(shape)) == expected
    assert init._calculate_fan_in_and_fan_out(tg.zeros(shape)) == expected


def test_fan_needs_at_least_two_dimensions():
    with pytest.raises(ValueError, match=r"fewer than 2 dimensions \(shape \(5,\)\)"):
        init.calculate_fan_in_and_fan_out(tg.zeros(5))


def test_uniform_fills_the_interval_in_place(device):
    t = tg.zeros(300, 200, device=device)
    array = t.array
    assert init.uniform_(t, -2.0, 3.0) is t
    assert t.array is array          # filled in place, not replaced
    values = t.numpy()
    assert values.min() >= -2.0 and values.max() < 3.0
    assert values.min() < -1.99 and values.max() > 2.99
    assert values.mean() == pytest.approx(0.5, abs=0.02)
    assert t.device == device and t.dtype == tg.float32


def test_normal_has_the_requested_mean_and_std(device):
    t = init.normal_(tg.zeros(300, 200, device=device), mean=1.5, std=0.5)
    assert t.numpy().mean() == pytest.approx(1.5, abs=0.01)
    assert t.numpy().std() == pytest.approx(0.5, rel=0.02)


def test_constant_zeros_and_ones_fill_every_element(device):
    t = tg.randn(3, 4, device=device)
    np.testing.assert_array_equal(init.constant_(t, 2.5).numpy(), np.full((3, 4), 2.5))
    np.testing.assert_array_equal(init.zeros_(t).numpy(), np.zeros((3, 4)))
    np.testing.assert_array_equal(init.ones_(t).numpy(), np.ones((3, 4)))


def test_xavier_uniform_bound_and_xavier_normal_std():
    t = tg.zeros(250, 150)
    bound = 2.0 * math.sqrt(6 / (150 + 250))
    values = init.xavier_uniform_(t, gain=2.0).numpy()
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.99 * bound
    std = init.xavier_normal_(tg.zeros(250, 150)).numpy().std()
    assert std == pytest.approx(math.sqrt(2 / 400), rel=0.02)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_uniform_and_normal_scale_by_the_chosen_fan(mode):
    shape = (64, 32, 3, 3)
    fan = 32 * 9 if mode == "fan_in" else 64 * 9
    bound = math.sqrt(2) * math.sqrt(3 / fan)
    values = init.kaiming_uniform_(tg.zeros(shape), mode=mode, nonlinearity="relu").numpy()
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.99 * bound
    std = init.kaiming_normal_(tg.zeros(shape), mode=mode, nonlinearity="relu").numpy().std()
    assert std == pytest.approx(math.sqrt(2 / fan), rel=0.02)


def test_kaiming_uniform_with_a_sqrt5_gives_pytorchs_layer_bound():
    values = init.kaiming_uniform_(tg.zeros(400, 49), a=math.sqrt(5)).numpy()
    assert np.abs(values).max() <= 1 / 7 and np.abs(values).max() > 0.99 / 7


def test_initialisers_work_on_parameters_that_require_grad_and_keep_dtype():
    p = nn.Parameter(tg.zeros(10, 10, dtype=tg.float64))
    init.kaiming_normal_(p)
    assert p.requires_grad and p.dtype == tg.float64 and p.numpy().any()
    assert p.grad_fn is None


def test_initialisers_are_reproducible_with_manual_seed():
    tg.manual_seed(11)
    a = init.xavier_normal_(tg.zeros(4, 5)).numpy().copy()
    tg.manual_seed(11)
    np.testing.assert_array_equal(a, init.xavier_normal_(tg.zeros(4, 5)).numpy())


def test_initialisers_reject_bad_arguments():
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out', got 'fan_avg'"):
        init.kaiming_uniform_(tg.zeros(3, 3), mode="fan_avg")
    with pytest.raises(ValueError, match="uniform_: the lower bound a=2 is above the upper bound b=1"):
        init.uniform_(tg.zeros(3), 2, 1)
    with pytest.raises(ValueError, match="normal_: std must not be negative"):
        init.normal_(tg.zeros(3), 0, -1)
    with pytest.raises(TypeError, match="init: expected a Tensor, got ndarray"):
        init.uniform_(np.zeros(3))


def test_kaiming_on_an_empty_tensor_is_a_no_op():
    t = tg.zeros(0, 3)
    assert init.kaiming_uniform_(t) is t
