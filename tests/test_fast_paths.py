"""Every fast path gives what its plain reference gives.

The elementwise ones come first: AddScalar and MulScalar (a Python number taken as an option
instead of a 0-d tensor), and the one-op backwards of sigmoid, tanh and ReLU (instead of the
three recorded ops of the formula). They must match the plain form in values, in gradients
and in gradients of gradients.

Some code in ops/windows.py and ops/pooling.py is shaped for speed: copies made per kernel
offset instead of per window, arrays kept in conv2d's memory order, a gradient array left
unzeroed where the loop writes it all, a max-pool winner counted in place. Right before each
sits a plain version that computes the same thing the obvious way. These tests run both on
many shapes, strides, paddings, dilations and memory orders (and, for max pooling, on ties
and NaNs), and demand the same result.
"""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import backend
from tinygrad_edu.ops.activations import LogSoftmaxGrad, ReLUGrad, SigmoidGrad, TanhGrad
from tinygrad_edu.ops.elementwise import Add, AddScalar, Mul, MulScalar
from tinygrad_edu.ops.pooling import MaxPool2d, PlaceInWindows, max_pool_reference, place_in_windows_reference
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops.windows import (channels_first, channels_first_reference, check_windows, col2im, col2im_reference,
                                      contiguous_like_layout, full_like_layout, im2col, im2col_reference,
                                      make_windows, pad_spatial, pad_spatial_reference, stored_channel_first)
from tinygrad_edu.study.conv_reference import conv2d_reference

# (input shape (N, C, H, W), kernel, stride, padding, dilation); every one valid for pooling too.
GEOMETRIES = {
    "3x3": ((2, 3, 7, 7), 3, 1, 0, 1),
    "2x2_stride_2_tiles": ((2, 4, 8, 8), 2, 2, 0, 1),
    "2x2_stride_2_padding_1_tiles": ((2, 2, 6, 6), 2, 2, 1, 1),
    "2x2_stride_2_odd_size": ((2, 2, 7, 9), 2, 2, 0, 1),
    "3x3_stride_2_padding_1_overlaps": ((2, 2, 9, 7), 3, 2, 1, 1),
    "gaps_between_windows": ((1, 2, 11, 11), 2, 4, 0, 1),
    "rectangular": ((2, 3, 9, 10), (3, 2), (2, 3), (1, 0), 1),
    "dilation_2": ((2, 2, 9, 9), 3, 2, 1, 2),
    "dilation_pair": ((1, 2, 8, 9), (2, 3), 1, 1, (3, 2)),
    "1x1": ((2, 3, 4, 5), 1, 1, 0, 1),
    "kernel_as_big_as_input": ((2, 2, 3, 4), (3, 4), 1, 0, 1),
    "more_than_256_offsets": ((1, 2, 17, 18), (17, 16), 1, 0, 1),   # max pooling's winners no longer fit a uint8
}
STORAGES = ["plain", "channel_first", "every_other_row"]


def geometry_of(name):
    shape, kernel, stride, padding, dilation = GEOMETRIES[name]
    return shape, make_windows("test", shape, kernel, stride, padding, dilation)


def stored(a, storage):
    """The same (N, C, H, W) values, stored image by image, channel by channel, or with gaps."""
    if storage == "channel_first":
        return a.transpose(1, 0, 2, 3).copy().transpose(1, 0, 2, 3)
    if storage == "every_other_row":
        return a.repeat(2, axis=2)[:, :, ::2]
    return a


def on(device, array, storage="plain"):
    return stored(backend.to_device(array, device), storage)


def host(array, device):
    return backend.to_numpy(array, device)


def random_pool_input(shape, data, seed=0):
    """Distinct values; few values, so windows hold ties; or ties and NaNs, some windows with several."""
    rng = np.random.default_rng(seed)
    if data == "distinct":
        return rng.standard_normal(shape)
    x = rng.integers(0, 3, size=shape).astype(np.float64)
    if data == "ties_and_nans":
        x[rng.random(shape) < 0.2] = np.nan
    return x


# ---- the geometry, remembered -------------------------------------------------------------------

