"""Adaptive max pooling, bilinear, and the Gaussian and Poisson likelihood losses against PyTorch:
values, indices, gradients of two orders, finite differences, modules' reprs, state dicts and errors."""
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

OPS_TESTED_HERE = ("adaptive_max_pool1d", "adaptive_max_pool2d", "bilinear", "gaussian_nll_loss", "poisson_nll_loss")

RNG = np.random.default_rng(13)


# ---- adaptive max pooling ------------------------------------------------------------------

POOL_CASES = [  # (dims, input shape, output_size): overlapping, uneven, None, unbatched, 1×1, identity, 0
    (2, (2, 3, 5, 7), (2, 3)), (2, (1, 2, 7, 5), (3, None)), (2, (3, 6, 6), 4), (2, (2, 1, 4, 4), 1),
    (2, (1, 2, 3, 4), (3, 4)), (2, (1, 2, 9, 2), (4, 5)),
    (1, (2, 3, 11), 4), (1, (3, 5), 2), (1, (2, 2, 5), 7), (1, (1, 1, 6), 1),
]
POOL_IDS = [f"{d}d-{s}-{o}".replace(" ", "") for d, s, o in POOL_CASES]
EMPTY_OUTPUT = [(2, (2, 2, 4, 4), 0), (1, (2, 3, 5), 0)]   # PyTorch's backward refuses these: forward only


def _pools(dims):
    return (F.adaptive_max_pool2d, TF.adaptive_max_pool2d) if dims == 2 else (F.adaptive_max_pool1d,
                                                                                TF.adaptive_max_pool1d)


@pytest.mark.parametrize("dims, shape, size", POOL_CASES, ids=POOL_IDS)
def test_adaptive_max_pool_matches_torch_with_second_derivatives(dims, shape, size, device):
    ours, theirs = _pools(dims)
    check_against_torch(lambda x: ours(x, size), lambda x: theirs(x, size), [shape], device=device, double=True)


@pytest.mark.parametrize("dims, shape, size", POOL_CASES + EMPTY_OUTPUT, ids=POOL_IDS + ["2d-0", "1d-0"])
def test_adaptive_max_pool_indices_are_torchs_int64(dims, shape, size, device):
    ours, theirs = _pools(dims)
    x = RNG.integers(-2, 3, size=shape).astype(np.float32)    # many ties: the first one wins, as in PyTorch
    values, indices = ours(tg.Tensor(x, device=device), size, return_indices=True)
    expected_values, expected_indices = theirs(torch.tensor(x), size, return_indices=True)
    assert indices.dtype == tg.int64
    assert_close(values, expected_values, "values")
    np.testing.assert_array_equal(indices.numpy(), expected_indices.numpy())


@pytest.mark.parametrize("dims", [1, 2])
def test_adaptive_max_pool_gradient_goes_to_first_tie_and_last_nan_as_in_torch(dims, device):
    ours, theirs = _pools(dims)
    x = RNG.integers(0, 2, size=(2, 3) + (7,) * dims).astype(np.float64)
    x[0, 0, ..., 1] = np.nan
    x[0, 0, ..., 4] = np.nan
    mine = tg.Tensor(x, device=device, requires_grad=True)
    theirs_x = torch.tensor(x, requires_grad=True)
    out, expected = ours(mine, 3), theirs(theirs_x, 3)
    upstream = RNG.standard_normal(expected.shape)
    out.backward(tg.Tensor(upstream, device=device))
    expected.backward(torch.tensor(upstream))
    assert_close(out, expected, "values")
    assert_close(mine.grad, theirs_x.grad, "gradient")


@pytest.mark.parametrize("dims, shape, size", [(2, (1, 2, 5, 7), (3, 4)), (1, (2, 2, 9), 4)])
def test_adaptive_max_pool_finite_differences(dims, shape, size):
    finite_difference_check(lambda x: _pools(dims)[0](x, size), [shape])


@pytest.mark.parametrize("name, args", [("AdaptiveMaxPool2d", ((2, None),)), ("AdaptiveMaxPool2d", (3, True)),
                                        ("AdaptiveMaxPool1d", (4,)), ("AdaptiveMaxPool1d", (2, True))])
