"""The loop references of study/conv_reference.py against the fast path and against PyTorch:
conv2d's backward, and max pooling forward and backward (tests/test_conv.py checks conv2d's
forward and backward against the fast path).

The references are what chapter 9b and the exercises teach from, so they must be right on every
setting the fast path takes: odd sizes, stride, padding, dilation, groups, overlapping windows
and ties.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu.study.conv_reference import (conv2d_backward_reference, max_pool2d_backward_reference,
                                               max_pool2d_reference)


def torch_gradients(out: torch.Tensor, inputs: list[torch.Tensor], upstream: np.ndarray) -> list[np.ndarray]:
    return [g.numpy() for g in torch.autograd.grad(out, inputs, torch.tensor(upstream))]


# ---- conv2d backward ------------------------------------------------------------------------

@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 2), groups=st.integers(1, 3), channels_per_group=st.integers(1, 2),
       out_per_group=st.integers(1, 2), kh=st.integers(1, 3), kw=st.integers(1, 3), height=st.integers(1, 7),
       width=st.integers(1, 7), stride=st.tuples(st.integers(1, 2), st.integers(1, 2)),
       padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
       dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)), seed=st.integers(0, 2**16))
def test_conv2d_backward_reference_matches_torch_on_random_shapes(n, groups, channels_per_group, out_per_group, kh,
                                                                  kw, height, width, stride, padding, dilation, seed):
    span_h, span_w = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    height, width = max(height, span_h - 2 * padding[0]), max(width, span_w - 2 * padding[1])   # the kernel must fit
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.standard_normal((n, groups * channels_per_group, height, width)), requires_grad=True)
    w = torch.tensor(rng.standard_normal((groups * out_per_group, channels_per_group, kh, kw)), requires_grad=True)
    b = torch.tensor(rng.standard_normal(groups * out_per_group), requires_grad=True)
    out = TF.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    upstream = rng.standard_normal(tuple(out.shape))
    expected = torch_gradients(out, [x, w, b], upstream)
    ours = conv2d_backward_reference(x.detach().numpy(), w.detach().numpy(), upstream, stride, padding, dilation, groups)
    for name, got, want in zip(["input", "weight", "bias"], ours, expected):
        assert got.shape == want.shape, name
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10, err_msg=name)


def test_conv2d_backward_reference_on_a_4x4_input_and_a_2x2_kernel_is_the_worked_example():
    """Chapter 9b's example: with an upstream gradient of ones, each weight's gradient is the sum
    of the pixels it touched, and each pixel's is the sum of the weights that touched it."""
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    w = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)
    grad_input, grad_weight, grad_bias = conv2d_backward_reference(x, w, np.ones((1, 1, 3, 3)))
    # weight (0, 0) meets the top-left 3x3 block of x, weight (1, 1) the bottom-right one
    assert grad_weight[0, 0, 0, 0] == x[0, 0, :3, :3].sum()
    assert grad_weight[0, 0, 1, 1] == x[0, 0, 1:, 1:].sum()
    # a corner pixel is touched by one weight; a middle one by all four
    assert grad_input[0, 0, 0, 0] == 1.0 and grad_input[0, 0, 3, 3] == 4.0
    assert grad_input[0, 0, 1, 1] == w.sum()
    assert grad_bias.tolist() == [9.0]


# ---- max pooling -----------------------------------------------------------------------------

pool_settings = st.fixed_dictionaries({
    "kernel": st.tuples(st.integers(1, 3), st.integers(1, 3)),
    "stride": st.tuples(st.integers(1, 3), st.integers(1, 3)),
    "dilation": st.tuples(st.integers(1, 2), st.integers(1, 2)),
    "size": st.tuples(st.integers(1, 8), st.integers(1, 8)),
    "padding_fraction": st.tuples(st.integers(0, 1), st.integers(0, 1)),
    "channels": st.integers(1, 3),
    "ties": st.booleans(),      # small integers: many windows hold their maximum twice
    "seed": st.integers(0, 2**16),
})


