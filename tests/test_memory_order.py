"""Convolution and pooling on inputs stored in any memory order.

conv2d leaves its output stored channel by channel, and pooling, padding and the gradients
keep that order so that no step has to reorder a whole activation (see "memory order" in
tinygrad_edu/ops/windows.py). These tests feed every op inputs stored plainly, channel by
channel, and with gaps, compare values and gradients with PyTorch, and check that the
gradients come back in the forward's order.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch.nn.functional as TF

import tinygrad_edu as tg
from tests.oracle import check_against_torch
from tinygrad_edu.ops.conv import conv2d
from tinygrad_edu.ops.pooling import avg_pool2d, max_pool2d
from tinygrad_edu.ops.windows import stored_channel_first

N, C, H, W = 2, 3, 6, 7

# How an (N, C, H, W) input is made from the array the test draws: the shape to draw, and the
# view to take of it. The same view is taken in both frameworks.
STORAGE = {
    "plain": ((N, C, H, W), lambda x: x),
    "channel_first": ((C, N, H, W), lambda x: x.permute(1, 0, 2, 3)),
    "every_other_row": ((N, C, 2 * H, W), lambda x: x[:, :, ::2]),
}

OPS = {
    "max_pool_2x2": (lambda x: max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2)),
    "max_pool_3x3_stride_2_padding_1": (lambda x: max_pool2d(x, 3, 2, 1), lambda x: TF.max_pool2d(x, 3, 2, 1)),
    "avg_pool_3x3_stride_2_padding_1": (lambda x: avg_pool2d(x, 3, 2, 1), lambda x: TF.avg_pool2d(x, 3, 2, 1)),
}


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("storage", list(STORAGE))
def test_pooling_matches_torch_for_every_memory_order(op, storage, device):
    shape, view = STORAGE[storage]
    ours, theirs = OPS[op]
    check_against_torch(lambda x: ours(view(x)) ** 2, lambda x: theirs(view(x)) ** 2, [shape],
                        device=device, double=True)


@pytest.mark.parametrize("storage", list(STORAGE))
def test_conv2d_matches_torch_for_every_memory_order(storage, device):
    shape, view = STORAGE[storage]
    check_against_torch(lambda x, w, b: conv2d(view(x), w, b, padding=1),
                        lambda x, w, b: TF.conv2d(view(x), w, b, padding=1),
                        [shape, (4, C, 3, 3), (4,)], device=device, double=True)


def test_the_convnet_chain_matches_torch_with_gradients_of_gradients(device):
    """conv, relu, max pool, conv, max pool, as in the 4-layer ConvNet: every array after the
    first conv is stored channel by channel, and every gradient comes back through them."""
    def ours(x, w1, w2):
        h = max_pool2d(conv2d(x, w1, padding=1).tanh(), 2)
        return max_pool2d(conv2d(h, w2, padding=1), 2) ** 2

    def theirs(x, w1, w2):
        h = TF.max_pool2d(TF.conv2d(x, w1, padding=1).tanh(), 2)
        return TF.max_pool2d(TF.conv2d(h, w2, padding=1), 2) ** 2

    check_against_torch(ours, theirs, [(2, 1, 8, 8), (3, 1, 3, 3), (4, 3, 3, 3)], device=device, double=True)


@pytest.mark.parametrize("pool", [lambda h: max_pool2d(h, 2), lambda h: max_pool2d(h, 3, 2, 1)],
                         ids=["2x2", "3x3_stride_2_padding_1"])
def test_a_pooling_gradient_is_stored_like_the_pooled_conv_output(pool, device):
    x = tg.tensor(np.random.default_rng(0).standard_normal((N, C, H, W)), device=device)
    w = tg.tensor(np.random.default_rng(1).standard_normal((4, C, 3, 3)), device=device, requires_grad=True)
    h = conv2d(x, w, padding=1)
    assert stored_channel_first(h.array)
    out = pool(h)
    plain_upstream = tg.ones(out.shape, device=device, dtype=out.dtype)
    (grad,) = tg.grad(out, [h], plain_upstream)
    assert stored_channel_first(grad.array), "the gradient should be stored channel by channel, as h is"


def test_a_pooling_gradient_of_a_plain_input_is_stored_plainly():
    x = tg.tensor(np.random.default_rng(0).standard_normal((N, C, H, W)), requires_grad=True)
    (grad,) = tg.grad(max_pool2d(x, 2), [x], tg.ones((N, C, H // 2, W // 2), dtype=x.dtype))
    assert grad.array.flags.c_contiguous
