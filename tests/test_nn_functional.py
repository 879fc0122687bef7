"""nn.functional: every function PyTorch users expect, equal to PyTorch's; linear and dropout in detail."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tests.oracle import check_against_torch
from tinygrad_edu import nn
from tinygrad_edu.ops import conv, losses, movement, pooling

EXPECTED_NAMES = ["relu", "sigmoid", "tanh", "step", "leaky_relu", "softmax", "log_softmax", "softplus", "gelu",
                  "silu", "mish", "relu6", "hardswish", "linear", "conv2d", "max_pool2d", "avg_pool2d", "dropout",
                  "pad", "mse_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
                  "binary_cross_entropy_with_logits", "flatten"]


def test_nn_and_functional_are_importable_the_pytorch_way():
    assert tg.nn is nn
    assert nn.functional is F
    for name in EXPECTED_NAMES:
        assert callable(getattr(F, name)), name


def test_functional_reuses_the_ops_instead_of_reimplementing_them():
    assert F.conv2d is conv.conv2d and F.max_pool2d is pooling.max_pool2d and F.avg_pool2d is pooling.avg_pool2d
    assert F.cross_entropy is losses.cross_entropy and F.mse_loss is losses.mse_loss
    assert F.pad is movement.pad and F.flatten is movement.flatten


@pytest.mark.parametrize("name,extra", [("relu", {}), ("sigmoid", {}), ("tanh", {}), ("leaky_relu", {}),
                                        ("softplus", {}), ("gelu", {}), ("silu", {}), ("mish", {}), ("relu6", {}),
                                        ("hardswish", {}), ("softmax", {"dim": 1}), ("log_softmax", {"dim": 0})])
def test_activation_functions_match_torch(name, extra, device):
    x = np.random.default_rng(0).standard_normal((4, 5)) * 4   # wide enough to reach relu6's and hardswish's kinks
    check_against_torch(lambda t: getattr(F, name)(t, **extra), lambda t: getattr(TF, name)(t, **extra), [x],
                        device=device, double=True)


def test_step_function_has_a_zero_gradient():
    x = tg.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    F.step(x).sum().backward()
    np.testing.assert_array_equal(F.step(x).numpy(), [0.0, 1.0, 1.0])
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (4,)])
def test_softmax_without_dim_picks_torchs_implicit_dim_and_warns(shape):
    x = np.random.default_rng(1).standard_normal(shape)
    with pytest.warns(UserWarning, match="softmax: no dim was given"):
        ours = F.softmax(tg.Tensor(x)).numpy()
    with pytest.warns(UserWarning):
        theirs = TF.softmax(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("x_shape,with_bias", [((5, 3), True), ((5, 3), False), ((2, 4, 3), True), ((3,), True)])
def test_linear_matches_torch(x_shape, with_bias, device):
    shapes = [x_shape, (2, 3)] + ([(2,)] if with_bias else [])
    check_against_torch(F.linear, TF.linear, shapes, device=device)


def test_linear_rejects_mismatched_shapes_naming_them():
    with pytest.raises(ValueError, match=r"linear: input of shape \(5, 3\) has 3 features .* weight of shape "
                                         r"\(2, 4\) expects 4"):
        F.linear(tg.randn(5, 3), tg.randn(2, 4))
    with pytest.raises(ValueError, match=r"linear: bias must have shape \(2,\) for weight \(2, 3\), got \(3,\)"):
        F.linear(tg.randn(5, 3), tg.randn(2, 3), tg.randn(3))
    with pytest.raises(ValueError, match=r"linear: weight must be 2-D"):
        F.linear(tg.randn(5, 3), tg.randn(3))


def test_dropout_outside_training_or_with_p_zero_returns_the_input_itself():
    x = tg.randn(3, 3)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x


def test_dropout_with_p_one_zeroes_everything_like_torch():
    x = tg.randn(3, 3, requires_grad=True)
    out = F.dropout(x, 1.0)
    out.sum().backward()
    assert not out.numpy().any() and not x.grad.numpy().any()


def test_dropout_drops_the_expected_fraction_and_rescales(device):
    tg.manual_seed(0)
    x = tg.ones(400, 250, device=device)
    out = F.dropout(x, p=0.6).numpy()
    assert abs((out == 0).mean() - 0.6) < 0.01      # 100,000 draws: one standard deviation is 0.0015
    np.testing.assert_allclose(out[out != 0], 1 / 0.4, rtol=1e-6)
    assert abs(out.mean() - 1.0) < 0.03               # the expected value is kept


def test_dropout_rejects_bad_probabilities_and_integer_input():
    for p in (-0.1, 1.1, "half"):
        with pytest.raises(ValueError, match="dropout: probability p must be between 0 and 1"):
            F.dropout(tg.ones(2), p)
    with pytest.raises(TypeError, match="dropout: needs a floating-point tensor, got int64"):
        F.dropout(tg.tensor([1, 2]), 0.5)


def test_pad_and_flatten_match_torch(device):
    check_against_torch(lambda t: F.pad(t, (1, 2, 0, 1)), lambda t: TF.pad(t, (1, 2, 0, 1)), [(2, 3, 4)],
                        device=device)
    check_against_torch(lambda t: F.flatten(t, 1), lambda t: torch.flatten(t, 1), [(2, 3, 4)], device=device)


def test_functional_losses_match_torch(device):
    rng = np.random.default_rng(0)
    logits, classes = rng.standard_normal((5, 3)), rng.integers(0, 3, size=5)
    probs, targets = rng.uniform(0.05, 0.95, (5, 3)), (rng.random((5, 3)) > 0.5).astype(np.float64)
    check_against_torch(lambda x: F.cross_entropy(x, tg.Tensor(classes, device=device)),
                        lambda x: TF.cross_entropy(x, torch.tensor(classes)), [logits], device=device)
    check_against_torch(lambda x: F.nll_loss(x, tg.Tensor(classes, device=device)),
                        lambda x: TF.nll_loss(x, torch.tensor(classes)), [logits], device=device)
    check_against_torch(lambda x, y: F.mse_loss(x, y), TF.mse_loss, [logits, probs], device=device)
    check_against_torch(lambda p: F.binary_cross_entropy(p, tg.Tensor(targets, device=device)),
                        lambda p: TF.binary_cross_entropy(p, torch.tensor(targets)), [probs], device=device)
    check_against_torch(lambda x: F.binary_cross_entropy_with_logits(x, tg.Tensor(targets, device=device)),
                        lambda x: TF.binary_cross_entropy_with_logits(x, torch.tensor(targets)), [logits],
                        device=device)


def test_functional_conv_and_pooling_match_torch(device):
    check_against_torch(lambda x, w, b: F.max_pool2d(F.conv2d(x, w, b, padding=1), 2),
                        lambda x, w, b: TF.max_pool2d(TF.conv2d(x, w, b, padding=1), 2),
                        [(2, 3, 6, 6), (4, 3, 3, 3), (4,)], device=device)
    check_against_torch(lambda x: F.avg_pool2d(x, 3, 2, 1), lambda x: TF.avg_pool2d(x, 3, 2, 1), [(2, 3, 7, 7)],
                        device=device)


def test_dropout_in_place_writes_the_masked_values_into_the_input_and_records_the_mask():
    tg.manual_seed(0)
    w = tg.ones(200, requires_grad=True)
    h = w * 1.0
    out = F.dropout(h, 0.25, inplace=True)
    assert out is h and h._version == 1
    kept = h.numpy() != 0
    np.testing.assert_allclose(h.numpy()[kept], 1 / 0.75, rtol=1e-6)
    h.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.where(kept, 1 / 0.75, 0.0), rtol=1e-6)
    assert repr(nn.Dropout(0.3, inplace=True)) == repr(torch.nn.Dropout(0.3, inplace=True))


def test_dropout_in_place_on_a_leaf_that_requires_grad_is_refused_and_changes_nothing():
    w = tg.ones(5, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        F.dropout(w, 0.5, inplace=True)
    assert w.tolist() == [1.0] * 5
