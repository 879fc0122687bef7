"""max_pool2d and avg_pool2d: PyTorch parity with odd sizes and overlapping windows, second
derivatives, and clear errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu.ops.conv import conv2d
from tinygrad_edu.ops.pooling import avg_pool2d, max_pool2d
from tinygrad_edu.ops.windows import make_windows
from tinygrad_edu.nn import functional as F

OPS_TESTED_HERE = ("max_pool2d", "avg_pool2d", "max_pool1d", "avg_pool1d", "adaptive_avg_pool2d",
                   "adaptive_avg_pool1d")

# (input shape, options): odd sizes; windows that overlap (stride < kernel), that leave gaps
# (stride > kernel), padding, and rectangular everything.
MAX_CONFIGS = {
    "2x2_default_stride": ((2, 3, 8, 8), {"kernel_size": 2}),
    "odd_size_floor": ((2, 3, 7, 9), {"kernel_size": 2}),
    "overlapping_3_stride_2": ((2, 2, 9, 7), {"kernel_size": 3, "stride": 2}),
    "overlapping_stride_1": ((1, 2, 5, 6), {"kernel_size": 3, "stride": 1}),
    "padding": ((2, 2, 7, 7), {"kernel_size": 3, "stride": 2, "padding": 1}),
    "rectangular": ((2, 3, 9, 10), {"kernel_size": (3, 2), "stride": (2, 3), "padding": (1, 0)}),
    "gaps_between_windows": ((1, 2, 11, 11), {"kernel_size": 2, "stride": 4}),
    "dilation": ((2, 2, 9, 9), {"kernel_size": 3, "stride": 2, "dilation": 2, "padding": 1}),
}
AVG_CONFIGS = {name: (shape, opts) for name, (shape, opts) in MAX_CONFIGS.items() if "dilation" not in opts}


@pytest.mark.parametrize("name", list(MAX_CONFIGS))
def test_max_pool2d_forward_and_gradient_match_torch(name, device):
    shape, options = MAX_CONFIGS[name]
    check_against_torch(lambda x: max_pool2d(x, **options), lambda x: TF.max_pool2d(x, **options), [shape],
                        device=device)


@pytest.mark.parametrize("name", list(AVG_CONFIGS))
def test_avg_pool2d_forward_and_gradient_match_torch(name, device):
    shape, options = AVG_CONFIGS[name]
    check_against_torch(lambda x: avg_pool2d(x, **options), lambda x: TF.avg_pool2d(x, **options), [shape],
                        device=device)


@pytest.mark.parametrize("name", ["overlapping_3_stride_2", "padding", "rectangular"])
def test_pooling_double_backward_matches_torch(name, device):
    shape, options = AVG_CONFIGS[name]
    # Squaring the pooled values makes the second derivatives non-zero.
    check_against_torch(lambda x: max_pool2d(x, **options) ** 2, lambda x: TF.max_pool2d(x, **options) ** 2,
                        [shape], device=device, double=True)
    check_against_torch(lambda x: avg_pool2d(x, **options) ** 2, lambda x: TF.avg_pool2d(x, **options) ** 2,
                        [shape], device=device, double=True)


def test_gradient_of_a_gradient_through_conv_and_max_pool_matches_torch(device):
    def ours(x, w):
        return max_pool2d(tg.nn.functional.conv2d(x, w, padding=1).tanh(), 3, 2, 1)

    def theirs(x, w):
        return TF.max_pool2d(TF.conv2d(x, w, padding=1).tanh(), 3, 2, 1)

    check_against_torch(ours, theirs, [(2, 2, 7, 7), (3, 2, 3, 3)], device=device, double=True)


def test_max_pool2d_after_conv2d_with_the_gradient_arriving_through_a_matmul_matches_torch(device):
    # conv2d's output is stored channel by channel, while the gradient from the flatten and
    # matmul arrives stored image by image: max pooling's backward meets both storage orders.
    def ours(x, w, b, v):
        return max_pool2d(conv2d(x, w, b, padding=1).relu(), 2).flatten(1) @ v

    def theirs(x, w, b, v):
        return TF.max_pool2d(TF.conv2d(x, w, b, padding=1).relu(), 2).flatten(1) @ v

    check_against_torch(ours, theirs, [(3, 2, 6, 6), (4, 2, 3, 3), (4,), (36, 5)], device=device, double=True)


def test_max_pool2d_sends_the_gradient_of_a_tie_to_the_first_maximum_like_torch(device):
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 1] = x[0, 0, 1, 2] = 5.0    # two equal maxima inside one overlapping window
    check_against_torch(lambda t: max_pool2d(t, 3, 1), lambda t: TF.max_pool2d(t, 3, 1), [x], device=device)
    check_against_torch(lambda t: max_pool2d(t, 2), lambda t: TF.max_pool2d(t, 2), [np.ones((1, 2, 4, 4))],
                        device=device)


def test_max_pool2d_sends_the_gradient_of_a_window_with_nans_to_its_last_nan_like_torch(device):
    x = np.array([[[[1.0, np.nan, 2.0, 0.0], [np.nan, 7.0, 3.0, 4.0]]]])   # two NaNs in the first window
    check_against_torch(lambda t: max_pool2d(t, 2), lambda t: TF.max_pool2d(t, 2), [x], device=device)
    check_against_torch(lambda t: max_pool2d(t, 3, 1, 1), lambda t: TF.max_pool2d(t, 3, 1, 1), [x], device=device)


def test_max_pool2d_padding_never_wins_even_for_negative_inputs(device):
    x = -np.arange(1, 26, dtype=np.float64).reshape(1, 1, 5, 5)
    out = max_pool2d(tg.Tensor(x, device=device), 3, 2, 1)
    assert (out.numpy() < 0).all()
    np.testing.assert_array_equal(out.numpy(), TF.max_pool2d(torch.tensor(x), 3, 2, 1).numpy())


def test_avg_pool2d_counts_padding_zeros_in_the_mean(device):
    out = avg_pool2d(tg.ones(1, 1, 2, 2, device=device), kernel_size=2, stride=2, padding=1)
    np.testing.assert_allclose(out.numpy(), np.full((1, 1, 2, 2), 0.25))


def test_pooling_stride_defaults_to_the_kernel_size():
    x = tg.randn(1, 1, 6, 6)
    assert max_pool2d(x, 3).shape == (1, 1, 2, 2)
    assert avg_pool2d(x, (2, 3)).shape == (1, 1, 3, 2)


def test_pooling_accepts_an_unbatched_image(device):
    check_against_torch(lambda x: max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2), [(3, 5, 5)], device=device)
    check_against_torch(lambda x: avg_pool2d(x, 3, 1, 1), lambda x: TF.avg_pool2d(x, 3, 1, 1), [(3, 5, 5)],
                        device=device)


def test_pooling_in_float32_stays_float32(device):
    x = tg.randn(2, 3, 8, 8, device=device)
    assert max_pool2d(x, 2).dtype == tg.float32
    assert avg_pool2d(x, 2).dtype == tg.float32


# ---- errors ------------------------------------------------------------------------------

@pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d], ids=["max", "avg"])
def test_pooling_padding_above_half_the_kernel_is_an_error(pool):
    name = pool.__name__
    with pytest.raises(ValueError, match=rf"{name}: padding \(2, 2\) must be at most half the kernel size \(3, 3\)"):
        pool(tg.randn(1, 1, 8, 8), 3, padding=2)


@pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d], ids=["max", "avg"])
def test_pooling_rejects_bad_shapes_and_settings(pool):
    name = pool.__name__
    with pytest.raises(ValueError, match=rf"{name}: expected a 4-D input .* got shape \(8, 8\)"):
        pool(tg.randn(8, 8), 2)
    with pytest.raises(ValueError, match=rf"{name}: the kernel \(5, 5\) .* is larger than the padded input \(4, 4\)"):
        pool(tg.randn(1, 1, 4, 4), 5)
    with pytest.raises(ValueError, match=rf"{name}: stride must be at least 1, got \(0, 0\)"):
        pool(tg.randn(1, 1, 4, 4), 2, stride=0)
    with pytest.raises(TypeError, match=rf"{name}: kernel_size must be an int or a pair of ints, got 2.0"):
        pool(tg.randn(1, 1, 4, 4), 2.0)
    with pytest.raises(TypeError, match=rf"{name}: input must be a floating-point tensor, got int64"):
        pool(tg.ones(1, 1, 4, 4, dtype=tg.int64), 2)


@pytest.mark.parametrize("size,kernel,stride,padding,dilation,tiles", [
    ((8, 8), 2, 2, 0, 1, True),
    ((6, 6), 2, 2, 1, 1, True),      # the padded 8×8 is tiled; the border is cropped afterwards
    ((7, 8), 2, 2, 0, 1, False),     # the last row is in no window
    ((9, 9), 3, 2, 0, 1, False),     # overlapping windows
    ((8, 8), 2, 3, 0, 1, False),     # gaps between windows
    ((9, 9), 2, 3, 0, 2, False),     # a dilated 2×2 kernel spans 3 but skips the middle pixel
])
def test_windows_tile_the_input_only_when_they_cover_every_pixel_once(size, kernel, stride, padding, dilation, tiles):
    geometry = make_windows("max_pool2d", (1, 1) + size, (kernel, kernel), stride, padding, dilation)
    assert geometry.tiling is tiles
    covered = np.zeros(geometry.padded_size, dtype=int)
    for _, i, j in geometry.offsets():
        geometry.at_offset(covered[None, None], i, j)[...] += 1
    assert bool((covered == 1).all()) is tiles


# ---- ceil_mode, count_include_pad, divisor_override, return_indices ------------------------

OPTION_CONFIGS = {
    "ceil_mode": ((2, 2, 7, 8), {"kernel_size": 3, "stride": 2, "ceil_mode": True}),
    "ceil_mode_padding": ((1, 2, 6, 7), {"kernel_size": (3, 2), "stride": (2, 3), "padding": 1, "ceil_mode": True}),
    "ceil_mode_last_window_dropped": ((1, 1, 5, 5), {"kernel_size": 2, "stride": 3, "padding": 1, "ceil_mode": True}),
}


@pytest.mark.parametrize("count_include_pad", [True, False], ids=["with_pad", "without_pad"])
@pytest.mark.parametrize("divisor_override", [None, 5], ids=["mean", "divisor_5"])
@pytest.mark.parametrize("name", list(OPTION_CONFIGS) + ["padding", "rectangular"])
def test_avg_pool2d_options_match_torch_with_double_backward(name, count_include_pad, divisor_override, device):
    shape, options = {**OPTION_CONFIGS, **AVG_CONFIGS}[name]
    options = dict(options, count_include_pad=count_include_pad, divisor_override=divisor_override)
    check_against_torch(lambda x: avg_pool2d(x, **options) ** 2, lambda x: TF.avg_pool2d(x, **options) ** 2,
                        [shape], device=device, double=True)


@pytest.mark.parametrize("name", list(OPTION_CONFIGS) + ["dilation"])
def test_max_pool2d_ceil_mode_and_indices_match_torch(name, device):
    shape, options = {**OPTION_CONFIGS, **MAX_CONFIGS}[name]
    options = dict(options, ceil_mode=True)
    check_against_torch(lambda x: max_pool2d(x, **options) ** 2, lambda x: TF.max_pool2d(x, **options) ** 2,
                        [shape], device=device, double=True)
    x = np.random.default_rng(0).standard_normal(shape)
    ours = max_pool2d(tg.Tensor(x, device=device), return_indices=True, **options)
    theirs = TF.max_pool2d(torch.tensor(x), return_indices=True, **options)
    np.testing.assert_array_equal(ours[0].numpy(), theirs[0].numpy())
    np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())
    assert ours[1].dtype == tg.int64 and not ours[1].requires_grad


def test_pooling_options_gradients_match_finite_differences():
    finite_difference_check(lambda x: avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False) ** 2,
                            [(1, 1, 6, 5)])
    finite_difference_check(lambda x: max_pool2d(x, 2, 2, 1, ceil_mode=True), [(1, 1, 5, 4)])


def test_avg_pool2d_divisor_override_must_be_a_non_zero_int():
    with pytest.raises(ValueError, match="avg_pool2d: divisor_override must be a non-zero int, got 0"):
        avg_pool2d(tg.randn(1, 1, 4, 4), 2, divisor_override=0)


# ---- 1-D pooling: the 2-D code on images of height 1 -----------------------------------------

@pytest.mark.parametrize("options", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1},
                                     {"kernel_size": (3,), "stride": (2,), "ceil_mode": True},
                                     {"kernel_size": 2, "stride": 1, "dilation": 2}],
                         ids=["default", "padding", "ceil_mode_tuples", "dilation"])
def test_max_pool1d_matches_torch(options, device):
    check_against_torch(lambda x: F.max_pool1d(x, **options) ** 2, lambda x: TF.max_pool1d(x, **options) ** 2,
                        [(2, 3, 9)], device=device, double=True)
    x = np.random.default_rng(1).standard_normal((3, 9))   # unbatched, with indices
    ours = F.max_pool1d(tg.Tensor(x, device=device), return_indices=True, **options)
    theirs = TF.max_pool1d(torch.tensor(x), return_indices=True, **options)
    np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())


@pytest.mark.parametrize("options", [{"kernel_size": 2}, {"kernel_size": 4, "stride": 3, "padding": 2,
                                                          "ceil_mode": True, "count_include_pad": False}],
                         ids=["default", "everything"])
def test_avg_pool1d_matches_torch(options, device):
    check_against_torch(lambda x: F.avg_pool1d(x, **options) ** 2, lambda x: TF.avg_pool1d(x, **options) ** 2,
                        [(2, 3, 10)], device=device, double=True)
    check_against_torch(lambda x: F.avg_pool1d(x, **options), lambda x: TF.avg_pool1d(x, **options), [(3, 10)],
                        device=device)


def test_1d_pooling_errors_show_the_settings_as_given():
    with pytest.raises(ValueError, match=r"max_pool1d: expected a 3-D input \(N, C, L\) or a 2-D one \(C, L\), got shape "
                                         r"\(1, 1, 4, 4\)"):
        F.max_pool1d(tg.randn(1, 1, 4, 4), 2)
    with pytest.raises(ValueError, match=r"avg_pool1d: padding \(2,\) must be at most half the kernel size \(3,\)"):
        F.avg_pool1d(tg.randn(1, 1, 8), 3, padding=2)
    with pytest.raises(ValueError, match=r"max_pool1d: the kernel \(5,\) .* larger than the padded input \(4,\)"):
        F.max_pool1d(tg.randn(1, 1, 4), 5)
    with pytest.raises(TypeError, match=r"max_pool1d: kernel_size must be an int or a tuple of one int, got \(2, 2\)"):
        F.max_pool1d(tg.randn(1, 1, 4), (2, 2))


# ---- adaptive average pooling ------------------------------------------------------------------

@pytest.mark.parametrize("shape, output_size", [((2, 3, 7, 9), (3, 4)), ((2, 3, 8, 6), (4, 3)),
                                                ((1, 2, 5, 7), 1), ((1, 2, 5, 7), (None, 3)),
                                                ((2, 5, 6), (7, 8)), ((1, 1, 3, 3), (5, 2))],
                         ids=["uneven", "tiling", "global", "keep_height", "unbatched", "larger_than_input"])
def test_adaptive_avg_pool2d_matches_torch(shape, output_size, device):
    check_against_torch(lambda x: F.adaptive_avg_pool2d(x, output_size) ** 2,
                        lambda x: TF.adaptive_avg_pool2d(x, output_size) ** 2, [shape], device=device, double=True)


@pytest.mark.parametrize("output_size", [4, 3, (5,), 11])
def test_adaptive_avg_pool1d_matches_torch(output_size, device):
    check_against_torch(lambda x: F.adaptive_avg_pool1d(x, output_size) ** 2,
                        lambda x: TF.adaptive_avg_pool1d(x, output_size) ** 2, [(2, 3, 9)], device=device, double=True)


def test_adaptive_avg_pool_gradients_match_finite_differences():
    finite_difference_check(lambda x: F.adaptive_avg_pool2d(x, (2, 3)) ** 2, [(1, 2, 5, 4)])


def test_adaptive_avg_pool_errors():
    with pytest.raises(ValueError, match=r"adaptive_avg_pool2d: output_size must be an int or a pair .* got \(1, 2, 3\)"):
        F.adaptive_avg_pool2d(tg.randn(1, 1, 4, 4), (1, 2, 3))
    with pytest.raises(ValueError, match=r"adaptive_avg_pool1d: expected a 3-D input .* got shape \(4,\)"):
        F.adaptive_avg_pool1d(tg.randn(4), 2)
    with pytest.raises(TypeError, match="adaptive_avg_pool2d: input must be a floating-point tensor, got int64"):
        F.adaptive_avg_pool2d(tg.ones(1, 1, 4, 4, dtype=tg.int64), 2)


# ---- the nn modules ----------------------------------------------------------------------------

@pytest.mark.parametrize("make, shape", [
    (lambda m: m.MaxPool2d(3, 2, 1, ceil_mode=True), (2, 3, 8, 7)),
    (lambda m: m.MaxPool2d(2, dilation=2), (2, 3, 8, 7)),
    (lambda m: m.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), (2, 3, 8, 7)),
    (lambda m: m.AvgPool2d(2, divisor_override=3), (2, 3, 8, 7)),
    (lambda m: m.MaxPool1d(3, 2, 1), (2, 3, 9)),
    (lambda m: m.AvgPool1d(3, ceil_mode=True), (2, 3, 10)),
    (lambda m: m.AdaptiveAvgPool2d((3, None)), (2, 3, 8, 7)),
    (lambda m: m.AdaptiveAvgPool1d(4), (2, 3, 9)),
], ids=["max2d", "max2d_dilation", "avg2d", "avg2d_divisor", "max1d", "avg1d", "adaptive2d", "adaptive1d"])
def test_pooling_modules_print_and_compute_like_torch(make, shape, device):
    ours, theirs = make(tg.nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    x = np.random.default_rng(0).standard_normal(shape)
    np.testing.assert_allclose(ours(tg.Tensor(x, device=device)).numpy(), theirs(torch.tensor(x)).numpy(),
                               rtol=1e-12, atol=1e-12)


def test_max_pool_module_returns_indices_when_asked():
    out, indices = tg.nn.MaxPool2d(2, return_indices=True)(tg.randn(1, 1, 4, 4))
    assert out.shape == indices.shape == (1, 1, 2, 2) and indices.dtype == tg.int64
