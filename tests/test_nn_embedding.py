"""Embedding against PyTorch: lookups, the scatter-add gradient over repeated indices, padding_idx,
scale_grad_by_freq, max_norm's in-place renormalisation, from_pretrained, state dicts, errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tests.oracle import assert_close, check_against_torch, finite_difference_check
from tinygrad_edu import Tensor, nn
from tinygrad_edu.errors import DTypeError, ShapeError

OPS_TESTED_HERE = ("embedding",)

REPEATED = np.array([[1, 2, 1, 4], [0, 5, 1, 1]])   # row 1 read four times: its gradient is the sum

OPTIONS = [
    ("plain", {}),
    ("padding_idx", {"padding_idx": 1}),
    ("negative_padding_idx", {"padding_idx": -2}),
    ("scale_grad_by_freq", {"scale_grad_by_freq": True}),
    ("scale_and_padding", {"scale_grad_by_freq": True, "padding_idx": 0}),
]


@pytest.mark.parametrize("name, options", OPTIONS, ids=[o[0] for o in OPTIONS])
@pytest.mark.parametrize("indices", [REPEATED, np.array(3), np.array([5, 5, 5]), np.zeros((2, 0), dtype=np.int64)],
                         ids=["batch_of_sequences", "0d_index", "one_row_thrice", "empty"])
def test_embedding_matches_torch_with_second_derivatives(name, options, indices, device):
    check_against_torch(lambda w: F.embedding(Tensor(indices, device=device), w, **options),
                        lambda w: TF.embedding(torch.tensor(indices), w, **options), [(6, 3)],
                        device=device, double=True)


def test_embedding_gradient_matches_finite_differences():
    # Only without options: padding_idx and scale_grad_by_freq change the gradient on purpose,
    # so it is no longer the derivative (the tests above compare those with PyTorch).
    finite_difference_check(lambda w: F.embedding(Tensor(REPEATED), w).tanh(), [(6, 3)])


def test_embedding_of_int32_indices_and_float32_weights(device):
    weight = tg.randn(4, 2, device=device, requires_grad=True)
    out = F.embedding(Tensor(np.array([3, 0, 3], dtype=np.int32), device=device), weight)
    assert out.dtype == tg.float32 and out.shape == (3, 2)
    out.sum().backward()
    assert weight.grad.tolist() == [[1, 1], [0, 0], [0, 0], [2, 2]]


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
def test_max_norm_renormalises_the_looked_up_rows_in_place_like_torch(norm_type, device):
    w = np.random.default_rng(0).standard_normal((6, 3)) * 3
    w[3] *= 0.01   # a row under the limit stays as it is
    ours, theirs = Tensor(w.copy(), device=device, requires_grad=True), torch.tensor(w.copy(), requires_grad=True)
    out = F.embedding(Tensor(REPEATED, device=device), ours, max_norm=1.5, norm_type=norm_type)
    expected = TF.embedding(torch.tensor(REPEATED), theirs, max_norm=1.5, norm_type=norm_type)
    assert_close(out, expected, "looked-up rows")
    assert_close(ours.detach(), theirs.detach(), "the weight after renormalisation")
    out.sum().backward()
    expected.sum().backward()
    assert_close(ours.grad, theirs.grad, "gradient")


def test_the_module_copies_torch_weights_and_learns_like_torch(device):
    theirs = torch.nn.Embedding(7, 4, padding_idx=2).double()
    ours = nn.Embedding(7, 4, padding_idx=2).to(device).double()
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()}, strict=True)
    idx = np.array([[2, 3, 3], [6, 2, 0]])
    out, expected = ours(Tensor(idx, device=device)), theirs(torch.tensor(idx))
    assert_close(out, expected, "forward")
    upstream = np.random.default_rng(1).standard_normal(expected.shape)
    out.backward(Tensor(upstream, device=device))
    expected.backward(torch.tensor(upstream))
    assert_close(ours.weight.grad, theirs.weight.grad, "weight gradient")
    assert not ours.weight.grad.numpy()[2].any()   # the padding row learns nothing
    back = torch.nn.Embedding(7, 4, padding_idx=2).double()
    back.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}, strict=True)
    assert torch.equal(back.weight, theirs.weight)


def test_default_initialisation_is_standard_normal_with_a_zero_padding_row():
    tg.manual_seed(0)
    emb = nn.Embedding(2000, 50, padding_idx=-1)
    w = emb.weight.numpy()
    assert emb.padding_idx == 1999 and not w[1999].any()
    assert abs(w[:-1].mean()) < 0.01 and abs(w[:-1].std() - 1) < 0.01
    assert emb.weight.requires_grad and emb.weight.dtype == tg.float32


@pytest.mark.parametrize("args, kwargs", [((10, 3), {}), ((10, 3), {"padding_idx": -1, "max_norm": 1.0}),
                                          ((5, 2), {"norm_type": 1.0, "scale_grad_by_freq": True})],
                         ids=["plain", "padding_and_max_norm", "norm_type_and_scale"])
def test_repr_matches_torch(args, kwargs):
    assert repr(nn.Embedding(*args, **kwargs)) == repr(torch.nn.Embedding(*args, **kwargs))


def test_from_pretrained_shares_the_tensor_and_freezes_by_default():
    table = tg.randn(5, 3)
    frozen = nn.Embedding.from_pretrained(table, padding_idx=0)
    assert frozen.weight.requires_grad is False and frozen.padding_idx == 0
    assert np.array_equal(frozen.weight.numpy(), table.numpy())   # the padding row is left as given
    table.add_(1.0)
    assert np.array_equal(frozen.weight.numpy(), table.numpy())   # shared, as in PyTorch
    trainable = nn.Embedding.from_pretrained(tg.randn(5, 3), freeze=False)
    trainable(Tensor([1, 1])).sum().backward()
    assert trainable.weight.grad.tolist()[1] == [2.0, 2.0, 2.0]
    with pytest.raises(ShapeError, match=r"from_pretrained: embeddings must be a 2-D Tensor.*\(5,\)"):
        nn.Embedding.from_pretrained(tg.randn(5))


def test_bad_input_gives_clear_errors_and_changes_nothing():
    weight = tg.randn(4, 2, requires_grad=True)
    before = weight.numpy().copy()
    with pytest.raises(IndexError, match=r"embedding: index 4 is out of range for a table of 4 rows \(weight of "
                                         r"shape \(4, 2\)\)"):
        F.embedding(Tensor([0, 4]), weight, max_norm=0.1)
    with pytest.raises(IndexError, match="index -1 is out of range"):
        F.embedding(Tensor([-1]), weight)
    assert np.array_equal(weight.numpy(), before)   # max_norm did not rescale anything
    with pytest.raises(DTypeError, match="embedding: indices must be integers.*float32"):
        F.embedding(Tensor([1.0]), weight)
    with pytest.raises(ShapeError, match=r"embedding: weight must be 2-D.*\(4,\)"):
        F.embedding(Tensor([1]), tg.randn(4))
    with pytest.raises(ValueError, match="embedding: padding_idx must be an int within num_embeddings \\(4\\), got 4"):
        F.embedding(Tensor([1]), weight, padding_idx=4)
    with pytest.raises(NotImplementedError, match="sparse=True"):
        F.embedding(Tensor([1]), weight, sparse=True)
    with pytest.raises(NotImplementedError, match="Embedding: sparse=True"):
        nn.Embedding(4, 2, sparse=True)
    with pytest.raises(ShapeError, match=r"Embedding: _weight must have shape \(4, 2\), got \(3, 2\)"):
        nn.Embedding(4, 2, _weight=tg.randn(3, 2))
    with pytest.raises(ValueError, match="Embedding: num_embeddings must be a positive int"):
        nn.Embedding(0, 2)
