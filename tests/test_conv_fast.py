"""The stride-1 input gradient by shifted rows (ops/conv_shifted.py): the same numbers as the
col2im path it replaces, the same as PyTorch's, and really taken where it says it is."""
from __future__ import annotations

import numpy as np
import pytest
import torch.nn.functional as TF

import tinygrad_edu as tg
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu.ops import conv_shifted
from tinygrad_edu.ops.conv import ConvInputGrad, conv2d
from tinygrad_edu.ops.windows import channels_first, col2im, make_windows

# (input shape, weight shape, padding): odd sizes, batch 1, one channel, kernels other than 3×3,
# padding 0 to past the kernel's reach, and pairs.
SHAPES = {
    "w4_like_small": ((2, 3, 8, 8), (4, 3, 3, 3), 1),
    "odd_sizes": ((3, 2, 7, 5), (5, 2, 3, 3), 1),
    "batch_1_channel_1": ((1, 1, 6, 9), (1, 1, 3, 3), 1),
    "no_padding": ((2, 3, 6, 5), (4, 3, 3, 3), 0),
    "padding_2": ((2, 2, 5, 6), (3, 2, 3, 3), 2),
    "padding_3_past_the_kernel": ((1, 2, 4, 3), (2, 2, 3, 3), 3),
    "one_pixel": ((2, 2, 1, 1), (3, 2, 3, 3), 1),
    "kernel_5x2_padding_pair": ((2, 3, 7, 6), (4, 3, 5, 2), (2, 1)),
    "kernel_1x1": ((2, 4, 3, 5), (3, 4, 1, 1), 0),
}


def col2im_input_grad(g: np.ndarray, w: np.ndarray, geometry, in_shape: tuple) -> np.ndarray:
    """The reference: columns Wᵀ·g added back with col2im, as ConvInputGrad does elsewhere."""
    out_channels = w.shape[0]
    cols = np.matmul(w.reshape(1, out_channels, -1).transpose(0, 2, 1), channels_first(np, g, 1))
    cols = cols.reshape((in_shape[1],) + geometry.kernel + (in_shape[0],) + geometry.out_size)
    return col2im(np, cols, geometry, in_shape)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(SHAPES))
def test_shifted_input_grad_matches_the_col2im_reference(name, dtype):
    x_shape, w_shape, padding = SHAPES[name]
    geometry = make_windows("conv2d", x_shape, w_shape[2:], 1, padding, 1)
    assert conv_shifted.covers(geometry, groups=1)
    rng = np.random.default_rng(0)
    w = rng.standard_normal(w_shape).astype(dtype)
    g = rng.standard_normal((x_shape[0], w_shape[0]) + geometry.out_size).astype(dtype)
    ours = conv_shifted.input_grad_shifted(np, g, w, geometry, x_shape)
    reference = col2im_input_grad(g, w, geometry, x_shape)
    assert ours.shape == x_shape and ours.dtype == dtype
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ours, reference, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("with_bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("name", list(SHAPES))
def test_conv2d_with_the_shifted_input_grad_matches_torch(name, with_bias, device):
    x_shape, w_shape, padding = SHAPES[name]
    shapes = [x_shape, w_shape] + ([(w_shape[0],)] if with_bias else [])
    check_against_torch(lambda *t: conv2d(*t, padding=padding), lambda *t: TF.conv2d(*t, padding=padding),
                        shapes, device=device)


@pytest.mark.parametrize("name", ["odd_sizes", "padding_2", "kernel_5x2_padding_pair"])
def test_conv2d_second_derivatives_through_the_shifted_input_grad_match_torch(name, device):
    x_shape, w_shape, padding = SHAPES[name]
    check_against_torch(lambda x, w, b: conv2d(x, w, b, padding=padding) ** 2,
                        lambda x, w, b: TF.conv2d(x, w, b, padding=padding) ** 2,
                        [x_shape, w_shape, (w_shape[0],)], device=device, double=True)


@pytest.mark.parametrize("name", ["odd_sizes", "batch_1_channel_1", "padding_3_past_the_kernel"])
def test_conv2d_gradients_through_the_shifted_input_grad_match_finite_differences(name):
    x_shape, w_shape, padding = SHAPES[name]
    finite_difference_check(lambda x, w, b: conv2d(x, w, b, padding=padding).tanh(),
                            [x_shape, w_shape, (w_shape[0],)])


def test_conv_transpose2d_with_stride_1_takes_the_shifted_path_and_matches_torch(device):
    check_against_torch(lambda x, w: tg.nn.functional.conv_transpose2d(x, w, padding=1),
                        lambda x, w: TF.conv_transpose2d(x, w, padding=1), [(2, 3, 5, 4), (3, 2, 3, 3)],
                        device=device, double=True)


@pytest.fixture
def shifted_calls(monkeypatch):
    """How many times the shifted-rows input gradient ran."""
    calls = []
    real = conv_shifted.input_grad_shifted

    def counting(*args, **kwargs):
        calls.append(args[3])     # the geometry
        return real(*args, **kwargs)

    monkeypatch.setattr(conv_shifted, "input_grad_shifted", counting)
    return calls


@pytest.mark.parametrize("x_shape, w_shape, padding", [((2, 16, 12, 12), (8, 16, 3, 3), 1),   # W4's kind
                                                       ((4, 8, 14, 14), (16, 8, 3, 3), 1),    # W1's second conv
                                                       ((1, 1, 5, 5), (1, 1, 3, 3), 0)])
def test_the_shifted_path_is_taken_for_stride_1(shifted_calls, x_shape, w_shape, padding):
    x = tg.randn(*x_shape, requires_grad=True)
    w = tg.randn(*w_shape, requires_grad=True)
    conv2d(x, w, padding=padding).sum().backward()
    assert len(shifted_calls) == 1 and shifted_calls[0].stride == (1, 1)


@pytest.mark.parametrize("options", [{"stride": 2}, {"dilation": 2}, {"groups": 2}], ids=["stride", "dilation",
                                                                                          "groups"])
def test_other_convolutions_keep_the_col2im_path(shifted_calls, options):
    x = tg.randn(2, 4, 9, 9, requires_grad=True)
    w = tg.randn(4, 4 // options.get("groups", 1), 3, 3, requires_grad=True)
    conv2d(x, w, padding=1, **options).sum().backward()
    assert shifted_calls == []
    assert x.grad is not None


def test_input_grad_op_on_its_own_uses_the_shifted_path_for_stride_1(shifted_calls):
    geometry = make_windows("conv2d", (2, 3, 6, 6), (3, 3), 1, 1, 1)
    g, w = tg.randn(2, 4, 6, 6), tg.randn(4, 3, 3, 3)
    ConvInputGrad.apply(g, w, geometry=geometry, groups=1, in_shape=(2, 3, 6, 6))
    assert len(shifted_calls) == 1
