"""Loss functions against PyTorch: every reduction, integer and probability targets, extreme inputs."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu import Tensor
from tinygrad_edu.ops import losses

REDUCTIONS = ["mean", "sum", "none"]


def probabilities(shape, seed=3, dim=1):
    """Random rows that are positive and sum to one along `dim` (soft class targets)."""
    p = np.random.default_rng(seed).uniform(0.1, 1.0, size=shape)
    return p / p.sum(axis=dim, keepdims=True)


def between(shape, low, high, seed=4):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def classes(shape, n, seed=5):
    return np.random.default_rng(seed).integers(0, n, size=shape)


CASES = [
    ("mse", lambda x, y, r: losses.mse_loss(x, y, reduction=r), lambda x, y, r: TF.mse_loss(x, y, reduction=r),
     [(3, 4), (3, 4)], None),
    ("mse_0d", lambda x, y, r: losses.mse_loss(x, y, reduction=r), lambda x, y, r: TF.mse_loss(x, y, reduction=r),
     [(), ()], None),
    ("cross_entropy_int_targets", lambda x, y, r: losses.cross_entropy(x, y, reduction=r),
     lambda x, y, r: TF.cross_entropy(x, y, reduction=r), [(4, 5), classes((4,), 5)], [0]),
    ("cross_entropy_int_targets_nc_d", lambda x, y, r: losses.cross_entropy(x, y, reduction=r),
     lambda x, y, r: TF.cross_entropy(x, y, reduction=r), [(2, 3, 4), classes((2, 4), 3)], [0]),
    ("cross_entropy_int_targets_nc_d1_d2", lambda x, y, r: losses.cross_entropy(x, y, reduction=r),
     lambda x, y, r: TF.cross_entropy(x, y, reduction=r), [(2, 3, 2, 2), classes((2, 2, 2), 3)], [0]),
    ("cross_entropy_unbatched", lambda x, y, r: losses.cross_entropy(x, y, reduction=r),
     lambda x, y, r: TF.cross_entropy(x, y, reduction=r), [(5,), np.array(2)], [0]),
    ("cross_entropy_one_sample", lambda x, y, r: losses.cross_entropy(x, y, reduction=r),
     lambda x, y, r: TF.cross_entropy(x, y, reduction=r), [(1, 3), np.array([0])], [0]),
    ("cross_entropy_probability_targets", lambda x, y, r: losses.cross_entropy(x, y, reduction=r),
     lambda x, y, r: TF.cross_entropy(x, y, reduction=r), [(4, 5), probabilities((4, 5))], None),
    ("cross_entropy_probability_targets_nc_d", lambda x, y, r: losses.cross_entropy(x, y, reduction=r),
     lambda x, y, r: TF.cross_entropy(x, y, reduction=r), [(2, 3, 4), probabilities((2, 3, 4))], None),
    ("cross_entropy_probability_targets_unbatched", lambda x, y, r: losses.cross_entropy(x, y, reduction=r),
     lambda x, y, r: TF.cross_entropy(x, y, reduction=r), [(5,), probabilities((5,), dim=0)], None),
    ("nll", lambda x, y, r: losses.nll_loss(x, y, reduction=r), lambda x, y, r: TF.nll_loss(x, y, reduction=r),
     [(4, 5), classes((4,), 5)], [0]),
    ("nll_of_log_softmax", lambda x, y, r: losses.nll_loss(x.log_softmax(1), y, reduction=r),
     lambda x, y, r: TF.nll_loss(x.log_softmax(1), y, reduction=r), [(4, 5), classes((4,), 5)], [0]),
    ("nll_nc_d", lambda x, y, r: losses.nll_loss(x, y, reduction=r), lambda x, y, r: TF.nll_loss(x, y, reduction=r),
     [(2, 3, 4), classes((2, 4), 3)], [0]),
    ("bce", lambda p, y, r: losses.binary_cross_entropy(p, y, reduction=r),
     lambda p, y, r: TF.binary_cross_entropy(p, y, reduction=r), [between((3, 4), 0.05, 0.95), between((3, 4), 0, 1)],
     None),
    ("bce_hard_targets", lambda p, y, r: losses.binary_cross_entropy(p, y, reduction=r),
     lambda p, y, r: TF.binary_cross_entropy(p, y, reduction=r),
     [between((6,), 0.05, 0.95), np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])], None),
    ("bce_of_sigmoid", lambda x, y, r: losses.binary_cross_entropy(x.sigmoid(), y, reduction=r),
     lambda x, y, r: TF.binary_cross_entropy(x.sigmoid(), y, reduction=r), [(2, 3), between((2, 3), 0, 1)], None),
    ("bce_with_logits", lambda x, y, r: losses.binary_cross_entropy_with_logits(x, y, reduction=r),
     lambda x, y, r: TF.binary_cross_entropy_with_logits(x, y, reduction=r), [(3, 4), between((3, 4), 0, 1)], None),
    ("bce_with_logits_large_logits", lambda x, y, r: losses.binary_cross_entropy_with_logits(x * 30.0, y, reduction=r),
     lambda x, y, r: TF.binary_cross_entropy_with_logits(x * 30.0, y, reduction=r), [(8,), between((8,), 0, 1)],
     None),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, ours, theirs, inputs, grad_inputs", CASES, ids=[c[0] for c in CASES])
def test_loss_values_gradients_and_second_derivatives_match_torch(name, ours, theirs, inputs, grad_inputs,
                                                                  reduction, device):
    check_against_torch(lambda *xs: ours(*xs, reduction), lambda *xs: theirs(*xs, reduction), inputs,
                        device=device, double=True, grad_inputs=grad_inputs)


@pytest.mark.parametrize("name, ours, theirs, inputs, grad_inputs", CASES, ids=[c[0] for c in CASES])
def test_loss_gradients_match_finite_differences(name, ours, theirs, inputs, grad_inputs):
    differentiable = [i for i in range(len(inputs)) if grad_inputs is None or i in grad_inputs]
    constants = {i: Tensor(a) for i, a in enumerate(inputs) if i not in differentiable}

    def loss(*xs):
        full, it = [], iter(xs)
        for i in range(len(inputs)):
            full.append(constants[i] if i in constants else next(it))
        return ours(*full, "sum")

    finite_difference_check(loss, [inputs[i] for i in differentiable])


def test_losses_default_to_the_mean_reduction(device):
    x = Tensor([[1.0, 2.0], [3.0, 5.0]], device=device)
    y = Tensor([[1.0, 1.0], [1.0, 1.0]], device=device)
    assert losses.mse_loss(x, y).item() == pytest.approx((0 + 1 + 4 + 16) / 4)


def test_mse_loss_accepts_python_targets(device):
    x = Tensor([1.0, 3.0], device=device, requires_grad=True)
    loss = losses.mse_loss(x, [0.0, 1.0])
    assert loss.item() == pytest.approx(2.5)
    loss.backward()
    assert x.grad.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cross_entropy_stays_finite_and_warning_free_for_logits_of_plus_minus_1000(dtype, device):
    logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0], [0.0, 1000.0, -1000.0]], dtype=dtype)
    targets = np.array([1, 2, 0])
    x = Tensor(logits, device=device, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = losses.cross_entropy(x, Tensor(targets, device=device))
        loss.backward()
        soft = Tensor(probabilities((3, 3)), dtype=dtype, device=device)
        x2 = Tensor(logits, device=device, requires_grad=True)
        soft_loss = losses.cross_entropy(x2, soft)
        soft_loss.backward()
    t = torch.tensor(logits, requires_grad=True)
    expected = TF.cross_entropy(t, torch.tensor(targets))
    expected.backward()
    assert np.isfinite(loss.item()) and np.isfinite(x.grad.numpy()).all()
    assert np.isfinite(soft_loss.item()) and np.isfinite(x2.grad.numpy()).all()
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_bce_with_logits_stays_finite_for_logits_of_plus_minus_1000(device):
    x = Tensor([-1000.0, 1000.0, -1000.0, 1000.0], device=device, requires_grad=True)
    y = Tensor([0.0, 1.0, 1.0, 0.0], device=device)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = losses.binary_cross_entropy_with_logits(x, y, reduction="sum")
        loss.backward()
    assert loss.item() == pytest.approx(2000.0)
    assert x.grad.tolist() == [0.0, 0.0, -1.0, 1.0]


def test_bce_at_probabilities_of_exactly_zero_and_one_is_finite_and_matches_torch(device):
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    y = np.array([0.0, 1.0, 1.0, 0.0, 0.3])
    x = Tensor(p, device=device, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = losses.binary_cross_entropy(x, Tensor(y, device=device), reduction="sum")
        loss.backward()
    t = torch.tensor(p, requires_grad=True)
    expected = TF.binary_cross_entropy(t, torch.tensor(y), reduction="sum")
    expected.backward()
    assert loss.item() == pytest.approx(expected.item())   # a log of 0 counts as -100, as in PyTorch
    assert np.isfinite(x.grad.numpy()).all()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-6)   # torch keeps its 1e-12 in float32


def test_bce_of_a_saturated_float32_sigmoid_gives_finite_gradients_like_torch(device):
    values = np.array([30.0, -30.0, 20.0], dtype=np.float32)   # sigmoid(30) rounds to exactly 1
    x = Tensor(values, device=device, requires_grad=True)
    loss = losses.binary_cross_entropy(x.sigmoid(), Tensor([0.0, 1.0, 0.0], device=device))
    loss.backward()
    t = torch.tensor(values, requires_grad=True)
    expected = TF.binary_cross_entropy(t.sigmoid(), torch.tensor([0.0, 1.0, 0.0]))
    expected.backward()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
    assert np.isfinite(x.grad.numpy()).all()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_cross_entropy_with_integer_targets_as_python_list(device):
    x = Tensor([[2.0, 0.0], [0.0, 2.0]], device=device, requires_grad=True)
    expected = TF.cross_entropy(torch.tensor([[2.0, 0.0], [0.0, 2.0]]), torch.tensor([0, 0]))
    assert losses.cross_entropy(x, [0, 0]).item() == pytest.approx(expected.item())


def test_cross_entropy_of_float32_logits_is_float32(device):
    x = tg.randn(3, 4, device=device, requires_grad=True)
    loss = losses.cross_entropy(x, Tensor([0, 1, 3], device=device))
    assert loss.dtype == tg.float32
    loss.backward()
    assert x.grad.dtype == tg.float32


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape, targets", [((5, 4), [1, -100, 3, 0, -100]), ((2, 3, 2), [[0, -100], [2, 1]])])
def test_ignore_index_leaves_out_samples_like_torch(device, reduction, shape, targets):
    target = np.array(targets)
    check_against_torch(lambda x: losses.cross_entropy(x, Tensor(target, device=device), reduction),
                        lambda x: TF.cross_entropy(x, torch.tensor(target), reduction=reduction),
                        [shape], device=device, double=True)
    check_against_torch(lambda x: losses.nll_loss(x.log_softmax(1), Tensor(target, device=device), reduction,
                                                  ignore_index=-100),
                        lambda x: TF.nll_loss(x.log_softmax(1), torch.tensor(target), reduction=reduction),
                        [shape], device=device)


def test_a_custom_ignore_index_and_the_loss_modules():
    x = np.random.default_rng(0).standard_normal((4, 3))
    target = np.array([2, 7, 0, 7])
    ours = tg.nn.CrossEntropyLoss(ignore_index=7)(Tensor(x), Tensor(target))
    theirs = torch.nn.CrossEntropyLoss(ignore_index=7)(torch.tensor(x), torch.tensor(target))
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-12)
    with pytest.raises(IndexError, match="cross_entropy: target 7 is out of range for 3 classes"):
        losses.cross_entropy(Tensor(x), Tensor(target))


def test_every_sample_ignored_gives_nan_like_torch():
    loss = losses.cross_entropy(Tensor(np.zeros((2, 3))), Tensor([-100, -100]))
    assert np.isnan(loss.item())