@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("name", list(GEOMETRIES))
def test_a_remembered_geometry_equals_a_freshly_checked_one(name, ceil_mode):
    shape, kernel, stride, padding, dilation = GEOMETRIES[name]
    remembered = make_windows("test", shape, kernel, stride, padding, dilation, ceil_mode)
    assert make_windows("test", shape, kernel, stride, padding, dilation, ceil_mode) is remembered
    fresh = check_windows("test", shape, kernel, stride, padding, dilation, ceil_mode)
    assert remembered == fresh
    derived = ("span", "padded_size", "overlapping", "tiling")
    assert [getattr(remembered, a) for a in derived] == [getattr(fresh, a) for a in derived]


@pytest.mark.parametrize("bad", [2.0, (2, 2.0), True, (2, True)], ids=["float", "float_in_pair", "bool", "bool_in_pair"])
def test_settings_equal_to_remembered_ones_but_not_ints_are_still_refused(bad):
    shape = (1, 1, 4, 4)
    make_windows("test", shape, 2, 2, 0, 1)        # 2.0 == 2 and True == 1: a cache must not mix them up
    with pytest.raises(TypeError, match="must be an int"):
        make_windows("test", shape, bad, 2, 0, 1)
    with pytest.raises(TypeError, match="must be an int"):
        make_windows("test", shape, 2, 2, 0, bad if bad is not True else (1, True))


def test_a_geometry_that_does_not_fit_is_refused_every_time_and_names_the_whole_input():
    for _ in range(2):   # a failed check is not remembered
        with pytest.raises(ShapeError, match=r"input \(3, 5, 2, 2\)"):
            make_windows("test", (3, 5, 2, 2), 3, 1, 0, 1)


# ---- im2col and col2im --------------------------------------------------------------------------

@pytest.mark.parametrize("storage", STORAGES)
@pytest.mark.parametrize("name", list(GEOMETRIES))
def test_im2col_equals_the_one_window_at_a_time_reference(name, storage, device):
    shape, geometry = geometry_of(name)
    xp, groups = backend.array_module(device), 2 if shape[1] % 2 == 0 else 1
    x = on(device, np.random.default_rng(0).standard_normal(shape), storage)
    np.testing.assert_array_equal(host(im2col(xp, x, geometry, groups), device),
                                  host(im2col_reference(xp, x, geometry, groups), device))


@pytest.mark.parametrize("name", ["3x3", "rectangular", "dilation_pair", "3x3_stride_2_padding_1_overlaps"])
def test_the_im2col_reference_times_the_weights_is_the_plain_loop_convolution(name):
    shape, geometry = geometry_of(name)
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal(shape), rng.standard_normal((4, shape[1]) + geometry.kernel)
    out = (w.reshape(1, 4, -1) @ im2col_reference(np, x, geometry, 1)).reshape((4, shape[0]) + geometry.out_size)
    expected = conv2d_reference(x, w, None, geometry.stride, geometry.padding, geometry.dilation)
    np.testing.assert_allclose(out.transpose(1, 0, 2, 3), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", list(GEOMETRIES))
def test_col2im_equals_the_one_window_at_a_time_reference(name, device):
    shape, geometry = geometry_of(name)
    xp, (n, c) = backend.array_module(device), shape[:2]
    cols = on(device, np.random.default_rng(2).standard_normal((c,) + geometry.kernel + (n,) + geometry.out_size))
    # Overlapping windows add their shares in another order: equal up to rounding.
    np.testing.assert_allclose(host(col2im(xp, cols, geometry, shape), device),
                               host(col2im_reference(xp, cols, geometry, shape), device), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["3x3", "3x3_stride_2_padding_1_overlaps", "dilation_2", "gaps_between_windows"])
def test_the_col2im_reference_is_the_transpose_of_the_im2col_reference(name):
    """<im2col(x), cols> = <x, col2im(cols)> for all x and cols: col2im is im2col's transpose."""
    shape, geometry = geometry_of(name)
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape)
    cols = rng.standard_normal((shape[1],) + geometry.kernel + (shape[0],) + geometry.out_size)
    lhs = np.sum(im2col_reference(np, x, geometry, 1).reshape(cols.shape) * cols)
    np.testing.assert_allclose(lhs, np.sum(x * col2im_reference(np, cols, geometry, shape)), rtol=1e-12)


@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("storage", STORAGES)
def test_channels_first_equals_its_reference(storage, groups, device):
    xp = backend.array_module(device)
    g = on(device, np.random.default_rng(4).standard_normal((3, 4, 5, 6)), storage)
    np.testing.assert_array_equal(host(channels_first(xp, g, groups), device),
                                  host(channels_first_reference(xp, g, groups), device))


# ---- padding and memory order -------------------------------------------------------------------

