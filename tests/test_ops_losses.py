"""Loss functions against PyTorch: every reduction, integer and probability targets, extreme inputs."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
from tests.oracle import assert_close, check_against_torch, finite_difference_check
from tinygrad_edu import Tensor
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops import losses

REDUCTIONS = ["mean", "sum", "none"]
OPS_TESTED_HERE = ("l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "cosine_embedding_loss",
                   "cosine_similarity", "pairwise_distance")


def probabilities(shape, seed=3, dim=1):
    """Random rows that are positive and sum to one along `dim` (soft class targets)."""
    p = np.random.default_rng(seed).uniform(0.1, 1.0, size=shape)
    return p / p.sum(axis=dim, keepdims=True)


def between(shape, low, high, seed=4):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def classes(shape, n, seed=5):
    return np.random.default_rng(seed).integers(0, n, size=shape)


CLASS_WEIGHTS = np.array([0.5, 2.0, 1.0, 0.1, 3.0])


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
    ("l1", lambda x, y, r: losses.l1_loss(x, y, reduction=r), lambda x, y, r: TF.l1_loss(x, y, reduction=r),
     [(3, 4), (3, 4)], None),
    ("smooth_l1", lambda x, y, r: losses.smooth_l1_loss(x * 2, y, reduction=r),
     lambda x, y, r: TF.smooth_l1_loss(x * 2, y, reduction=r), [(4, 5), (4, 5)], None),
    ("smooth_l1_beta", lambda x, y, r: losses.smooth_l1_loss(x, y, reduction=r, beta=0.4),
     lambda x, y, r: TF.smooth_l1_loss(x, y, reduction=r, beta=0.4), [(4, 5), (4, 5)], None),
    ("smooth_l1_beta_0", lambda x, y, r: losses.smooth_l1_loss(x, y, reduction=r, beta=0.0),
     lambda x, y, r: TF.smooth_l1_loss(x, y, reduction=r, beta=0.0), [(6,), (6,)], None),
    ("huber", lambda x, y, r: losses.huber_loss(x * 2, y, reduction=r),
     lambda x, y, r: TF.huber_loss(x * 2, y, reduction=r), [(4, 5), (4, 5)], None),
    ("huber_delta", lambda x, y, r: losses.huber_loss(x, y, reduction=r, delta=0.3),
     lambda x, y, r: TF.huber_loss(x, y, reduction=r, delta=0.3), [(), ()], None),
    ("kl_div", lambda x, y, r: losses.kl_div(x.log_softmax(1), y, reduction=r),
     lambda x, y, r: TF.kl_div(x.log_softmax(1), y, reduction=r), [(3, 4), probabilities((3, 4))], None),
    ("kl_div_zero_target", lambda x, y, r: losses.kl_div(x, y, reduction=r),
     lambda x, y, r: TF.kl_div(x, y, reduction=r), [(4,), np.array([0.0, 0.5, 0.0, 0.5])], [0]),
    ("kl_div_log_target", lambda x, y, r: losses.kl_div(x, y, reduction=r, log_target=True),
     lambda x, y, r: TF.kl_div(x, y, reduction=r, log_target=True), [(2, 3, 2), (2, 3, 2)], None),
    ("cosine_embedding", lambda a, b, r: losses.cosine_embedding_loss(a, b, Tensor([1, -1, -1, 1], device=a.device),
                                                                      reduction=r),
     lambda a, b, r: TF.cosine_embedding_loss(a, b, torch.tensor([1, -1, -1, 1]), reduction=r),
     [(4, 3), (4, 3)], None),
    ("cosine_embedding_margin", lambda a, b, r: losses.cosine_embedding_loss(
        a, b, Tensor([-1, -1, 1, -1, -1], device=a.device), margin=-0.2, reduction=r),
     lambda a, b, r: TF.cosine_embedding_loss(a, b, torch.tensor([-1, -1, 1, -1, -1]), margin=-0.2, reduction=r),
     [(5, 2), (5, 2)], None),
    ("cosine_embedding_unbatched", lambda a, b, r: losses.cosine_embedding_loss(a, b, Tensor(-1, device=a.device),
                                                                                reduction=r),
     lambda a, b, r: TF.cosine_embedding_loss(a, b, torch.tensor(-1), reduction=r), [(3,), (3,)], None),
    ("nll_weighted", lambda x, y, r: losses.nll_loss(x, y, weight=Tensor(CLASS_WEIGHTS, device=x.device), reduction=r),
     lambda x, y, r: TF.nll_loss(x, y, weight=torch.tensor(CLASS_WEIGHTS), reduction=r),
     [(6, 5), classes((6,), 5)], [0]),
    ("cross_entropy_weighted_nc_d", lambda x, y, r: losses.cross_entropy(
        x, y, weight=Tensor(CLASS_WEIGHTS[:3], device=x.device), reduction=r),
     lambda x, y, r: TF.cross_entropy(x, y, weight=torch.tensor(CLASS_WEIGHTS[:3]), reduction=r),
     [(2, 3, 4), classes((2, 4), 3)], [0]),
    ("cross_entropy_label_smoothing", lambda x, y, r: losses.cross_entropy(x, y, reduction=r, label_smoothing=0.2),
     lambda x, y, r: TF.cross_entropy(x, y, reduction=r, label_smoothing=0.2), [(4, 5), classes((4,), 5)], [0]),
    ("cross_entropy_smoothing_weighted_ignored_nc_d", lambda x, y, r: losses.cross_entropy(
        x, y, weight=Tensor(CLASS_WEIGHTS[:3], device=x.device), ignore_index=1, reduction=r, label_smoothing=0.3),
     lambda x, y, r: TF.cross_entropy(x, y, weight=torch.tensor(CLASS_WEIGHTS[:3]), ignore_index=1, reduction=r,
                                      label_smoothing=0.3), [(2, 3, 2, 2), classes((2, 2, 2), 3)], [0]),
    ("cross_entropy_probabilities_weighted_smoothed", lambda x, y, r: losses.cross_entropy(
        x, y, weight=Tensor(CLASS_WEIGHTS[:4], device=x.device), reduction=r, label_smoothing=0.1),
     lambda x, y, r: TF.cross_entropy(x, y, weight=torch.tensor(CLASS_WEIGHTS[:4]), reduction=r,
                                      label_smoothing=0.1), [(3, 4, 2), probabilities((3, 4, 2))], None),
    ("cross_entropy_unbatched_weighted_smoothed", lambda x, y, r: losses.cross_entropy(
        x, y, weight=Tensor(CLASS_WEIGHTS, device=x.device), reduction=r, label_smoothing=0.5),
     lambda x, y, r: TF.cross_entropy(x, y, weight=torch.tensor(CLASS_WEIGHTS), reduction=r, label_smoothing=0.5),
     [(5,), np.array(3)], [0]),
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
    check_against_torch(lambda x: losses.cross_entropy(x, Tensor(target, device=device), reduction=reduction),
                        lambda x: TF.cross_entropy(x, torch.tensor(target), reduction=reduction),
                        [shape], device=device, double=True)
    check_against_torch(lambda x: losses.nll_loss(x.log_softmax(1), Tensor(target, device=device),
                                                  reduction=reduction, ignore_index=-100),
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


# ---- the losses added with the modern layers: what the table above cannot say ------------------

def test_kl_div_batchmean_divides_by_the_batch_size_like_torch(device):
    x, y = np.random.default_rng(0).standard_normal((4, 3)), probabilities((4, 3))
    for log_target in (False, True):
        target = np.log(y) if log_target else y
        check_against_torch(lambda a: losses.kl_div(a.log_softmax(1), Tensor(target, device=device),
                                                    reduction="batchmean", log_target=log_target),
                            lambda a: TF.kl_div(a.log_softmax(1), torch.tensor(target), reduction="batchmean",
                                                log_target=log_target), [x], device=device, double=True)


SIMILARITY_CASES = [
    ("cosine_dim_1", lambda a, b: tg.nn.functional.cosine_similarity(a, b), lambda a, b: TF.cosine_similarity(a, b),
     [(3, 4), (3, 4)]),
    ("cosine_broadcast_negative_dim", lambda a, b: tg.nn.functional.cosine_similarity(a, b, dim=-1, eps=1e-6),
     lambda a, b: TF.cosine_similarity(a, b, dim=-1, eps=1e-6), [(2, 1, 3), (4, 3)]),
    ("cosine_1d", lambda a, b: tg.nn.functional.cosine_similarity(a, b, dim=0),
     lambda a, b: TF.cosine_similarity(a, b, dim=0), [(5,), (5,)]),
    ("pairwise_2", lambda a, b: tg.nn.functional.pairwise_distance(a, b), lambda a, b: TF.pairwise_distance(a, b),
     [(3, 4), (3, 4)]),
    ("pairwise_p1_keepdim", lambda a, b: tg.nn.functional.pairwise_distance(a, b, p=1.0, keepdim=True),
     lambda a, b: TF.pairwise_distance(a, b, p=1.0, keepdim=True), [(3, 4), (1, 4)]),
    ("pairwise_p3_1d", lambda a, b: tg.nn.functional.pairwise_distance(a, b, p=3.0, eps=0.0),
     lambda a, b: TF.pairwise_distance(a, b, p=3.0, eps=0.0), [(4,), (4,)]),
    ("pairwise_inf", lambda a, b: tg.nn.functional.pairwise_distance(a, b, p=float("inf")),
     lambda a, b: TF.pairwise_distance(a, b, p=float("inf")), [(2, 3, 5), (2, 3, 5)]),
]


@pytest.mark.parametrize("name, ours, theirs, shapes", SIMILARITY_CASES, ids=[c[0] for c in SIMILARITY_CASES])
def test_cosine_similarity_and_pairwise_distance_match_torch(name, ours, theirs, shapes, device):
    check_against_torch(ours, theirs, shapes, device=device, double=True)
    finite_difference_check(ours, shapes)


def test_cosine_similarity_of_a_zero_vector_is_zero_with_torchs_gradient():
    a, b = np.array([[1.0, 2.0], [0.3, -1.0]]), np.array([[0.0, 0.0], [3e-9, 0.0]])   # a zero and a tiny vector
    check_against_torch(lambda x, y: tg.nn.functional.cosine_similarity(x, y),
                        lambda x, y: TF.cosine_similarity(x, y), [a, b], rtol=1e-7)


def test_the_new_loss_modules_match_torch_and_print_like_it():
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    pairs = [(tg.nn.L1Loss(reduction="sum"), torch.nn.L1Loss(reduction="sum")),
             (tg.nn.SmoothL1Loss(beta=0.5), torch.nn.SmoothL1Loss(beta=0.5)),
             (tg.nn.HuberLoss(delta=0.7), torch.nn.HuberLoss(delta=0.7)),
             (tg.nn.KLDivLoss(reduction="batchmean", log_target=True),
              torch.nn.KLDivLoss(reduction="batchmean", log_target=True)),
             (tg.nn.L1Loss(size_average=False), torch.nn.L1Loss(reduction="sum"))]
    for ours, theirs in pairs:
        assert_close(ours(Tensor(x), Tensor(y)), theirs(torch.tensor(x), torch.tensor(y)), type(ours).__name__)
    target = np.array([1, -1, 1])
    assert_close(tg.nn.CosineEmbeddingLoss(margin=0.1)(Tensor(x), Tensor(y), Tensor(target)),
                 torch.nn.CosineEmbeddingLoss(margin=0.1)(torch.tensor(x), torch.tensor(y), torch.tensor(target)),
                 "CosineEmbeddingLoss")
    assert_close(tg.nn.CosineSimilarity(dim=0)(Tensor(x), Tensor(y)),
                 torch.nn.CosineSimilarity(dim=0)(torch.tensor(x), torch.tensor(y)), "CosineSimilarity")
    assert_close(tg.nn.PairwiseDistance(p=1.0)(Tensor(x), Tensor(y)),
                 torch.nn.PairwiseDistance(p=1.0)(torch.tensor(x), torch.tensor(y)), "PairwiseDistance")
    assert repr(tg.nn.L1Loss()) == repr(torch.nn.L1Loss()) == "L1Loss()"


def test_weighted_loss_modules_keep_the_weight_as_torch_does(device):
    weight = np.array([0.2, 1.0, 3.0])
    x = np.random.default_rng(7).standard_normal((5, 3))
    target = np.array([0, 2, 2, 1, 0])
    ours = tg.nn.CrossEntropyLoss(weight=Tensor(weight), label_smoothing=0.1, ignore_index=1)
    theirs = torch.nn.CrossEntropyLoss(weight=torch.tensor(weight), label_smoothing=0.1, ignore_index=1)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    assert list(tg.nn.NLLLoss().state_dict()) == list(torch.nn.NLLLoss().state_dict()) == []
    ours.to(device)
    assert_close(ours(Tensor(x, device=device), Tensor(target, device=device)),
                 theirs(torch.tensor(x), torch.tensor(target)), "CrossEntropyLoss")
    nll, their_nll = tg.nn.NLLLoss(weight=Tensor(weight)), torch.nn.NLLLoss(weight=torch.tensor(weight))
    assert_close(nll(Tensor(x), Tensor(target)), their_nll(torch.tensor(x), torch.tensor(target)), "NLLLoss")


def test_legacy_reduction_arguments_are_read_as_torch_reads_them():
    x, y = np.random.default_rng(8).standard_normal((2, 3)), np.random.default_rng(9).standard_normal((2, 3))
    for size_average, reduce in [(False, None), (None, False), (True, True), (False, True)]:
        with pytest.warns(UserWarning):
            expected = TF.l1_loss(torch.tensor(x), torch.tensor(y), size_average=size_average, reduce=reduce)
        assert_close(losses.l1_loss(Tensor(x), Tensor(y), size_average=size_average, reduce=reduce), expected,
                     f"size_average={size_average}, reduce={reduce}")


def test_the_new_losses_refuse_bad_input_with_clear_errors():
    x = tg.randn(3, 4)
    with pytest.raises(ValueError, match=r"l1_loss: input has shape \(3, 4\) but target has shape \(4,\)"):
        losses.l1_loss(x, tg.randn(4))
    with pytest.raises(ValueError, match="smooth_l1_loss: beta must not be negative"):
        losses.smooth_l1_loss(x, x, beta=-1.0)
    with pytest.raises(ValueError, match="huber_loss: delta must be positive"):
        losses.huber_loss(x, x, delta=0.0)
    with pytest.raises(ValueError, match="kl_div: reduction must be one of"):
        losses.kl_div(x, x, reduction="batchsum")
    with pytest.raises(ValueError, match="cross_entropy: label_smoothing must be between 0.0 and 1.0, got 1.5"):
        losses.cross_entropy(x, Tensor([0, 1, 2]), label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"cross_entropy: weight must hold one weight per class, shape \(4,\) .* "
                                         r"got weight of shape \(3,\)"):
        losses.cross_entropy(x, Tensor([0, 1, 2]), weight=tg.ones(3))
    with pytest.raises(TypeError, match="nll_loss: weight must be a Tensor .* got str 'sum'; the reduction is a "
                                        "keyword"):
        losses.nll_loss(x, Tensor([0, 1, 2]), "sum")
    with pytest.raises(ValueError, match=r"cosine_embedding_loss: expected inputs of one shape .* input1 \(3, 4\), "
                                         r"input2 \(3, 4\), target \(4,\)"):
        losses.cosine_embedding_loss(x, x, Tensor([1, -1, 1, 1]))
    with pytest.raises(ShapeError,
                       match=r"cosine_similarity: x1 of shape \(3, 4\) and x2 of shape \(2, 4\) cannot be broadcast"):
        tg.nn.functional.cosine_similarity(x, tg.randn(2, 4))
    with pytest.raises(ValueError, match="KLDivLoss: reduction must be one of"):
        tg.nn.KLDivLoss(reduction="avg")