def pool_case(case: dict) -> tuple[np.ndarray, dict]:
    """A random input and max_pool2d settings that PyTorch accepts (padding at most half the kernel).

    Each side is at least one dilated kernel long, so that every window holds a real element:
    PyTorch does not check that, and its backward corrupts memory on a window that is all
    padding (e.g. height 1, kernel 2, dilation 2, padding 1)."""
    kernel, stride, dilation = case["kernel"], case["stride"], case["dilation"]
    padding = tuple(f * (k // 2) for f, k in zip(case["padding_fraction"], kernel))
    size = tuple(max(s, d * (k - 1) + 1) for s, k, d in zip(case["size"], kernel, dilation))
    rng = np.random.default_rng(case["seed"])
    shape = (2, case["channels"]) + size
    x = rng.integers(-2, 2, shape).astype(np.float64) if case["ties"] else rng.standard_normal(shape)
    return x, {"kernel_size": kernel, "stride": stride, "padding": padding, "dilation": dilation}


@settings(max_examples=40, deadline=None)
@given(case=pool_settings)
def test_max_pool2d_references_match_torch_on_random_shapes_with_ties(case):
    x, options = pool_case(case)
    x_torch = torch.tensor(x, requires_grad=True)
    out = TF.max_pool2d(x_torch, **options)
    upstream = np.random.default_rng(case["seed"] + 1).standard_normal(tuple(out.shape))
    np.testing.assert_array_equal(max_pool2d_reference(x, **options), out.detach().numpy())
    [expected] = torch_gradients(out, [x_torch], upstream)
    np.testing.assert_allclose(max_pool2d_backward_reference(x, upstream, **options), expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(case=pool_settings)
def test_max_pool2d_references_match_the_fast_path_on_random_shapes_with_ties(case):
    x, options = pool_case(case)
    x_ours = tg.tensor(x, requires_grad=True)
    out = F.max_pool2d(x_ours, **options)
    upstream = np.random.default_rng(case["seed"] + 1).standard_normal(out.shape)
    np.testing.assert_array_equal(max_pool2d_reference(x, **options), out.numpy())
    [fast] = tg.grad(out, [x_ours], tg.tensor(upstream))
    np.testing.assert_allclose(max_pool2d_backward_reference(x, upstream, **options), fast.numpy(),
                               rtol=1e-12, atol=1e-12)


def test_max_pool2d_backward_reference_sends_a_tie_to_the_first_maximum():
    x = np.array([[5.0, 5.0], [1.0, 5.0]]).reshape(1, 1, 2, 2)
    grad_input = max_pool2d_backward_reference(x, np.array([[[[7.0]]]]), kernel_size=2)
    assert grad_input.reshape(2, 2).tolist() == [[7.0, 0.0], [0.0, 0.0]]


def test_max_pool2d_backward_reference_adds_up_where_overlapping_windows_share_a_winner():
    x = np.array([[0.0, 0.0, 0.0], [0.0, 9.0, 0.0], [0.0, 0.0, 0.0]]).reshape(1, 1, 3, 3)
    upstream = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)   # four 2x2 windows, stride 1, all won by the 9
    grad_input = max_pool2d_backward_reference(x, upstream, kernel_size=2, stride=1)
    assert grad_input[0, 0, 1, 1] == 10.0 and grad_input.sum() == 10.0


def test_max_pool2d_references_follow_torch_in_a_window_holding_nan():
    x = np.array([[np.nan, 1.0], [np.nan, 3.0]]).reshape(1, 1, 2, 2)
    x_torch = torch.tensor(x, requires_grad=True)
    out = TF.max_pool2d(x_torch, 2)
    [expected] = torch_gradients(out, [x_torch], np.ones((1, 1, 1, 1)))
    assert np.isnan(max_pool2d_reference(x, 2)).all()
    np.testing.assert_array_equal(max_pool2d_backward_reference(x, np.ones((1, 1, 1, 1)), 2), expected)


@pytest.mark.parametrize("padding", [0, 1])
def test_max_pool2d_backward_reference_loses_no_gradient(padding):
    """Every window hands its whole gradient to one input pixel (the padding never wins)."""
    x = np.random.default_rng(3).standard_normal((2, 3, 7, 5))
    out = max_pool2d_reference(x, 3, stride=2, padding=padding)
    upstream = np.random.default_rng(4).standard_normal(out.shape)
    assert max_pool2d_backward_reference(x, upstream, 3, stride=2, padding=padding).sum() == pytest.approx(upstream.sum())