def test_adaptive_max_pool_modules_match_torch(name, args, device):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    shape = (2, 3, 6, 5) if name.endswith("2d") else (2, 3, 7)
    x = RNG.standard_normal(shape)
    got, expected = ours(tg.Tensor(x, device=device)), theirs(torch.tensor(x))
    if len(args) > 1:
        np.testing.assert_array_equal(got[1].numpy(), expected[1].numpy())
        got, expected = got[0], expected[0]
    assert_close(got, expected, "forward")


@pytest.mark.parametrize("call, error, words", [
    (lambda: F.adaptive_max_pool2d(tg.randn(5, 7), 2), ShapeError, ["adaptive_max_pool2d", "(5, 7)"]),
    (lambda: F.adaptive_max_pool1d(tg.randn(5), 2), ShapeError, ["adaptive_max_pool1d", "(5,)"]),
    (lambda: F.adaptive_max_pool2d(tg.randn(1, 2, 0, 4), 2), ShapeError, ["adaptive_max_pool2d", "(1, 2, 0, 4)"]),
    (lambda: F.adaptive_max_pool2d(tg.randn(1, 2, 3, 4), (1, 2, 3)), ValueError, ["adaptive_max_pool2d", "(1, 2, 3)"]),
    (lambda: F.adaptive_max_pool1d(tg.randn(1, 2, 3), -1), ValueError, ["adaptive_max_pool1d", "-1"]),
    (lambda: F.adaptive_max_pool2d(tg.arange(24).reshape(1, 2, 3, 4), 2), TypeError, ["adaptive_max_pool2d", "int64"]),
], ids=["2d-of-2d", "1d-of-1d", "empty", "three-sizes", "negative", "integers"])
def test_adaptive_max_pool_errors_name_the_op_and_the_input(call, error, words):
    with pytest.raises(error) as raised:
        call()
    assert all(w in str(raised.value) for w in words), str(raised.value)


# ---- bilinear ------------------------------------------------------------------------------

BILINEAR_CASES = [  # (input1, input2, weight, bias)
    ((4, 3), (4, 5), (2, 3, 5), (2,)), ((3,), (5,), (4, 3, 5), (4,)), ((2, 3, 3), (2, 3, 2), (1, 3, 2), None),
    ((0, 3), (0, 2), (2, 3, 2), (2,)),
]


@pytest.mark.parametrize("shapes", BILINEAR_CASES, ids=[str(c[0]) + str(c[3]) for c in BILINEAR_CASES])
def test_bilinear_matches_torch_with_second_derivatives(shapes, device):
    shapes = [s for s in shapes if s is not None]
    check_against_torch(F.bilinear, TF.bilinear, shapes, device=device, double=True)


