"""conv2d: PyTorch parity (forward, input/weight/bias gradients, second derivatives), the loop
reference, and clear errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu.ops.conv import conv2d
from tinygrad_edu.study.conv_reference import conv2d_backward_reference, conv2d_reference

OPS_TESTED_HERE = ("conv2d", "conv1d")

# (input shape, weight shape, options): odd sizes, every setting alone and mixed together.
CONFIGS = {
    "plain": ((2, 3, 7, 7), (4, 3, 3, 3), {}),
    "stride_2": ((2, 3, 9, 8), (4, 3, 3, 3), {"stride": 2}),
    "padding_1": ((1, 2, 5, 6), (3, 2, 3, 3), {"padding": 1}),
    "stride_and_padding_pairs": ((2, 3, 9, 7), (5, 3, 3, 2), {"stride": (2, 1), "padding": (1, 2)}),
    "dilation_2": ((2, 2, 9, 9), (3, 2, 3, 3), {"dilation": 2}),
    "groups_2": ((2, 4, 6, 5), (6, 2, 3, 3), {"groups": 2}),
    "depthwise": ((2, 3, 6, 7), (3, 1, 3, 3), {"groups": 3, "padding": 1}),
    "everything": ((3, 4, 11, 10), (6, 2, 3, 2),
                   {"stride": (2, 3), "padding": (2, 1), "dilation": (2, 1), "groups": 2}),
    "one_by_one_kernel": ((2, 5, 4, 3), (2, 5, 1, 1), {}),
    "kernel_as_big_as_input": ((2, 2, 3, 4), (3, 2, 3, 4), {}),
    "stride_larger_than_kernel": ((1, 2, 10, 10), (2, 2, 2, 2), {"stride": 3, "padding": 1}),
}


@pytest.mark.parametrize("with_bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_conv2d_forward_and_gradients_match_torch(name, with_bias, device):
    x_shape, w_shape, options = CONFIGS[name]
    shapes = [x_shape, w_shape] + ([(w_shape[0],)] if with_bias else [])
    check_against_torch(lambda *t: conv2d(*t, **options), lambda *t: TF.conv2d(*t, **options), shapes, device=device)


@pytest.mark.parametrize("name", ["plain", "stride_and_padding_pairs", "everything"])
def test_conv2d_double_backward_matches_torch(name, device):
    x_shape, w_shape, options = CONFIGS[name]
    # Squaring makes the second derivatives non-zero: d²/dx dw of Σ conv(x, w)² couples x and w.
    check_against_torch(lambda x, w, b: conv2d(x, w, b, **options) ** 2,
                        lambda x, w, b: TF.conv2d(x, w, b, **options) ** 2,
                        [x_shape, w_shape, (w_shape[0],)], device=device, double=True)


def test_conv2d_gradient_of_gradient_through_two_convolutions_matches_torch(device):
    def ours(x, w1, w2):
        return conv2d(conv2d(x, w1, padding=1).tanh(), w2, stride=2)

    def theirs(x, w1, w2):
        return TF.conv2d(TF.conv2d(x, w1, padding=1).tanh(), w2, stride=2)

    check_against_torch(ours, theirs, [(2, 2, 6, 6), (3, 2, 3, 3), (2, 3, 2, 2)], device=device, double=True)


def test_conv2d_weight_and_bias_gradients_when_input_needs_none_match_torch(device):
    check_against_torch(lambda x, w, b: conv2d(x, w, b, padding=1), lambda x, w, b: TF.conv2d(x, w, b, padding=1),
                        [(2, 3, 5, 5), (4, 3, 3, 3), (4,)], device=device, grad_inputs=[1, 2])


@pytest.mark.parametrize("grad_inputs", [[2], [0, 2]], ids=["bias_only", "input_and_bias"])
def test_conv2d_bias_gradient_when_the_weight_needs_none_matches_torch(grad_inputs, device):
    check_against_torch(lambda x, w, b: conv2d(x, w, b, groups=2), lambda x, w, b: TF.conv2d(x, w, b, groups=2),
                        [(2, 4, 5, 5), (6, 2, 3, 3), (6,)], device=device, grad_inputs=grad_inputs)


def test_conv2d_bias_second_derivative_through_a_nonlinearity_matches_torch(device):
    # tanh couples the bias with the input and the weight, so d²/db dx and d²/db dw are non-zero.
    check_against_torch(lambda x, w, b: conv2d(x, w, b, padding=1).tanh(),
                        lambda x, w, b: TF.conv2d(x, w, b, padding=1).tanh(),
                        [(2, 3, 5, 5), (4, 3, 3, 3), (4,)], device=device, double=True)


@pytest.mark.filterwarnings("ignore:Using padding='same'")   # torch's note about its own extra copy
@pytest.mark.parametrize("padding,kernel,dilation", [("same", (3, 3), 1), ("same", (2, 4), 1), ("same", (3, 2), 2),
                                                     ("valid", (3, 3), 1)])
def test_conv2d_with_string_padding_matches_torch(padding, kernel, dilation, device):
    check_against_torch(lambda x, w: conv2d(x, w, padding=padding, dilation=dilation),
                        lambda x, w: TF.conv2d(x, w, padding=padding, dilation=dilation),
                        [(2, 2, 7, 6), (3, 2) + kernel], device=device)


def test_conv2d_accepts_an_unbatched_image_like_torch(device):
    check_against_torch(lambda x, w: conv2d(x, w, stride=2), lambda x, w: TF.conv2d(x, w, stride=2),
                        [(3, 7, 7), (2, 3, 3, 3)], device=device)


def test_conv2d_in_float32_stays_float32_and_matches_torch(device):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 8, 12, 12)).astype(np.float32)
    w = rng.standard_normal((16, 8, 3, 3)).astype(np.float32)
    b = rng.standard_normal(16).astype(np.float32)
    out = conv2d(tg.Tensor(x, device=device), tg.Tensor(w, device=device), tg.Tensor(b, device=device), padding=1)
    expected = TF.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), padding=1).numpy()
    assert out.dtype == tg.float32
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-4)


def test_conv2d_gradients_accumulate_over_two_backward_calls():
    x = tg.randn(2, 2, 5, 5, requires_grad=True)
    w = tg.randn(3, 2, 3, 3, requires_grad=True)
    conv2d(x, w).sum().backward()
    first = w.grad.numpy().copy()
    conv2d(x, w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * first, rtol=1e-5)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 2), groups=st.integers(1, 2), channels_per_group=st.integers(1, 3),
       out_per_group=st.integers(1, 2), kh=st.integers(1, 3), kw=st.integers(1, 3), height=st.integers(1, 7),
       width=st.integers(1, 7), stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
       dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
       with_bias=st.booleans(), seed=st.integers(0, 2**16))
def test_conv2d_equals_the_plain_loop_reference_on_random_shapes(n, groups, channels_per_group, out_per_group, kh, kw,
                                                                height, width, stride, padding, dilation,
                                                                with_bias, seed):
    span_h, span_w = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    height, width = max(height, span_h - 2 * padding[0]), max(width, span_w - 2 * padding[1])   # the kernel must fit
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, groups * channels_per_group, height, width))
    w = rng.standard_normal((groups * out_per_group, channels_per_group, kh, kw))
    b = rng.standard_normal(groups * out_per_group) if with_bias else None
    fast = conv2d(tg.Tensor(x), tg.Tensor(w), None if b is None else tg.Tensor(b), stride, padding, dilation, groups)
    slow = conv2d_reference(x, w, b, stride, padding, dilation, groups)
    np.testing.assert_allclose(fast.numpy(), slow, rtol=1e-10, atol=1e-10)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 2), groups=st.integers(1, 2), channels_per_group=st.integers(1, 2),
       out_per_group=st.integers(1, 2), kh=st.integers(1, 3), kw=st.integers(1, 3), height=st.integers(1, 6),
       width=st.integers(1, 6), stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
       dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)), seed=st.integers(0, 2**16))
def test_conv2d_gradients_equal_the_plain_loop_reference_on_random_shapes(n, groups, channels_per_group, out_per_group,
                                                                         kh, kw, height, width, stride, padding,
                                                                         dilation, seed):
    span_h, span_w = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    height, width = max(height, span_h - 2 * padding[0]), max(width, span_w - 2 * padding[1])   # the kernel must fit
    rng = np.random.default_rng(seed)
    x = tg.Tensor(rng.standard_normal((n, groups * channels_per_group, height, width)), requires_grad=True)
    w = tg.Tensor(rng.standard_normal((groups * out_per_group, channels_per_group, kh, kw)), requires_grad=True)
    b = tg.Tensor(rng.standard_normal(groups * out_per_group), requires_grad=True)
    out = conv2d(x, w, b, stride, padding, dilation, groups)
    upstream = rng.standard_normal(out.shape)
    fast = tg.grad(out, [x, w, b], tg.Tensor(upstream))
    slow = conv2d_backward_reference(x, w, upstream, stride, padding, dilation, groups)
    for name, ours, expected in zip(["input", "weight", "bias"], fast, slow):
        np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-10, atol=1e-10, err_msg=name)


def test_conv2d_reference_matches_torch():
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((2, 4, 7, 6)), rng.standard_normal((6, 2, 3, 2)), rng.standard_normal(6)
    options = {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2), "groups": 2}
    expected = TF.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), **options).numpy()
    np.testing.assert_allclose(conv2d_reference(x, w, b, **options), expected, rtol=1e-10, atol=1e-10)


def test_conv2d_backward_reference_matches_torch():
    rng = np.random.default_rng(2)
    x, w, b = (torch.tensor(rng.standard_normal(shape), requires_grad=True)
               for shape in [(2, 4, 7, 6), (6, 2, 3, 2), (6,)])
    options = {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2), "groups": 2}
    out = TF.conv2d(x, w, b, **options)
    upstream = torch.tensor(rng.standard_normal(out.shape))
    expected = torch.autograd.grad(out, [x, w, b], upstream)
    ours = conv2d_backward_reference(x.detach().numpy(), w.detach().numpy(), upstream.numpy(), **options)
    for name, got, want in zip(["input", "weight", "bias"], ours, expected):
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-10, atol=1e-10, err_msg=name)


# ---- errors ------------------------------------------------------------------------------

def test_conv2d_rejects_an_input_of_the_wrong_rank():
    with pytest.raises(ValueError, match=r"conv2d: expected a 4-D input .* got shape \(3, 8\)"):
        conv2d(tg.randn(3, 8), tg.randn(2, 3, 3, 3))


def test_conv2d_rejects_a_weight_of_the_wrong_rank():
    with pytest.raises(ValueError, match=r"conv2d: weight must be 4-D .* got shape \(2, 3, 3\)"):
        conv2d(tg.randn(1, 3, 8, 8), tg.randn(2, 3, 3))


def test_conv2d_channel_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"conv2d: input \(1, 3, 8, 8\) has 3 channels, but weight "
                                         r"\(2, 4, 3, 3\) with groups=1 expects 4"):
        conv2d(tg.randn(1, 3, 8, 8), tg.randn(2, 4, 3, 3))


def test_conv2d_groups_must_divide_the_channels():
    with pytest.raises(ValueError, match=r"conv2d: groups=2 must divide both the input channels \(3"):
        conv2d(tg.randn(1, 3, 8, 8), tg.randn(4, 1, 3, 3), groups=2)
    with pytest.raises(ValueError, match=r"conv2d: groups=2 must divide .* output channels \(3"):
        conv2d(tg.randn(1, 4, 8, 8), tg.randn(3, 2, 3, 3), groups=2)
    with pytest.raises(ValueError, match="conv2d: groups must be a positive int, got 0"):
        conv2d(tg.randn(1, 4, 8, 8), tg.randn(3, 2, 3, 3), groups=0)


def test_conv2d_kernel_larger_than_the_padded_input_is_an_error():
    with pytest.raises(ValueError, match=r"conv2d: the kernel \(5, 5\) .* is larger than the padded input \(4, 4\)"):
        conv2d(tg.randn(1, 1, 4, 4), tg.randn(1, 1, 5, 5))
    with pytest.raises(ValueError, match=r"reaching \(5, 5\) with dilation \(2, 2\)"):
        conv2d(tg.randn(1, 1, 4, 4), tg.randn(1, 1, 3, 3), dilation=2)


@pytest.mark.parametrize("stride,error,message", [(0, ValueError, r"stride must be at least 1, got \(0, 0\)"),
                                                  ((1, -2), ValueError, r"stride must be at least 1, got \(1, -2\)"),
                                                  (1.5, TypeError, "stride must be an int or a pair of ints, got 1.5"),
                                                  ((1, 2, 3), TypeError, "stride must be an int or a pair")])
def test_conv2d_rejects_a_bad_stride(stride, error, message):
    with pytest.raises(error, match="conv2d: " + message):
        conv2d(tg.randn(1, 1, 6, 6), tg.randn(1, 1, 3, 3), stride=stride)


def test_conv2d_rejects_negative_padding_and_zero_dilation():
    with pytest.raises(ValueError, match=r"conv2d: padding must not be negative, got \(-1, -1\)"):
        conv2d(tg.randn(1, 1, 6, 6), tg.randn(1, 1, 3, 3), padding=-1)
    with pytest.raises(ValueError, match=r"conv2d: dilation must be at least 1, got \(0, 1\)"):
        conv2d(tg.randn(1, 1, 6, 6), tg.randn(1, 1, 3, 3), dilation=(0, 1))
    with pytest.raises(ValueError, match="conv2d: padding must be an int, a pair, 'valid' or 'same', got 'full'"):
        conv2d(tg.randn(1, 1, 6, 6), tg.randn(1, 1, 3, 3), padding="full")
    with pytest.raises(ValueError, match=r"conv2d: padding='same' needs stride 1, got stride \(2, 2\)"):
        conv2d(tg.randn(1, 1, 6, 6), tg.randn(1, 1, 3, 3), padding="same", stride=2)


def test_conv2d_rejects_a_bias_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"conv2d: bias must have shape \(2,\) for weight \(2, 1, 3, 3\), got \(3,\)"):
        conv2d(tg.randn(1, 1, 6, 6), tg.randn(2, 1, 3, 3), tg.randn(3))


def test_conv2d_rejects_integer_and_mixed_dtypes():
    with pytest.raises(TypeError, match="conv2d: input must be a floating-point tensor, got int64"):
        conv2d(tg.ones(1, 1, 4, 4, dtype=tg.int64), tg.randn(1, 1, 3, 3))
    with pytest.raises(TypeError, match="conv2d: all tensors must have one dtype, got input float32, weight float64"):
        conv2d(tg.randn(1, 1, 4, 4), tg.randn(1, 1, 3, 3, dtype=tg.float64))
    with pytest.raises(TypeError, match="conv2d: weight must be a Tensor, got ndarray"):
        conv2d(tg.randn(1, 1, 4, 4), np.ones((1, 1, 3, 3), dtype=np.float32))


def test_conv2d_with_tensors_on_two_devices_names_both():
    with pytest.raises(RuntimeError, match=r"conv2d: expected all tensors on one device.*cpu.*strict"):
        conv2d(tg.randn(1, 1, 4, 4), tg.randn(1, 1, 3, 3, device="strict"))


# ---- conv1d and nn.Conv1d: conv2d on images of height 1 --------------------------------------

CONFIGS_1D = {
    "plain": ((2, 3, 9), (4, 3, 3), {}),
    "everything": ((2, 4, 11), (6, 2, 3), {"stride": 2, "padding": 2, "dilation": 2, "groups": 2}),
    "one_tuples": ((1, 2, 7), (3, 2, 2), {"stride": (3,), "padding": (1,), "dilation": (1,)}),
    "same": ((2, 2, 8), (3, 2, 4), {"padding": "same", "dilation": 1}),
    "same_dilated": ((2, 2, 8), (3, 2, 3), {"padding": "same", "dilation": 2}),
    "valid": ((2, 2, 8), (3, 2, 4), {"padding": "valid"}),
    "depthwise": ((2, 3, 6), (3, 1, 3), {"groups": 3, "padding": 1}),
}


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("with_bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("name", list(CONFIGS_1D))
def test_conv1d_forward_and_gradients_match_torch(name, with_bias, device):
    x_shape, w_shape, options = CONFIGS_1D[name]
    shapes = [x_shape, w_shape] + ([(w_shape[0],)] if with_bias else [])
    check_against_torch(lambda *t: tg.nn.functional.conv1d(*t, **options), lambda *t: TF.conv1d(*t, **options),
                        shapes, device=device)


@pytest.mark.parametrize("name", ["plain", "everything"])
def test_conv1d_double_backward_matches_torch(name, device):
    x_shape, w_shape, options = CONFIGS_1D[name]
    check_against_torch(lambda x, w, b: tg.nn.functional.conv1d(x, w, b, **options) ** 2,
                        lambda x, w, b: TF.conv1d(x, w, b, **options) ** 2,
                        [x_shape, w_shape, (w_shape[0],)], device=device, double=True)


def test_conv1d_gradients_match_finite_differences():
    finite_difference_check(lambda x, w, b: tg.nn.functional.conv1d(x, w, b, stride=2, padding=1, groups=2) ** 2,
                            [(1, 4, 7), (2, 2, 3), (2,)])


def test_conv1d_accepts_an_unbatched_sequence(device):
    check_against_torch(lambda x, w: tg.nn.functional.conv1d(x, w, stride=2), lambda x, w: TF.conv1d(x, w, stride=2),
                        [(3, 9), (2, 3, 3)], device=device)


@pytest.mark.parametrize("make", [lambda m: m.Conv1d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2),
                                  lambda m: m.Conv1d(3, 2, 5, padding="same", bias=False)],
                         ids=["everything", "same_no_bias"])
def test_nn_conv1d_loads_a_torch_state_dict_and_computes_the_same(make, device):
    torch.manual_seed(0)
    theirs, ours = make(torch.nn).double(), make(tg.nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()}, strict=True)
    ours.double().to(device)
    x = np.random.default_rng(0).standard_normal((2, theirs.in_channels, 9))
    np.testing.assert_allclose(ours(tg.Tensor(x, device=device)).numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-10)


def test_nn_conv1d_initialisation_follows_torchs_bounds():
    layer = tg.nn.Conv1d(6, 4, 3, groups=2)
    bound = 1 / np.sqrt(3 * 3)   # fan_in = in_channels/groups · k
    assert layer.weight.shape == (4, 3, 3) and layer.bias.shape == (4,)
    assert np.abs(layer.weight.numpy()).max() <= bound and np.abs(layer.bias.numpy()).max() <= bound


def test_conv1d_errors_name_the_op_and_the_shapes_as_given():
    F = tg.nn.functional
    with pytest.raises(ValueError, match=r"conv1d: expected a 3-D input \(N, C, L\) or a 2-D one \(C, L\), got shape "
                                         r"\(1, 1, 4, 4\)"):
        F.conv1d(tg.randn(1, 1, 4, 4), tg.randn(1, 1, 3))
    with pytest.raises(ValueError, match=r"conv1d: weight must be 3-D \(out_channels, in_channels/groups, k\), got shape "
                                         r"\(1, 1, 3, 3\)"):
        F.conv1d(tg.randn(1, 1, 4), tg.randn(1, 1, 3, 3))
    with pytest.raises(ValueError, match=r"conv1d: groups=2 must divide both the input channels \(3, input \(1, 3, 8\)"):
        F.conv1d(tg.randn(1, 3, 8), tg.randn(4, 1, 3), groups=2)
    with pytest.raises(ValueError, match=r"conv1d: the kernel \(5,\) \(reaching \(5,\) with dilation \(1,\)\) is larger "
                                         r"than the padded input \(4,\) \(input \(1, 1, 4\), padding \(0,\)\)"):
        F.conv1d(tg.randn(1, 1, 4), tg.randn(1, 1, 5))
    with pytest.raises(ValueError, match=r"conv1d: stride must be at least 1, got \(0,\)"):
        F.conv1d(tg.randn(1, 1, 4), tg.randn(1, 1, 3), stride=0)
    with pytest.raises(TypeError, match=r"conv1d: stride must be an int or a tuple of one int, got \(1, 1\)"):
        F.conv1d(tg.randn(1, 1, 4), tg.randn(1, 1, 3), stride=(1, 1))
    with pytest.raises(ValueError, match=r"conv1d: padding='same' needs stride 1, got stride \(2,\)"):
        F.conv1d(tg.randn(1, 1, 4), tg.randn(1, 1, 3), stride=2, padding="same")
    with pytest.raises(ValueError, match="Conv1d: groups=2 must divide in_channels=3 and out_channels=4"):
        tg.nn.Conv1d(3, 4, 3, groups=2)