@pytest.mark.parametrize("value", [0.0, -np.inf], ids=["zeros", "minus_inf"])
@pytest.mark.parametrize("storage", STORAGES)
@pytest.mark.parametrize("name", ["3x3", "2x2_stride_2_padding_1_tiles", "rectangular", "dilation_pair"])
def test_pad_spatial_equals_its_reference_and_keeps_the_memory_order(name, storage, value, device):
    shape, geometry = geometry_of(name)
    xp = backend.array_module(device)
    x = on(device, np.random.default_rng(5).standard_normal(shape), storage)
    padded = pad_spatial(xp, x, geometry, value)
    np.testing.assert_array_equal(host(padded, device), host(pad_spatial_reference(xp, x, geometry, value), device))
    assert stored_channel_first(padded) == stored_channel_first(x)


@pytest.mark.parametrize("like_storage", STORAGES)
def test_full_like_layout_holds_xp_full_stored_in_the_order_of_like(like_storage, device):
    xp = backend.array_module(device)
    like = on(device, np.zeros((2, 3, 4, 5)), like_storage)
    for value in [2.5, None]:
        new = full_like_layout(xp, like, (2, 3, 6, 7), value, np.float32)
        assert new.shape == (2, 3, 6, 7) and new.dtype == np.float32
        assert stored_channel_first(new) == stored_channel_first(like)
        if value is not None:
            np.testing.assert_array_equal(host(new, device), np.full((2, 3, 6, 7), value, dtype=np.float32))


@pytest.mark.parametrize("a_storage", STORAGES)
@pytest.mark.parametrize("like_storage", STORAGES)
def test_contiguous_like_layout_holds_the_same_values_stored_without_gaps_in_the_order_of_like(like_storage, a_storage,
                                                                                                device):
    xp = backend.array_module(device)
    like = on(device, np.zeros((2, 3, 4, 5)), like_storage)
    a = on(device, np.random.default_rng(6).standard_normal((2, 3, 4, 5)), a_storage)
    out = contiguous_like_layout(xp, like, a)
    np.testing.assert_array_equal(host(out, device), host(xp.ascontiguousarray(a), device))
    in_memory = out.transpose(1, 0, 2, 3) if stored_channel_first(like) else out
    assert in_memory.flags.c_contiguous


# ---- max pooling --------------------------------------------------------------------------------

def run_forward(cls, device, *arrays, **options):
    """cls.forward on raw arrays, as Function.apply runs it; returns the Function too."""
    fn = object.__new__(cls)
    fn.xp = backend.array_module(device)
    return fn, fn.forward(*arrays, **options)


@pytest.mark.parametrize("data", ["distinct", "ties", "ties_and_nans"])
@pytest.mark.parametrize("storage", STORAGES)
@pytest.mark.parametrize("name", list(GEOMETRIES))
def test_max_pool_maxima_and_winners_equal_the_argmax_reference(name, storage, data, device):
    shape, geometry = geometry_of(name)
    x = on(device, random_pool_input(shape, data), storage)
    fn, maxima = run_forward(MaxPool2d, device, x, geometry=geometry)
    expected_maxima, expected_winners = max_pool_reference(backend.array_module(device), x, geometry)
    np.testing.assert_array_equal(host(maxima, device), host(expected_maxima, device))   # NaN where NaN
    np.testing.assert_array_equal(host(fn.winning_offsets(), device), host(expected_winners, device))


def test_the_max_pool_reference_picks_the_first_maximum_and_the_last_nan_as_torch_does():
    x = np.array([[[[1.0, 5.0, 5.0, 2.0],
                    [np.nan, 0.0, np.nan, 7.0]]]])
    geometry = make_windows("test", x.shape, (2, 4), 1, 0, 1)   # one window holding it all
    maxima, winners = max_pool_reference(np, x, geometry)
    assert np.isnan(maxima).all() and winners.item() == 6       # the NaN at (1, 2), not the one at (1, 0)
    maxima, winners = max_pool_reference(np, np.nan_to_num(x), geometry)
    assert maxima.item() == 7.0 and winners.item() == 7
    maxima, winners = max_pool_reference(np, x[:, :, :1], make_windows("test", (1, 1, 1, 4), (1, 4), 1, 0, 1))
    assert maxima.item() == 5.0 and winners.item() == 1         # the first of the two fives