def test_bilinear_finite_differences():
    finite_difference_check(F.bilinear, [(3, 2), (3, 4), (2, 2, 4), (2,)])


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_module_matches_torch_repr_state_dict_init_and_gradients(bias, device):
    ours, theirs = nn.Bilinear(3, 5, 4, bias=bias), torch.nn.Bilinear(3, 5, 4, bias=bias)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.weight.shape == tuple(theirs.weight.shape)
    bound = 1 / np.sqrt(3)      # PyTorch's init: uniform(±1/√in1_features), weight and bias
    assert np.abs(ours.weight.numpy()).max() <= bound and ours.weight.numpy().std() > bound / 4
    if bias:
        assert np.abs(ours.bias.numpy()).max() <= bound
    ours.load_state_dict({k: tg.Tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    ours.to(device)
    a, b = RNG.standard_normal((6, 3)).astype(np.float32), RNG.standard_normal((6, 5)).astype(np.float32)
    got, expected = ours(tg.Tensor(a, device=device), tg.Tensor(b, device=device)), theirs(torch.tensor(a), torch.tensor(b))
    assert_close(got, expected, "forward", rtol=1e-5, atol=1e-6)
    got.sum().backward()
    expected.sum().backward()
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        assert_close(p.grad, q.grad, name, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shapes, words", [
    (((2, 3), (1, 5), (4, 3, 5), (4,)), ["bilinear", "(2, 3)", "(1, 5)"]),
    (((2, 3), (5,), (4, 3, 5), (4,)), ["bilinear", "(2, 3)", "(5,)"]),
    (((2, 3), (2, 4), (4, 3, 5), (4,)), ["bilinear", "(4, 3, 5)", "4"]),
    (((2, 3), (2, 5), (4, 3, 5), (3,)), ["bilinear", "bias", "(3,)"]),
    (((2, 3), (2, 5), (4, 3), (4,)), ["bilinear", "3-D", "(4, 3)"]),
], ids=["batch", "ndim", "in2", "bias", "weight-2d"])
def test_bilinear_errors_name_the_op_and_the_shapes(shapes, words):
    with pytest.raises(ShapeError) as raised:
        F.bilinear(*[tg.randn(*s) for s in shapes])
    assert all(w in str(raised.value) for w in words), str(raised.value)


def test_bilinear_module_rejects_bad_sizes():
    with pytest.raises(ValueError, match="Bilinear: in2_features"):
        nn.Bilinear(3, 0, 4)


# ---- Gaussian negative log-likelihood ------------------------------------------------------

def _var(shape, tiny=False):
    var = RNG.uniform(0.2, 2.0, size=shape)
    if tiny:
        var.flat[::3] = 1e-9      # below eps: clamped, with var's gradient taken as if it were not
    return var


GAUSSIAN_CASES = [  # (input, target, var, full, eps)
    ((4, 3), (4, 3), _var((4, 3)), False, 1e-6), ((4, 3), (4, 3), _var((4,)), True, 1e-6),
    ((4, 3), (3,), _var((4, 1)), False, 1e-6), ((2, 4, 3), (2, 4, 3), _var((2, 1, 3)), True, 1e-6),
    ((5,), (5,), _var((5,), tiny=True), False, 1e-3), ((3, 2), (1, 2), _var((1, 2)), False, 1e-6),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", GAUSSIAN_CASES, ids=[f"{c[0]}-{c[1]}-{c[2].shape}" for c in GAUSSIAN_CASES])
def test_gaussian_nll_loss_matches_torch_with_second_derivatives(case, reduction, device):
    shape_in, shape_target, var, full, eps = case
    check_against_torch(lambda x, y, v: F.gaussian_nll_loss(x, y, v, full, eps, reduction),
                        lambda x, y, v: TF.gaussian_nll_loss(x, y, v, full, eps, reduction),
                        [shape_in, shape_target, var], device=device, double=True)


def test_gaussian_nll_loss_with_a_float_var_matches_torch(device):
    check_against_torch(lambda x, y: F.gaussian_nll_loss(x, y, 0.5, full=True),
                        lambda x, y: TF.gaussian_nll_loss(x, y, 0.5, full=True), [(3, 4), (3, 4)], device=device,
                        double=True)


def test_gaussian_nll_loss_finite_differences():
    finite_difference_check(lambda x, y, v: F.gaussian_nll_loss(x, y, v, reduction="none"),
                            [(3, 2), (3, 2), _var((3, 1))])


def test_gaussian_nll_loss_module_matches_torch():
    ours, theirs = nn.GaussianNLLLoss(full=True, eps=1e-3, reduction="sum"), torch.nn.GaussianNLLLoss(
        full=True, eps=1e-3, reduction="sum")
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict()) == []
    x, y, v = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3)), _var((4,), tiny=True)
    assert_close(ours(tg.Tensor(x), tg.Tensor(y), tg.Tensor(v)),
                 theirs(torch.tensor(x), torch.tensor(y), torch.tensor(v)), "forward")


@pytest.mark.parametrize("var, error, words", [
    (np.ones((3,)), ShapeError, ["gaussian_nll_loss", "(3,)", "(2, 3, 4)"]),
    (np.ones((2, 1, 1)), ShapeError, ["gaussian_nll_loss", "(2, 1, 1)"]),
    (-np.ones((2, 3, 4)), ValueError, ["gaussian_nll_loss", "negative"]),
    (-1.0, ValueError, ["gaussian_nll_loss", "-1.0"]),
], ids=["short", "two-ones", "negative", "negative-float"])
def test_gaussian_nll_loss_errors_name_the_op_and_shapes(var, error, words):
    var = var if isinstance(var, float) else tg.Tensor(var.astype(np.float32))
    with pytest.raises(error) as raised:
        F.gaussian_nll_loss(tg.randn(2, 3, 4), tg.randn(2, 3, 4), var)
    assert all(w in str(raised.value) for w in words), str(raised.value)


