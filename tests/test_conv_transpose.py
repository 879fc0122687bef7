"""conv_transpose2d/1d and nn.ConvTranspose2d/1d: PyTorch parity (forward, input/weight/bias
gradients, second derivatives, finite differences), modules that load PyTorch's state dicts,
and clear errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu import nn
from tinygrad_edu.nn import functional as F

OPS_TESTED_HERE = ("conv_transpose2d", "conv_transpose1d")

# (input shape, weight shape (C_in, C_out/groups, kh, kw), options): odd sizes, each setting alone and mixed.
CONFIGS = {
    "plain": ((2, 3, 4, 5), (3, 2, 3, 3), {}),
    "stride_2": ((2, 3, 4, 3), (3, 4, 3, 3), {"stride": 2}),
    "padding": ((1, 2, 5, 4), (2, 3, 3, 2), {"padding": (1, 0)}),
    "output_padding": ((2, 2, 3, 4), (2, 3, 3, 3), {"stride": (2, 3), "output_padding": (1, 2)}),
    "dilation_with_output_padding": ((1, 2, 4, 4), (2, 2, 3, 2), {"dilation": 2, "output_padding": 1}),
    "groups": ((2, 4, 3, 4), (4, 3, 2, 3), {"groups": 2, "stride": 2}),
    "everything": ((2, 4, 5, 3), (4, 2, 3, 2), {"stride": (2, 3), "padding": (1, 1), "output_padding": (1, 0),
                                                "groups": 2, "dilation": (2, 1)}),
    "one_pixel_input": ((1, 2, 1, 1), (2, 3, 3, 3), {"stride": 2}),
}


@pytest.mark.parametrize("with_bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_conv_transpose2d_forward_and_gradients_match_torch(name, with_bias, device):
    x_shape, w_shape, options = CONFIGS[name]
    out_channels = w_shape[1] * options.get("groups", 1)
    shapes = [x_shape, w_shape] + ([(out_channels,)] if with_bias else [])
    check_against_torch(lambda *t: F.conv_transpose2d(*t, **options),
                        lambda *t: TF.conv_transpose2d(*t, **options), shapes, device=device)


@pytest.mark.parametrize("name", ["plain", "output_padding", "everything"])
def test_conv_transpose2d_double_backward_matches_torch(name, device):
    x_shape, w_shape, options = CONFIGS[name]
    out_channels = w_shape[1] * options.get("groups", 1)
    # Squaring couples x and w, so the second derivatives d²/dx dw are not zero.
    check_against_torch(lambda x, w, b: F.conv_transpose2d(x, w, b, **options) ** 2,
                        lambda x, w, b: TF.conv_transpose2d(x, w, b, **options) ** 2,
                        [x_shape, w_shape, (out_channels,)], device=device, double=True)


def test_conv_transpose2d_inside_a_network_with_conv2d_double_backward_matches_torch(device):
    def ours(x, w1, w2):
        return F.conv2d(F.conv_transpose2d(x, w1, stride=2, padding=1, output_padding=1).tanh(), w2, padding=1)

    def theirs(x, w1, w2):
        return TF.conv2d(TF.conv_transpose2d(x, w1, stride=2, padding=1, output_padding=1).tanh(), w2, padding=1)

    check_against_torch(ours, theirs, [(2, 3, 3, 3), (3, 2, 3, 3), (2, 2, 3, 3)], device=device, double=True)


def test_conv_transpose2d_gradients_match_finite_differences():
    finite_difference_check(lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1,
                                                               groups=2) ** 2,
                            [(1, 2, 2, 3), (2, 1, 3, 2), (2,)])


def test_conv_transpose2d_accepts_an_unbatched_image(device):
    check_against_torch(lambda x, w: F.conv_transpose2d(x, w, stride=2), lambda x, w: TF.conv_transpose2d(x, w, stride=2),
                        [(3, 4, 4), (3, 2, 3, 3)], device=device)


def test_conv_transpose2d_is_the_input_gradient_of_conv2d():
    rng = np.random.default_rng(3)
    x = tg.Tensor(rng.standard_normal((2, 4, 9, 8)), requires_grad=True)
    w = tg.Tensor(rng.standard_normal((6, 2, 3, 3)))
    options = {"stride": 2, "padding": 1, "groups": 2}
    out = F.conv2d(x, w, **options)
    g = tg.Tensor(rng.standard_normal(out.shape))
    (grad_x,) = tg.grad(out, [x], g)
    # conv2d's output size drops a row and a column here (odd input, stride 2): output_padding brings them back.
    again = F.conv_transpose2d(g, w, output_padding=(0, 1), **options)
    np.testing.assert_allclose(again.numpy(), grad_x.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("options", [{}, {"stride": 3, "padding": 2, "output_padding": 2},
                                     {"groups": 2, "dilation": 2, "bias": True}],
                         ids=["plain", "stride_padding_output_padding", "groups_dilation_bias"])
def test_conv_transpose1d_matches_torch_with_double_backward(options, device):
    options = dict(options)
    bias = options.pop("bias", False)
    groups = options.get("groups", 1)
    shapes = [(2, 4, 5), (4, 3, 3)] + ([(3 * groups,)] if bias else [])
    check_against_torch(lambda *t: F.conv_transpose1d(*t, **options) ** 2,
                        lambda *t: TF.conv_transpose1d(*t, **options) ** 2, shapes, device=device, double=True)


def test_conv_transpose1d_accepts_an_unbatched_sequence_and_one_tuples(device):
    check_against_torch(lambda x, w: F.conv_transpose1d(x, w, stride=(2,), padding=(1,)),
                        lambda x, w: TF.conv_transpose1d(x, w, stride=(2,), padding=(1,)),
                        [(3, 6), (3, 2, 4)], device=device)


def test_conv_transpose2d_in_float32_stays_float32(device):
    x = tg.randn(2, 3, 4, 4, device=device)
    w = tg.randn(3, 5, 3, 3, device=device)
    assert F.conv_transpose2d(x, w, stride=2).dtype == tg.float32


# ---- nn.ConvTranspose2d / 1d -----------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda m: m.ConvTranspose2d(4, 6, (3, 2), stride=2, padding=1, output_padding=1, groups=2),
    lambda m: m.ConvTranspose2d(3, 2, 3, bias=False, dilation=2),
    lambda m: m.ConvTranspose1d(4, 2, 3, stride=2, output_padding=1, groups=2),
], ids=["2d_everything", "2d_no_bias", "1d"])
def test_conv_transpose_modules_load_a_torch_state_dict_and_compute_the_same(make, device):
    torch.manual_seed(0)
    theirs, ours = make(torch.nn).double(), make(nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()}, strict=True)
    ours.to(device)
    ours.double()
    x = np.random.default_rng(0).standard_normal((2, theirs.in_channels) + (4,) * (theirs.weight.ndim - 2))
    np.testing.assert_allclose(ours(tg.Tensor(x, device=device)).numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-10)


def test_conv_transpose2d_initialisation_follows_torchs_bounds():
    layer = nn.ConvTranspose2d(8, 4, 3, groups=2)
    fan_in = layer.weight.shape[1] * 9   # PyTorch takes fan_in from the weight's dim 1: out_channels/groups·kh·kw
    bound = 1 / np.sqrt(fan_in)
    assert layer.weight.shape == (8, 2, 3, 3)
    assert np.abs(layer.weight.numpy()).max() <= bound and np.abs(layer.bias.numpy()).max() <= bound
    assert np.abs(layer.weight.numpy()).max() > bound / 2   # spread over the range, not all zeros


def test_a_torch_state_dict_of_the_wrong_layout_is_refused_and_leaves_the_layer_unchanged():
    layer = nn.ConvTranspose2d(3, 4, 3)
    before = layer.weight.numpy().copy()
    conv = torch.nn.Conv2d(3, 4, 3)   # (out, in, ...): the other layout
    with pytest.raises((ValueError, RuntimeError), match="weight"):
        layer.load_state_dict({k: v.detach().numpy() for k, v in conv.state_dict().items()})
    np.testing.assert_array_equal(layer.weight.numpy(), before)


# ---- errors ------------------------------------------------------------------------------

def test_conv_transpose2d_output_padding_must_be_smaller_than_stride_or_dilation():
    with pytest.raises(ValueError, match=r"conv_transpose2d: output_padding must be at least 0 and smaller than either "
                                         r"stride or dilation, got output_padding \(2, 2\) with stride \(2, 2\) and "
                                         r"dilation \(1, 1\)"):
        F.conv_transpose2d(tg.randn(1, 2, 3, 3), tg.randn(2, 2, 3, 3), stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"conv_transpose1d: output_padding .* got output_padding \(1,\) with stride "
                                         r"\(1,\) and dilation \(1,\)"):
        F.conv_transpose1d(tg.randn(1, 2, 3), tg.randn(2, 2, 3), output_padding=1)
    with pytest.raises(RuntimeError):
        TF.conv_transpose2d(torch.randn(1, 2, 3, 3), torch.randn(2, 2, 3, 3), stride=2, output_padding=2)


def test_conv_transpose2d_channels_and_groups_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"conv_transpose2d: input \(1, 3, 4, 4\) has 3 channels, but weight "
                                         r"\(2, 2, 3, 3\) expects 2"):
        F.conv_transpose2d(tg.randn(1, 3, 4, 4), tg.randn(2, 2, 3, 3))
    with pytest.raises(ValueError, match=r"conv_transpose2d: groups=2 must divide the input channels \(3, weight "
                                         r"\(3, 2, 3, 3\)\)"):
        F.conv_transpose2d(tg.randn(1, 3, 4, 4), tg.randn(3, 2, 3, 3), groups=2)
    with pytest.raises(ValueError, match=r"conv_transpose2d: bias must have shape \(4,\) for weight \(2, 2, 3, 3\)"):
        F.conv_transpose2d(tg.randn(1, 2, 4, 4), tg.randn(2, 2, 3, 3), tg.randn(2), groups=2)
    with pytest.raises(ValueError, match=r"conv_transpose2d: weight must be 4-D \(in_channels, out_channels/groups, "
                                         r"kh, kw\), got shape \(2, 2, 3\)"):
        F.conv_transpose2d(tg.randn(1, 2, 4, 4), tg.randn(2, 2, 3))
    with pytest.raises(ValueError, match="ConvTranspose2d: groups=2 must divide in_channels=3 and out_channels=4"):
        nn.ConvTranspose2d(3, 4, 3, groups=2)


def test_conv_transpose2d_input_too_small_for_the_padding_is_an_error():
    with pytest.raises(ValueError, match=r"conv_transpose2d: the input \(1, 1\) is too small for padding \(2, 2\): "
                                         r"the output size \(-2, -2\) would be empty \(input \(1, 2, 1, 1\), weight "
                                         r"\(2, 2, 2, 2\)\)"):
        F.conv_transpose2d(tg.randn(1, 2, 1, 1), tg.randn(2, 2, 2, 2), padding=2)
    with pytest.raises(RuntimeError):
        TF.conv_transpose2d(torch.randn(1, 2, 1, 1), torch.randn(2, 2, 2, 2), padding=2)


def test_conv_transpose_rejects_bad_settings_and_dtypes():
    x, w = tg.randn(1, 2, 3, 3), tg.randn(2, 2, 3, 3)
    with pytest.raises(ValueError, match=r"conv_transpose2d: stride must be at least 1, got \(0, 0\)"):
        F.conv_transpose2d(x, w, stride=0)
    with pytest.raises(TypeError, match="conv_transpose2d: padding must be an int or a pair of ints, got 'same'"):
        F.conv_transpose2d(x, w, padding="same")
    with pytest.raises(TypeError, match="conv_transpose2d: input must be a floating-point tensor, got int64"):
        F.conv_transpose2d(tg.ones(1, 2, 3, 3, dtype=tg.int64), w)
    with pytest.raises(ValueError, match=r"conv_transpose1d: expected a 3-D input \(N, C, L\) or a 2-D one \(C, L\), "
                                         r"got shape \(1, 2, 3, 3\)"):
        F.conv_transpose1d(x, tg.randn(2, 2, 3))
    with pytest.raises(ValueError, match="ConvTranspose2d: padding must be an int or a tuple of ints, got 'same'"):
        nn.ConvTranspose2d(2, 2, 3, padding="same")