@pytest.mark.parametrize("g_storage", STORAGES)
@pytest.mark.parametrize("index_storage", ["plain", "channel_first"])
@pytest.mark.parametrize("name", list(GEOMETRIES))
def test_place_in_windows_equals_its_reference(name, index_storage, g_storage, device):
    """Covers the fast path's memory order, its writes where windows never overlap, and its
    unzeroed array where the windows tile the input."""
    shape, geometry = geometry_of(name)
    xp, rng = backend.array_module(device), np.random.default_rng(7)
    offsets = geometry.kernel[0] * geometry.kernel[1]
    out_shape = shape[:2] + geometry.out_size
    index = on(device, rng.integers(0, offsets, size=out_shape).astype(np.uint8 if offsets <= 256 else np.int64),
               index_storage)
    g = on(device, rng.standard_normal(out_shape), g_storage)
    expected = host(place_in_windows_reference(xp, g, index, geometry, shape), device)
    # Freed memory of the right size, filled with NaN first: the unzeroed array of the tiling
    # case is likely to get it back, so an element its loop failed to write would show.
    garbage = xp.full(shape[:2] + geometry.padded_size, np.nan)
    del garbage
    _, out = run_forward(PlaceInWindows, device, g, index, geometry=geometry, in_shape=shape)
    np.testing.assert_array_equal(host(out, device), expected)


# ---- elementwise fast paths ---------------------------------------------------------------

def _values_and_two_derivatives(fn, x_data, device):
    """fn(x), d sum(fn(x)·w)/dx and the derivative of that gradient's sum, as NumPy arrays."""
    x = tg.tensor(x_data, device=device, requires_grad=True)
    w = tg.tensor(np.linspace(-1.5, 2.0, x_data.size).reshape(x_data.shape), device=device)
    y = fn(x)
    (g,) = tg.grad((y * w).sum(), [x], create_graph=True)
    (gg,) = tg.grad(g.sum(), [x], allow_unused=True) if g.requires_grad else (None,)   # None: a constant gradient
    return [a.numpy() if a is not None else np.zeros_like(x_data) for a in (y, g, gg)]


SCALAR_PATHS = {
    "add": (lambda x: AddScalar.apply(x, scalar=2.5), lambda x: Add.apply(x, tg.tensor(2.5, dtype=x.dtype,
                                                                                       device=x.device))),
    "mul": (lambda x: MulScalar.apply(x, scalar=-1.5), lambda x: Mul.apply(x, tg.tensor(-1.5, dtype=x.dtype,
                                                                                        device=x.device))),
    "mul_then_square": (lambda x: MulScalar.apply(x, scalar=3.0) * x, lambda x: Mul.apply(x, tg.tensor(
        3.0, dtype=x.dtype, device=x.device)) * x),
}
ONE_OP_BACKWARDS = {
    # the fast op of each backward against the formula written with three recorded ops
    "sigmoid": (lambda g, s: SigmoidGrad.apply(g, s), lambda g, s: g * s * (1.0 - s)),
    "tanh": (lambda g, t: TanhGrad.apply(g, t), lambda g, t: g * (1.0 - t * t)),
    "relu": (lambda g, x: ReLUGrad.apply(g, x), lambda g, x: g * (x > 0).to(g.dtype)),
    "log_softmax": (lambda g, y: LogSoftmaxGrad.apply(g, y, dim=1), lambda g, y: g - y.exp() * g.sum(dim=1, keepdim=True)),
}


@pytest.mark.parametrize("name", sorted(SCALAR_PATHS))
def test_scalar_ops_equal_the_tensor_ops_they_stand_for(name, device):
    fast, plain = SCALAR_PATHS[name]
    x = np.linspace(-2.0, 3.0, 12).reshape(3, 4)
    for a, b in zip(_values_and_two_derivatives(fast, x, device), _values_and_two_derivatives(plain, x, device)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(ONE_OP_BACKWARDS))
