"""Activation functions against PyTorch, their behaviour at extreme inputs, and step's zero gradient."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu import Tensor
from tinygrad_edu.ops import activations

# Inputs keep away from the kinks (0 for relu, 0 and 6 for relu6, ±3 for hardswish), where
# the derivative does not exist; dedicated tests below pin down what happens exactly there.
AWAY_FROM_KINKS = np.array([[-7.3, -3.4, -2.1, -0.6], [0.4, 2.2, 3.7, 6.8]])

CASES = [
    ("sigmoid", lambda x: x.sigmoid(), torch.sigmoid, [(2, 3)]),
    ("sigmoid_function", lambda x: tg.sigmoid(x), torch.sigmoid, [()]),
    ("relu", lambda x: x.relu(), torch.relu, [(3, 4)]),
    ("relu_function", lambda x: tg.relu(x), torch.relu, [(1, 5)]),
    ("leaky_relu", lambda x: x.leaky_relu(), TF.leaky_relu, [(3, 4)]),
    ("leaky_relu_slope", lambda x: x.leaky_relu(0.2), lambda x: TF.leaky_relu(x, 0.2), [(3, 4)]),
    ("tanh", lambda x: x.tanh(), torch.tanh, [(2, 3)]),
    ("tanh_function", lambda x: tg.tanh(x), torch.tanh, [()]),
    ("softmax_last_dim", lambda x: x.softmax(-1), lambda x: x.softmax(-1), [(3, 4)]),
    ("softmax_dim0", lambda x: x.softmax(0), lambda x: x.softmax(0), [(3, 4)]),
    ("softmax_middle_dim", lambda x: x.softmax(1), lambda x: x.softmax(1), [(2, 3, 2)]),
    ("softmax_1d", lambda x: x.softmax(0), lambda x: x.softmax(0), [(5,)]),
    ("softmax_0d", lambda x: x.softmax(0), lambda x: x.softmax(0), [()]),
    ("softmax_size1_dim", lambda x: x.softmax(1), lambda x: x.softmax(1), [(3, 1)]),
    ("log_softmax_last_dim", lambda x: x.log_softmax(-1), lambda x: x.log_softmax(-1), [(3, 4)]),
    ("log_softmax_dim0", lambda x: x.log_softmax(0), lambda x: x.log_softmax(0), [(3, 4)]),
    ("log_softmax_middle_dim", lambda x: x.log_softmax(1), lambda x: x.log_softmax(1), [(2, 3, 2)]),
    ("log_softmax_0d", lambda x: x.log_softmax(-1), lambda x: x.log_softmax(-1), [()]),
    ("softplus", lambda x: x.softplus(), TF.softplus, [(3, 4)]),
    ("softplus_beta", lambda x: x.softplus(beta=2.0), lambda x: TF.softplus(x, beta=2.0), [(3, 4)]),
    ("softplus_threshold", lambda x: (3.0 * x).softplus(threshold=1.0),
     lambda x: TF.softplus(3.0 * x, threshold=1.0), [(3, 4)]),
    ("gelu", lambda x: x.gelu(), TF.gelu, [(3, 4)]),
    ("gelu_tanh", lambda x: x.gelu("tanh"), lambda x: TF.gelu(x, approximate="tanh"), [(3, 4)]),
    ("silu", lambda x: x.silu(), TF.silu, [(3, 4)]),
    ("mish", lambda x: x.mish(), TF.mish, [(3, 4)]),
    ("relu6", lambda x: (3.0 * x).relu6(), lambda x: TF.relu6(3.0 * x), [(3, 4)]),
    ("relu6_away_from_kinks", lambda x: x.relu6(), TF.relu6, [AWAY_FROM_KINKS]),
    ("hardswish", lambda x: (3.0 * x).hardswish(), lambda x: TF.hardswish(3.0 * x), [(3, 4)]),
    ("hardswish_away_from_kinks", lambda x: x.hardswish(), TF.hardswish, [AWAY_FROM_KINKS]),
]


@pytest.mark.parametrize("name, ours, theirs, shapes", CASES, ids=[c[0] for c in CASES])
def test_activation_values_gradients_and_second_derivatives_match_torch(name, ours, theirs, shapes, device):
    check_against_torch(ours, theirs, shapes, device=device, double=True)


@pytest.mark.parametrize("name, ours, theirs, shapes", CASES, ids=[c[0] for c in CASES])
def test_activation_gradients_match_finite_differences(name, ours, theirs, shapes):
    small = [s if isinstance(s, np.ndarray) else tuple(min(n, 3) for n in s) for s in shapes]
    finite_difference_check(ours, small)


def test_step_fires_only_for_positive_input_and_has_zero_gradient(device):
    x = Tensor([-2.0, 0.0, 0.5, 3.0], device=device, requires_grad=True)
    y = x.step()
    assert y.tolist() == [0.0, 0.0, 1.0, 1.0]
    assert y.dtype == x.dtype
    (y * Tensor([1.0, 2.0, 3.0, 4.0], device=device)).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_step_matches_torch_heaviside_with_zero_at_zero(device):
    values = np.array([-1.5, 0.0, 2.0, -0.0])
    expected = torch.heaviside(torch.tensor(values), torch.tensor(0.0, dtype=torch.float64))
    assert Tensor(values, device=device).step().tolist() == expected.tolist()


def test_step_second_derivative_is_zero(device):
    x = Tensor([-1.0, 1.0], device=device, requires_grad=True)
    g, = tg.grad(x.step().sum(), x, create_graph=True)
    assert g.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("ours, theirs", [
    (lambda x: x.relu(), torch.relu),
    (lambda x: x.leaky_relu(0.1), lambda x: TF.leaky_relu(x, 0.1)),
    (lambda x: x.relu6(), TF.relu6),
    (lambda x: x.hardswish(), TF.hardswish),
], ids=["relu", "leaky_relu", "relu6", "hardswish"])
def test_piecewise_activation_gradients_at_their_kinks_match_torch(ours, theirs, device):
    kinks = np.array([-3.0, 0.0, 3.0, 6.0, -6.0])
    check_against_torch(ours, theirs, [kinks], device=device)


@pytest.mark.parametrize("ours, theirs", [
    (lambda x: x.sigmoid(), torch.sigmoid),
    (lambda x: x.softmax(-1), lambda x: x.softmax(-1)),
    (lambda x: x.log_softmax(-1), lambda x: x.log_softmax(-1)),
    (lambda x: x.softplus(), TF.softplus),
    (lambda x: x.tanh(), torch.tanh),
    (lambda x: x.silu(), TF.silu),
    (lambda x: x.mish(), TF.mish),
    (lambda x: x.gelu(), TF.gelu),
], ids=["sigmoid", "softmax", "log_softmax", "softplus", "tanh", "silu", "mish", "gelu"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_activations_stay_finite_and_warning_free_at_plus_minus_1000(ours, theirs, dtype, device):
    values = np.array([[-1000.0, 0.0, 1000.0], [1000.0, 999.0, -1000.0]], dtype=dtype)
    x = Tensor(values, device=device, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = ours(x)
        upstream = Tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3), dtype=dtype, device=device)
        (y * upstream).sum().backward()
    assert np.isfinite(y.numpy()).all()
    assert np.isfinite(x.grad.numpy()).all()
    t = torch.tensor(values, requires_grad=True)
    expected = theirs(t)
    (expected * torch.tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3), dtype=t.dtype)).sum().backward()
    np.testing.assert_allclose(y.numpy(), expected.detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_sigmoid_saturates_to_exact_zero_and_one(device):
    y = Tensor([-1000.0, 1000.0], device=device).sigmoid()
    assert y.tolist() == [0.0, 1.0]


def test_softmax_rows_sum_to_one(device):
    x = tg.randn(4, 5, device=device) * 30.0
    np.testing.assert_allclose(x.softmax(1).sum(1).numpy(), np.ones(4), rtol=1e-6)


def test_log_softmax_of_huge_logits_is_exact(device):
    x = Tensor([[1000.0, 0.0]], dtype="float64", device=device)
    np.testing.assert_allclose(x.log_softmax(1).numpy(), [[0.0, -1000.0]])


def test_activations_of_integer_tensors_give_float32_like_torch(device):
    n = Tensor([-1, 0, 2], device=device)
    for name in ("sigmoid", "tanh", "softmax", "log_softmax", "softplus", "gelu", "silu", "mish"):
        dim = {"dim": -1} if "softmax" in name else {}
        out = getattr(n, name)(**dim)
        expected = getattr(TF, name)(torch.tensor([-1, 0, 2]).float(), **dim)
        assert out.dtype == tg.float32, name
        np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6, err_msg=name)


def test_relu_keeps_the_dtype_of_its_input(device):
    assert Tensor([-1.0, 1.0], device=device).relu().dtype == tg.float32
    assert Tensor([-1, 1], device=device).relu().tolist() == [0, 1]


def test_gelu_rejects_an_unknown_approximation():
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh', got 'fast'"):
        Tensor([1.0]).gelu("fast")


def test_the_module_level_functions_match_the_tensor_methods():
    x = Tensor([-1.0, 0.5, 2.0])
    for name in ("gelu", "silu", "mish", "relu6", "hardswish"):
        np.testing.assert_allclose(getattr(activations, name)(x).numpy(), getattr(x, name)().numpy(), err_msg=name)