def test_gaussian_nll_loss_rejects_a_bad_reduction():
    with pytest.raises(ValueError, match="gaussian_nll_loss: reduction"):
        F.gaussian_nll_loss(tg.randn(2), tg.randn(2), tg.ones(2), reduction="avg")


# ---- Poisson negative log-likelihood -------------------------------------------------------

COUNTS = RNG.integers(0, 6, size=(3, 4)).astype(np.float64)   # 0 and 1 too: no Stirling term there


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("log_input, full", [(True, False), (True, True), (False, False), (False, True)])
def test_poisson_nll_loss_matches_torch_with_second_derivatives(log_input, full, reduction, device):
    x = RNG.uniform(0.1, 3.0, size=(3, 4)) if not log_input else RNG.standard_normal((3, 4))
    check_against_torch(lambda a, t: F.poisson_nll_loss(a, t, log_input, full, reduction=reduction),
                        lambda a, t: TF.poisson_nll_loss(a, t, log_input, full, reduction=reduction),
                        [x, COUNTS], device=device, double=True, grad_inputs=[0])


@pytest.mark.parametrize("full", [False, True])
def test_poisson_nll_loss_gradient_of_target_and_broadcasting_match_torch(full, device):
    target = RNG.uniform(0.5, 4.0, size=(4,))
    check_against_torch(lambda a, t: F.poisson_nll_loss(a, t, full=full, eps=1e-3, reduction="none"),
                        lambda a, t: TF.poisson_nll_loss(a, t, full=full, eps=1e-3, reduction="none"),
                        [(2, 4), target], device=device, double=True)


def test_poisson_nll_loss_finite_differences():
    finite_difference_check(lambda a: F.poisson_nll_loss(a, tg.Tensor(COUNTS), False, True),
                            [RNG.uniform(0.5, 2.0, size=(3, 4))])


@pytest.mark.parametrize("args", [(), (False, True, 1e-4, "sum")])
def test_poisson_nll_loss_module_matches_torch(args):
    theirs_args = args[:2] + (None, args[2], None, args[3]) if args else ()
    ours, theirs = nn.PoissonNLLLoss(*args), torch.nn.PoissonNLLLoss(*theirs_args)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict()) == []
    x = RNG.uniform(0.1, 2.0, size=(3, 4))
    assert_close(ours(tg.Tensor(x), tg.Tensor(COUNTS)), theirs(torch.tensor(x), torch.tensor(COUNTS)), "forward")


@pytest.mark.parametrize("full", [False, True])
def test_integer_targets_are_read_as_the_inputs_dtype_as_in_torch(full, device):
    x, counts = RNG.standard_normal((3, 4)), COUNTS.astype(np.int64)   # PyTorch's log of int64 counts is float32: rtol 1e-6
    assert_close(F.poisson_nll_loss(tg.Tensor(x, device=device), tg.Tensor(counts, device=device), full=full),
                 TF.poisson_nll_loss(torch.tensor(x), torch.tensor(counts), full=full), "poisson", rtol=1e-6)
    assert_close(F.gaussian_nll_loss(tg.Tensor(x, device=device), tg.Tensor(counts, device=device), 0.5, full),
                 TF.gaussian_nll_loss(torch.tensor(x), torch.tensor(counts), 0.5, full), "gaussian", rtol=1e-6)


def test_poisson_nll_loss_errors_name_the_op_and_shapes():
    with pytest.raises(ShapeError, match=r"poisson_nll_loss: .*\(2, 3\).*\(4,\)"):
        F.poisson_nll_loss(tg.randn(2, 3), tg.randn(4))
    with pytest.raises(ValueError, match="poisson_nll_loss: reduction"):
        F.poisson_nll_loss(tg.randn(2), tg.randn(2), reduction="avg")
    with pytest.raises(TypeError, match="poisson_nll_loss: input"):
        F.poisson_nll_loss(tg.arange(3), tg.randn(3))