def test_one_op_backwards_equal_their_formula_in_values_and_derivatives(name, device):
    fast, plain = ONE_OP_BACKWARDS[name]
    rng = np.random.default_rng(3)
    g_data, s_data = rng.standard_normal((3, 5)), rng.uniform(-0.9, 0.9, (3, 5))
    results = []
    for fn in (fast, plain):
        g = tg.tensor(g_data, device=device, requires_grad=True)
        s = tg.tensor(s_data, device=device, requires_grad=True)
        out = fn(g, s)
        d_g, d_s = tg.grad((out * out).sum(), [g, s], allow_unused=True)
        results.append([out.numpy(), d_g.numpy(), np.zeros_like(s_data) if d_s is None else d_s.numpy()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_the_activations_use_their_one_op_backward():
    x = tg.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    for activation, grad_op in ((tg.sigmoid, "SigmoidGradBackward"), (tg.tanh, "TanhGradBackward"),
                                (tg.relu, "ReLUGradBackward"),
                                (lambda t: tg.log_softmax(t, dim=0) * t, "LogSoftmaxGradBackward")):
        (g,) = tg.grad(activation(x).sum(), [x], create_graph=True)
        assert grad_op in {g.grad_fn.name()} | {f.name() for f in g.grad_fn.input_fns if f is not None}


# ---- the negative log-likelihood: one op for the pick and the reduction --------------------------

def _nll_plain(scores, target, weight, reduction, ignore_index):
    """nll_loss written with recorded tensor ops: pick, weigh, drop the ignored, reduce."""
    classes = target.numpy()
    counted = classes != ignore_index
    rows, picked_class = np.arange(len(classes)), np.where(counted, classes, 0)
    w = np.ones(len(classes)) if weight is None else weight.numpy()[picked_class]
    w = tg.tensor(w * counted, dtype=scores.dtype)
    losses = tg.where(tg.tensor(counted), -scores[rows, picked_class] * w, 0.0)
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.sum() / float(w.sum().item())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", ["plain", "weighted", "ignored", "weighted_and_ignored"])
def test_nll_loss_op_equals_its_plain_form_in_values_and_two_derivatives(case, reduction):
    rng = np.random.default_rng(5)
    scores_data = rng.standard_normal((6, 4))
    target = tg.tensor(np.array([0, 3, 1, 1, 2, 3]))
    weight = tg.tensor(rng.uniform(0.5, 2.0, 4)) if "weighted" in case else None
    ignore_index = 1 if "ignored" in case else -100
    upstream_data = rng.standard_normal(6) if reduction == "none" else np.array(1.7)
    results = []
    for loss_of in (lambda s: tg.nn.functional.nll_loss(s, target, weight=weight, reduction=reduction,
                                                        ignore_index=ignore_index),
                    lambda s: _nll_plain(s, target, weight, reduction, ignore_index)):
        scores = tg.tensor(scores_data, requires_grad=True)
        upstream = tg.tensor(upstream_data, requires_grad=True)
        loss = loss_of(scores)
        # the loss is linear in the scores: the second derivative to check is the one through
        # the upstream gradient, which runs the backward of the gradient op
        (d,) = tg.grad((loss * upstream).sum(), [scores], create_graph=True)
        (dd,) = tg.grad((d * d * tg.tensor(scores_data)).sum(), [upstream])
        results.append([loss.numpy(), d.numpy(), dd.numpy()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_nll_loss_is_one_op_with_a_one_op_backward_and_ignores_minus_inf_scores():
    scores = tg.tensor([[0.0, -np.inf], [1.0, 2.0]], requires_grad=True)
    loss = tg.nn.functional.nll_loss(scores, tg.tensor([1, 0]), ignore_index=1)
    assert loss.grad_fn.name() == "NllLossBackward"
    u = tg.tensor(1.0, requires_grad=True)   # an upstream gradient that is itself differentiated
    (g,) = tg.grad(loss * u, [scores], create_graph=True)
    assert g.grad_fn.name() == "NllLossGradBackward"
    assert loss.item() == -1.0   # the ignored sample's -inf is selected away, not multiplied by 0
    np.testing.assert_array_equal(g.numpy(), [[0.0, 0.0], [-1.0, 0.0]])


@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_with_every_sample_ignored_is_nan_with_a_zero_gradient_as_in_pytorch(weighted):
    import torch
    scores = np.array([[0.5, 1.0], [2.0, 0.1]])
    weight = np.array([0.3, 2.0]) if weighted else None
    s = tg.tensor(scores, requires_grad=True)
    loss = tg.nn.functional.cross_entropy(s, tg.tensor([-100, -100]),
                                          weight=None if weight is None else tg.tensor(weight))
    loss.backward()
    ts = torch.tensor(scores, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(ts, torch.tensor([-100, -100]),
                                                 weight=None if weight is None else torch.tensor(weight))
    expected.backward()
    assert np.isnan(loss.item()) and np.isnan(expected.item())
    np.testing.assert_array_equal(s.grad.numpy(), ts.grad.numpy())
