"""tinygrad_edu.nn.utils against torch.nn.utils: gradient clipping and parameters as one vector."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu import nn

SHAPES = [(3, 4), (4,), (2, 1, 3), ()]


def _pairs(dtype=np.float64, scale=3.0, seed=0, device="cpu"):
    """Parameters with gradients, the same numbers in both frameworks."""
    rng = np.random.default_rng(seed)
    values = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [(rng.standard_normal(s) * scale).astype(dtype) for s in SHAPES]
    ours = [tg.tensor(v, device=device, requires_grad=True) for v in values]
    theirs = [torch.tensor(v, requires_grad=True) for v in values]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = tg.tensor(g, device=device), torch.tensor(g)
    return ours, theirs


def _assert_grads_equal(ours, theirs, rtol=1e-12):
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=rtol, atol=0)


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, 0.5, math.inf, "inf"], ids=str)
@pytest.mark.parametrize("max_norm", [0.1, 1e6])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, device):
    ours, theirs = _pairs(device=device)
    total = nn.utils.clip_grad_norm_(iter(ours), max_norm, norm_type)   # an iterator, as model.parameters() is
    expected = torch.nn.utils.clip_grad_norm_(iter(theirs), max_norm, norm_type)
    assert total.shape == () and total.dtype == tg.float64 and total.device == device
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-12)
    _assert_grads_equal(ours, theirs)


def test_clip_grad_norm_in_float32_matches_torch_to_rounding():
    ours, theirs = _pairs(dtype=np.float32)
    total = nn.utils.clip_grad_norm_(ours, 1.0)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert total.dtype == tg.float32
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-6)
    _assert_grads_equal(ours, theirs, rtol=1e-6)


def test_clip_grad_norm_skips_parameters_without_gradients_and_takes_one_tensor():
    ours, theirs = _pairs()
    ours[1].grad, theirs[1].grad = None, None
    np.testing.assert_allclose(nn.utils.clip_grad_norm_(ours, 0.5).item(),
                               torch.nn.utils.clip_grad_norm_(theirs, 0.5).item(), rtol=1e-12)
    _assert_grads_equal([p for p in ours if p.grad is not None], [q for q in theirs if q.grad is not None])
    single, single_torch = _pairs()
    assert nn.utils.clip_grad_norm_(single[0], 0.1).item() == pytest.approx(
        torch.nn.utils.clip_grad_norm_(single_torch[0], 0.1).item(), rel=1e-12)
    no_grads = tg.ones(2, requires_grad=True)
    assert nn.utils.clip_grad_norm_([no_grads], 1.0).item() == 0.0 and no_grads.grad is None


def test_clip_grad_norm_with_a_non_finite_norm():
    ours, theirs = _pairs()
    ours[0].grad[0, 0], theirs[0].grad[0, 0] = math.inf, math.inf
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is "
                                           "non-finite"):
        nn.utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    assert np.isfinite(ours[1].grad.numpy()).all() and ours[0].grad[0, 0].item() == math.inf   # unchanged
    total = nn.utils.clip_grad_norm_(ours, 1.0)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert math.isinf(total.item()) and math.isinf(expected.item())
    np.testing.assert_array_equal(np.isnan(ours[1].grad.numpy()), np.isnan(theirs[1].grad.numpy()))


def test_clip_grad_norm_records_nothing_and_training_continues():
    model = nn.Linear(3, 2)
    model(tg.randn(4, 3)).sum().backward()
    total = nn.utils.clip_grad_norm_(model.parameters(), 0.01)
    assert not total.requires_grad and total.grad_fn is None
    assert model.weight.grad.grad_fn is None and tg.is_grad_enabled()
    norm = math.sqrt(sum((p.grad.numpy().astype(np.float64) ** 2).sum() for p in model.parameters()))
    assert norm == pytest.approx(0.01, rel=1e-4)


def test_get_total_norm_and_clip_grads_with_norm_compose_to_clip_grad_norm_():
    ours, theirs = _pairs()
    total = nn.utils.get_total_norm([p.grad for p in ours], 3.0)
    expected = torch.nn.utils.get_total_norm([q.grad for q in theirs], 3.0)
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-12)
    nn.utils.clip_grads_with_norm_(ours, 2.0, total)
    torch.nn.utils.clip_grads_with_norm_(theirs, 2.0, expected)
    _assert_grads_equal(ours, theirs)


@pytest.mark.parametrize("clip_value", [0.5, 2, 100.0])
def test_clip_grad_value_matches_torch(clip_value, device):
    ours, theirs = _pairs(device=device)
    assert nn.utils.clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    _assert_grads_equal(ours, theirs)


def test_clipping_rejects_what_torch_rejects():
    ours, _ = _pairs()
    with pytest.raises(TypeError, match="clip_grad_value_: clip_value must be a number"):
        nn.utils.clip_grad_value_(ours, "1")
    with pytest.raises(TypeError, match="norm_type must be a number"):
        nn.utils.clip_grad_norm_(ours, 1.0, norm_type="fro")


def test_parameters_to_vector_and_back_match_torch(device):
    ours = [tg.tensor(np.arange(6.0).reshape(2, 3) + i, device=device, requires_grad=True) for i in range(2)]
    theirs = [torch.tensor(np.arange(6.0).reshape(2, 3) + i, requires_grad=True) for i in range(2)]
    vec = nn.utils.parameters_to_vector(ours)
    np.testing.assert_array_equal(vec.numpy(), torch.nn.utils.parameters_to_vector(theirs).detach().numpy())
    new = tg.arange(12.0, device=device, dtype=tg.float64) * -1
    nn.utils.vector_to_parameters(new, ours)
    torch.nn.utils.vector_to_parameters(torch.arange(12.0, dtype=torch.float64) * -1, theirs)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.numpy(), q.detach().numpy())
        assert p.requires_grad and p.is_leaf
    new[0] = 100.0   # as in PyTorch, the parameters now share the vector's memory
    assert ours[0][0, 0].item() == 100.0


def test_parameters_to_vector_is_differentiable_like_torch():
    check_against_torch(lambda a, b: nn.utils.parameters_to_vector([a, b]) ** 2,
                        lambda a, b: torch.nn.utils.parameters_to_vector([a, b]) ** 2, [(2, 3), (4,)], double=True)
    finite_difference_check(lambda a, b: (nn.utils.parameters_to_vector([a, b]) ** 3).sum(), [(2, 2), (3,)])


def test_vector_to_parameters_with_a_wrong_vector_changes_nothing():
    params = [tg.ones(2, 2, requires_grad=True), tg.ones(3, requires_grad=True)]
    with pytest.raises(ValueError, match=r"vector_to_parameters: vec must be 1-D with 7 values.*got shape \(6,\)"):
        nn.utils.vector_to_parameters(tg.zeros(6), params)
    with pytest.raises(TypeError, match="expected a Tensor, but got ndarray"):
        nn.utils.vector_to_parameters(np.zeros(7), params)
    assert all((p.numpy() == 1).all() for p in params)
