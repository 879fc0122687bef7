"""The margin losses against PyTorch: every reduction, broadcasting, values, two derivatives, finite differences."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu import nn
from tinygrad_edu.errors import ShapeError

OPS_TESTED_HERE = ("margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
                   "multilabel_soft_margin_loss", "triplet_margin_loss")

SIGNS = np.array([1.0, -1.0, -1.0, 1.0, 1.0])
LABELS = np.random.default_rng(5).integers(0, 2, size=(3, 4)).astype(float)
WEIGHT = np.random.default_rng(6).uniform(0.5, 2.0, size=(4,))


def cases(reduction):
    r = reduction
    return [
        ("margin_ranking", lambda a, b: F.margin_ranking_loss(a, b, tg.Tensor(SIGNS, device=a.device), 0.3, reduction=r),
         lambda a, b: TF.margin_ranking_loss(a, b, torch.tensor(SIGNS), 0.3, reduction=r), [(5,), (5,)]),
        ("margin_ranking_broadcast",
         lambda a, b: F.margin_ranking_loss(a, b, tg.Tensor(SIGNS, device=a.device), reduction=r),
         lambda a, b: TF.margin_ranking_loss(a, b, torch.tensor(SIGNS), reduction=r), [(5,), (1,)]),
        ("hinge_embedding", lambda x: F.hinge_embedding_loss(x, tg.Tensor(SIGNS, device=x.device), 0.5, reduction=r),
         lambda x: TF.hinge_embedding_loss(x, torch.tensor(SIGNS), 0.5, reduction=r), [(2, 5)]),
        ("soft_margin", lambda x: F.soft_margin_loss(x, tg.Tensor(SIGNS, device=x.device), reduction=r),
         lambda x: TF.soft_margin_loss(x, torch.tensor(SIGNS), reduction=r), [(5,)]),
        ("multilabel_soft_margin",
         lambda x: F.multilabel_soft_margin_loss(x, tg.Tensor(LABELS, device=x.device), reduction=r),
         lambda x: TF.multilabel_soft_margin_loss(x, torch.tensor(LABELS), reduction=r), [(3, 4)]),
        ("multilabel_soft_margin_weight",
         lambda x: F.multilabel_soft_margin_loss(x, tg.Tensor(LABELS, device=x.device),
                                                 tg.Tensor(WEIGHT, device=x.device), reduction=r),
         lambda x: TF.multilabel_soft_margin_loss(x, torch.tensor(LABELS), torch.tensor(WEIGHT), reduction=r),
         [(3, 4)]),
        ("triplet", lambda a, p, n: F.triplet_margin_loss(a, p, n, reduction=r),
         lambda a, p, n: TF.triplet_margin_loss(a, p, n, reduction=r), [(4, 3), (4, 3), (4, 3)]),
        ("triplet_p1_swap", lambda a, p, n: F.triplet_margin_loss(a, p, n, 2.0, 1, 1e-6, True, reduction=r),
         lambda a, p, n: TF.triplet_margin_loss(a, p, n, 2.0, 1, 1e-6, True, reduction=r), [(4, 3), (4, 3), (4, 3)]),
        ("triplet_unbatched_p3", lambda a, p, n: F.triplet_margin_loss(a, p, n, 5.0, 3, reduction=r),
         lambda a, p, n: TF.triplet_margin_loss(a, p, n, 5.0, 3, reduction=r), [(3,), (3,), (3,)]),
    ]


ALL = [(r, *c) for r in ("mean", "sum", "none") for c in cases(r)]


@pytest.mark.parametrize("reduction, name, ours, theirs, shapes", ALL, ids=[f"{a[1]}-{a[0]}" for a in ALL])
def test_margin_losses_match_torch_with_second_derivatives(reduction, name, ours, theirs, shapes, device):
    check_against_torch(ours, theirs, shapes, device=device, double=True)


@pytest.mark.parametrize("reduction, name, ours, theirs, shapes", ALL[:len(ALL) // 3], ids=[a[1] for a in ALL[:len(ALL) // 3]])
def test_margin_losses_match_finite_differences(reduction, name, ours, theirs, shapes):
    finite_difference_check(ours, shapes)


@pytest.mark.parametrize("make", [lambda m: m.MarginRankingLoss(0.2), lambda m: m.HingeEmbeddingLoss(reduction="sum"),
                                  lambda m: m.SoftMarginLoss(), lambda m: m.MultiLabelSoftMarginLoss(),
                                  lambda m: m.TripletMarginLoss(margin=2.0, p=1.0, swap=True)],
                         ids=["ranking", "hinge", "soft", "multilabel", "triplet"])
def test_margin_loss_modules_match_torch_repr_and_state_dict(make):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_margin_loss_modules_compute_their_function():
    a, b, c = (tg.Tensor(np.random.default_rng(i).standard_normal((4, 3))) for i in range(3))
    ta, tb, tc = (torch.tensor(t.numpy()) for t in (a, b, c))
    assert np.isclose(nn.TripletMarginLoss(swap=True)(a, b, c).item(), torch.nn.TripletMarginLoss(swap=True)(ta, tb, tc).item())
    y = tg.Tensor([1.0, -1.0, 1.0, -1.0])
    assert np.isclose(nn.MarginRankingLoss(0.1, "sum")(a[:, 0], b[:, 0], y).item(),
                      torch.nn.MarginRankingLoss(0.1, reduction="sum")(ta[:, 0], tb[:, 0], torch.tensor(y.numpy())).item())
    w = tg.Tensor(WEIGHT[:3])
    labels = tg.Tensor((np.random.default_rng(7).random((4, 3)) > 0.5).astype(float))
    assert np.isclose(nn.MultiLabelSoftMarginLoss(w)(a, labels).item(),
                      torch.nn.MultiLabelSoftMarginLoss(torch.tensor(w.numpy()))(ta, torch.tensor(labels.numpy())).item())


def test_margin_losses_reject_bad_input_naming_the_op_and_shapes():
    with pytest.raises(ShapeError, match=r"margin_ranking_loss: .*same number of dims.*\(2, 3\), \(3,\)"):
        F.margin_ranking_loss(tg.randn(2, 3), tg.randn(3), tg.ones(3))
    with pytest.raises(ShapeError, match=r"margin_ranking_loss: shapes \(3,\), \(4,\), \(3,\) cannot be broadcast"):
        F.margin_ranking_loss(tg.randn(3), tg.randn(4), tg.ones(3))
    with pytest.raises(ShapeError, match=r"multilabel_soft_margin_loss: .*input \(2, 3\) and target \(2, 4\)"):
        F.multilabel_soft_margin_loss(tg.randn(2, 3), tg.ones(2, 4))
    with pytest.raises(ShapeError, match=r"triplet_margin_loss: .*anchor \(2, 3\), positive \(3,\)"):
        F.triplet_margin_loss(tg.randn(2, 3), tg.randn(3), tg.randn(2, 3))
    with pytest.raises(ValueError, match="triplet_margin_loss: margin must be greater than 0, got 0"):
        F.triplet_margin_loss(tg.randn(2, 3), tg.randn(2, 3), tg.randn(2, 3), margin=0)
    with pytest.raises(ValueError, match="soft_margin_loss: reduction must be one of"):
        F.soft_margin_loss(tg.randn(3), tg.ones(3), reduction="avg")
    with pytest.raises(TypeError, match="hinge_embedding_loss: input must be a floating-point tensor"):
        F.hinge_embedding_loss(tg.arange(3), tg.ones(3))
