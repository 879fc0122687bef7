"""pixel_shuffle / pixel_unshuffle and channel dropout (dropout1d, dropout2d) with their modules."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tests.oracle import assert_close, check_against_torch, finite_difference_check
from tinygrad_edu import nn
from tinygrad_edu.errors import ShapeError

OPS_TESTED_HERE = ("pixel_shuffle", "pixel_unshuffle", "dropout1d", "dropout2d")

SHUFFLES = [("shuffle", lambda x: F.pixel_shuffle(x, 2), lambda x: TF.pixel_shuffle(x, 2), (2, 8, 3, 2)),
            ("shuffle_unbatched", lambda x: F.pixel_shuffle(x, 3), lambda x: TF.pixel_shuffle(x, 3), (9, 2, 1)),
            ("shuffle_5d", lambda x: F.pixel_shuffle(x, 2), lambda x: TF.pixel_shuffle(x, 2), (2, 1, 4, 2, 3)),
            ("unshuffle", lambda x: F.pixel_unshuffle(x, 2), lambda x: TF.pixel_unshuffle(x, 2), (2, 3, 4, 6)),
            ("unshuffle_unbatched", lambda x: F.pixel_unshuffle(x, 3), lambda x: TF.pixel_unshuffle(x, 3),
             (1, 3, 6))]


@pytest.mark.parametrize("name, ours, theirs, shape", SHUFFLES, ids=[s[0] for s in SHUFFLES])
def test_pixel_shuffles_match_torch(name, ours, theirs, shape, device):
    check_against_torch(ours, theirs, [shape], device=device, double=True)


def test_pixel_shuffle_gradient_matches_finite_differences():
    finite_difference_check(lambda x: F.pixel_shuffle(x, 2), [(1, 4, 2, 3)])
    finite_difference_check(lambda x: F.pixel_unshuffle(x, 2), [(1, 1, 2, 4)])


def test_pixel_shuffle_keeps_integer_dtypes_like_torch():
    x = np.arange(32).reshape(1, 8, 2, 2)
    assert_close(F.pixel_shuffle(tg.Tensor(x), 2), TF.pixel_shuffle(torch.tensor(x), 2), "int64 shuffle")
    assert F.pixel_unshuffle(F.pixel_shuffle(tg.Tensor(x), 2), 2).tolist() == x.tolist()


@pytest.mark.parametrize("cls, factor", [("PixelShuffle", 3), ("PixelUnshuffle", 2)])
def test_pixel_shuffle_modules_match_torch(cls, factor, device):
    ours, theirs = getattr(nn, cls)(factor), getattr(torch.nn, cls)(factor)
    assert repr(ours) == repr(theirs)
    check_against_torch(ours, theirs, [(2, 9, 6, 6)], device=device)


def test_pixel_shuffle_errors_name_the_op_and_shape():
    with pytest.raises(ShapeError, match=r"pixel_shuffle: .*divisible by upscale_factor² = 4.*\(1, 3, 2, 2\)"):
        F.pixel_shuffle(tg.randn(1, 3, 2, 2), 2)
    with pytest.raises(ShapeError, match=r"pixel_unshuffle: .*downscale_factor = 2.*\(1, 1, 3, 2\)"):
        F.pixel_unshuffle(tg.randn(1, 1, 3, 2), 2)
    with pytest.raises(ShapeError, match=r"pixel_shuffle: .*at least 3 dims.*\(4, 2\)"):
        F.pixel_shuffle(tg.randn(4, 2), 2)
    with pytest.raises(ValueError, match="pixel_shuffle: upscale_factor must be a positive int, got 0"):
        F.pixel_shuffle(tg.randn(1, 4, 2, 2), 0)


# ---- channel dropout --------------------------------------------------------------------------

@pytest.mark.parametrize("op, shape", [("dropout1d", (4, 50, 3)), ("dropout1d", (50, 3)),
                                        ("dropout2d", (4, 50, 2, 3))])
def test_channel_dropout_zeros_whole_channels_and_scales_the_rest(op, shape, device):
    tg.manual_seed(0)
    p = 0.3
    x = tg.Tensor(np.random.default_rng(0).uniform(1, 2, size=shape), device=device, requires_grad=True)
    y = getattr(F, op)(x, p)
    ratio = y.numpy() / x.numpy()
    channel_dims = 2 if op == "dropout2d" else x.ndim - 1
    per_channel = ratio.reshape(*shape[:channel_dims], -1)
    # every channel is all zero or all 1/(1-p), and about p of them are zero
    assert np.allclose(per_channel, per_channel[..., :1])
    assert np.all(np.isclose(per_channel, 0) | np.isclose(per_channel, 1 / (1 - p)))
    assert 0.1 < np.isclose(per_channel[..., 0], 0).mean() < 0.5
    (grad,) = tg.grad(y.sum(), [x])
    np.testing.assert_allclose(grad.numpy(), ratio)   # dy/dx is the mask
    assert y.device == device


@pytest.mark.parametrize("op", ["dropout1d", "dropout2d"])
def test_channel_dropout_passes_through_in_eval_and_at_p0_and_zeros_all_at_p1(op):
    x = tg.randn(2, 3, 4, 5)[..., 0] if op == "dropout1d" else tg.randn(2, 3, 4, 5)
    assert getattr(F, op)(x, 0.5, training=False) is x
    assert getattr(F, op)(x, 0.0) is x
    assert (getattr(F, op)(x, 1.0).numpy() == 0).all()


@pytest.mark.parametrize("cls, shape", [("Dropout1d", (2, 3, 4)), ("Dropout2d", (2, 3, 4, 4))])
def test_channel_dropout_modules_match_torch_repr_and_eval(cls, shape):
    for args in [(), (0.2,), (0.3, True)]:
        assert repr(getattr(nn, cls)(*args)) == repr(getattr(torch.nn, cls)(*args))
    layer = getattr(nn, cls)(0.5).eval()
    x = tg.randn(*shape)
    assert layer(x) is x
    layer.train()
    tg.manual_seed(1)
    assert (layer(tg.ones(*shape)).numpy() != 1).any()


def test_channel_dropout_in_place_writes_into_the_input():
    tg.manual_seed(0)
    x = tg.ones(2, 8, 3)
    y = F.dropout1d(x, 0.5, inplace=True)
    assert y is x and set(np.unique(x.numpy())) <= {0.0, 2.0}


def test_dropout2d_on_3d_input_warns_like_torch_and_drops_length_channels():
    tg.manual_seed(0)
    with pytest.warns(UserWarning, match="dropout2d: received a 3-D input"):
        y = F.dropout2d(tg.ones(2, 40, 3), 0.5)
    assert np.allclose(y.numpy(), y.numpy()[..., :1])


def test_channel_dropout_errors_name_the_op():
    with pytest.raises(ShapeError, match=r"dropout1d: expected a 2-D .*\(5,\)"):
        F.dropout1d(tg.randn(5))
    with pytest.raises(ShapeError, match=r"dropout2d: expected a 4-D .*\(2, 3\)"):
        F.dropout2d(tg.randn(2, 3))
    with pytest.raises(ValueError, match="dropout2d: probability p must be between 0 and 1, got 1.5"):
        F.dropout2d(tg.randn(1, 2, 3, 3), 1.5)
    with pytest.raises(TypeError, match="dropout1d: needs a floating-point tensor"):
        F.dropout1d(tg.ones(2, 3, dtype=tg.int64))
    with pytest.raises(ValueError, match="Dropout2d: probability p"):
        nn.Dropout2d(-0.1)
