"""F.interpolate and nn.Upsample: PyTorch parity for nearest and (bi)linear resizing, by size and
by scale factor, gradients of any order, and clear errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu import nn
from tinygrad_edu.nn import functional as F

OPS_TESTED_HERE = ("interpolate",)

RESIZES = {
    "size_up": {"size": (7, 9)},
    "size_down": {"size": (3, 2)},
    "size_int": {"size": 6},
    "scale_2": {"scale_factor": 2},
    "scale_odd": {"scale_factor": 1.7},
    "scale_down": {"scale_factor": 0.6},
    "scale_pair": {"scale_factor": (1.5, 3)},
    "scale_recomputed": {"scale_factor": 1.7, "recompute_scale_factor": True},
    "same_size_by_scale": {"scale_factor": 1.2},   # 4·1.2 rounds down to 4 rows
}


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@pytest.mark.parametrize("name", list(RESIZES))
def test_interpolate_nearest_matches_torch(name, mode, device):
    options = RESIZES[name]
    check_against_torch(lambda x: F.interpolate(x, mode=mode, **options) ** 2,
                        lambda x: TF.interpolate(x, mode=mode, **options) ** 2, [(2, 3, 4, 5)], device=device,
                        double=True)


@pytest.mark.parametrize("align_corners", [False, True], ids=["pixel_areas", "align_corners"])
@pytest.mark.parametrize("name", list(RESIZES))
def test_interpolate_bilinear_matches_torch(name, align_corners, device):
    options = RESIZES[name]
    check_against_torch(lambda x: F.interpolate(x, mode="bilinear", align_corners=align_corners, **options) ** 2,
                        lambda x: TF.interpolate(x, mode="bilinear", align_corners=align_corners, **options) ** 2,
                        [(2, 3, 4, 5)], device=device, double=True)


@pytest.mark.parametrize("mode, align_corners", [("nearest", None), ("linear", False), ("linear", True)])
@pytest.mark.parametrize("options", [{"size": 11}, {"scale_factor": 0.5}, {"scale_factor": (2.5,)}],
                         ids=["size", "scale_down", "scale_tuple"])
def test_interpolate_3d_input_matches_torch(options, mode, align_corners, device):
    check_against_torch(lambda x: F.interpolate(x, mode=mode, align_corners=align_corners, **options) ** 2,
                        lambda x: TF.interpolate(x, mode=mode, align_corners=align_corners, **options) ** 2,
                        [(2, 3, 6)], device=device, double=True)


def test_interpolate_in_float32_picks_the_same_pixels_as_torch(device):
    x = np.random.default_rng(0).standard_normal((1, 2, 13, 17)).astype(np.float32)
    for options in ({"scale_factor": 1.3}, {"size": (29, 5)}, {"scale_factor": 0.37}):
        ours = F.interpolate(tg.Tensor(x, device=device), **options)
        np.testing.assert_array_equal(ours.numpy(), TF.interpolate(torch.tensor(x), **options).numpy())
        ours = F.interpolate(tg.Tensor(x, device=device), mode="bilinear", **options)
        assert ours.dtype == tg.float32
        np.testing.assert_allclose(ours.numpy(), TF.interpolate(torch.tensor(x), mode="bilinear", **options).numpy(),
                                   rtol=1e-5, atol=1e-6)


def test_interpolate_nearest_keeps_an_integer_dtype(device):
    x = np.arange(12, dtype=np.uint8).reshape(1, 1, 3, 4)   # PyTorch's nearest takes uint8 images
    ours = F.interpolate(tg.Tensor(x, device=device), scale_factor=2)
    assert ours.dtype == tg.uint8
    np.testing.assert_array_equal(ours.numpy(), TF.interpolate(torch.tensor(x), scale_factor=2).numpy())


def test_interpolate_gradients_match_finite_differences():
    finite_difference_check(lambda x: F.interpolate(x, size=(5, 3), mode="bilinear") ** 2, [(1, 2, 3, 4)])
    finite_difference_check(lambda x: F.interpolate(x, scale_factor=1.5) ** 2, [(1, 1, 3, 3)])


def test_interpolate_to_the_same_size_returns_a_new_tensor():
    x = tg.randn(1, 1, 3, 3, requires_grad=True)
    out = F.interpolate(x, size=(3, 3))
    assert out is not x
    np.testing.assert_array_equal(out.numpy(), x.numpy())


# ---- nn.Upsample -------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{"scale_factor": 2}, {"size": (3, 7), "mode": "bilinear"},
                                    {"scale_factor": (1.5, 2), "mode": "bilinear", "align_corners": True}],
                         ids=["nearest", "bilinear_size", "bilinear_align_corners"])
def test_upsample_prints_and_computes_like_torch(kwargs, device):
    ours, theirs = nn.Upsample(**kwargs), torch.nn.Upsample(**kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    np.testing.assert_allclose(ours(tg.Tensor(x, device=device)).numpy(), theirs(torch.tensor(x)).numpy(),
                               rtol=1e-12, atol=1e-12)


# ---- errors ------------------------------------------------------------------------------

def test_interpolate_errors_name_the_op_and_what_is_wrong():
    x = tg.randn(1, 2, 4, 4)
    with pytest.raises(ValueError, match="interpolate: give exactly one of size and scale_factor, got size=None, "
                                         "scale_factor=None"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="interpolate: give exactly one of size and scale_factor"):
        F.interpolate(x, size=3, scale_factor=2)
    with pytest.raises(ValueError, match=r"interpolate: size must be a positive int or 2 of them for an input of shape "
                                         r"\(1, 2, 4, 4\) \(2 spatial dims\), got \(3, 4, 5\)"):
        F.interpolate(x, size=(3, 4, 5))
    with pytest.raises(ValueError, match=r"interpolate: scale_factor must be a positive number .* got -2"):
        F.interpolate(x, scale_factor=-2)
    with pytest.raises(ValueError, match=r"interpolate: scale_factor 0.1 leaves no pixels of the input \(1, 2, 4, 4\)"):
        F.interpolate(x, scale_factor=0.1)
    with pytest.raises(ValueError, match="interpolate: align_corners can only be set with the interpolating modes"):
        F.interpolate(x, scale_factor=2, align_corners=True)
    with pytest.raises(ValueError, match=r"interpolate: mode='bilinear' takes a 4-D input .* got shape \(2, 4\)"):
        F.interpolate(tg.randn(2, 4), scale_factor=2, mode="bilinear")
    with pytest.raises(ValueError, match=r"interpolate: mode='linear' takes a 3-D input .* got shape \(1, 2, 4, 4\)"):
        F.interpolate(x, scale_factor=2, mode="linear")
    with pytest.raises(NotImplementedError, match="interpolate: mode must be one of .* got 'bicubic'"):
        F.interpolate(x, scale_factor=2, mode="bicubic")
    with pytest.raises(TypeError, match="interpolate: input must be a floating-point tensor, got int64"):
        F.interpolate(tg.ones(1, 1, 2, 2, dtype=tg.int64), scale_factor=2, mode="bilinear")
