"""Places where NumPy's answer and PyTorch's differ, and tinygrad_edu must give PyTorch's:
type promotion, gradients at the edges of their formulas (0^0, no degrees of freedom, infinite
upstream gradients), dtypes of reductions, errors of the right kind, and no NumPy warnings.

Every case asks torch itself, so a test fails when either side changes.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu import Tensor
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.ops.registry import OPS

INF, NAN = math.inf, math.nan


def ours_and_theirs(values, dtype: str, device: str = "cpu", requires_grad: bool = False):
    """The same numbers as a tinygrad_edu tensor and a torch tensor of the same dtype."""
    array = np.array(values, dtype=dtype)
    return (Tensor(array, device=device, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def assert_same(ours: Tensor, theirs: torch.Tensor, what: str = "") -> None:
    """Same dtype, shape and values (NaN where torch has NaN, inf with its sign)."""
    expected = theirs.detach().numpy()
    assert str(ours.dtype) == str(expected.dtype), f"{what}: dtype {ours.dtype}, torch's {expected.dtype}"
    assert ours.shape == expected.shape, f"{what}: shape {ours.shape}, torch's {expected.shape}"
    np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-6, atol=0, err_msg=what)


def grads_of(fn, ours: list, theirs: list, upstream, torch_fn=None) -> tuple[tuple, tuple]:
    """The gradients of <upstream, fn(inputs)> in both frameworks (torch_fn on torch's, if given)."""
    out, expected = fn(*ours), (torch_fn or fn)(*theirs)
    up = np.broadcast_to(np.array(upstream, dtype=expected.detach().numpy().dtype), expected.shape)
    ours_g = tg.grad(out, ours, Tensor(up.copy(), device=out.device))
    theirs_g = torch.autograd.grad(expected, theirs, torch.tensor(up.copy()))
    return ours_g, theirs_g


# ---- 1. type promotion across bool, integer and float ----------------------------------------

# (a's values, a's dtype, b's values, b's dtype): one of them 0-d, of another category
PROMOTIONS = [
    ([True, False], "bool", 3, "int64"),
    ([True, False], "bool", 3, "int8"),
    (True, "bool", [3, 4], "int8"),
    ([True, False], "bool", 2.5, "float64"),
    ([1, 2], "int8", 2.5, "float64"),
    ([1, 2], "uint8", 3, "int8"),             # one category: the tensor with dims keeps uint8
    ([1, 2], "int32", 3, "int64"),
    ([1.0, 2.0], "float16", 3.0, "float64"),
    ([1, 2], "uint8", [3, 4], "int8"),        # both with dims: int16, as NumPy too
    (3, "int64", [True, False], "bool"),
]


@pytest.mark.parametrize("a, a_dtype, b, b_dtype", PROMOTIONS,
                         ids=[f"{p[1]}{'' if np.ndim(p[0]) else '0d'}-{p[3]}{'' if np.ndim(p[2]) else '0d'}"
                              for p in PROMOTIONS])
@pytest.mark.parametrize("op", ["add", "mul", "maximum", "minimum", "where", "eq"])
def test_promotion_across_categories_matches_torch(a, a_dtype, b, b_dtype, op, device):
    (x, tx), (y, ty) = ours_and_theirs(a, a_dtype, device), ours_and_theirs(b, b_dtype, device)
    run = {"add": lambda p, q: p + q, "mul": lambda p, q: p * q,
           "maximum": lambda p, q: p.maximum(q), "minimum": lambda p, q: p.minimum(q),
           "eq": lambda p, q: p == q}
    if op == "where":
        condition = np.array([True, False])
        ours = tg.where(Tensor(condition, device=device), x, y)
        theirs = torch.where(torch.tensor(condition), tx, ty)
    else:
        ours, theirs = run[op](x, y), run[op](tx, ty)
    assert_same(ours, theirs, op)


def test_the_brief_example_bool_plus_0d_int_is_int64():
    out = tg.tensor([True, False]) + tg.tensor(3)
    assert out.dtype == tg.int64 and out.tolist() == [4, 3]


def test_a_0d_float64_promotes_an_integer_tensor_and_gets_its_gradient_in_float64(device):
    n = Tensor(np.array([1, 2, 3], dtype=np.int8), device=device)
    w = Tensor(np.array(0.5), device=device, requires_grad=True)
    out = n * w
    assert out.dtype == tg.float64
    out.sum().backward()
    tw = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    (torch.tensor([1, 2, 3], dtype=torch.int8) * tw).sum().backward()
    assert w.grad.dtype == tg.float64 and w.grad.item() == tw.grad.item()


# ---- 2. pow at the edges: 0^0, bases <= 0, and one answer from both paths -----------------------

def test_pow_gradients_at_zero_and_negative_bases_match_torch(device):
    base = [0.0, 0.0, 0.0, 0.0, 2.0, -2.0, -2.0, 0.0, 3.0]
    exponent = [0.0, 1.0, -1.0, 2.0, 0.0, 2.0, 0.5, 0.5, -1.5]
    a, ta = ours_and_theirs(base, "float64", device, requires_grad=True)
    b, tb = ours_and_theirs(exponent, "float64", device, requires_grad=True)
    assert_same(a ** b, ta ** tb, "value")
    upstream = np.linspace(0.5, 2.0, len(base))
    (ga, gb), (tga, tgb) = grads_of(lambda p, q: p ** q, [a, b], [ta, tb], upstream)
    assert_same(ga, tga, "d/d base")        # 0 at 0^0: not 0 · 0^-1 = nan
    assert_same(gb, tgb, "d/d exponent")    # 0 for 0^b, b >= 0; -inf for 0^b, b < 0; nan for a < 0
    assert ga.numpy()[0] == 0.0 and np.isnan(gb.numpy()[5]) and gb.numpy()[2] == -np.inf


@pytest.mark.parametrize("exponent", [0, 0.0, 1, 2, 3, 0.5, -1, -2, 1.5])
def test_pow_with_a_number_and_with_a_0d_tensor_exponent_agree_and_match_torch(exponent, device):
    values = [0.0, -1.0, 2.0, -0.5]
    x, tx = ours_and_theirs(values, "float64", device, requires_grad=True)
    by_number, = tg.grad((x ** exponent).sum(), [x])
    by_tensor, = tg.grad((x ** Tensor(float(exponent), dtype="float64", device=device)).sum(), [x])
    theirs, = torch.autograd.grad((tx ** exponent).sum(), [tx])
    assert_same(by_number, theirs, "number exponent")
    assert_same(by_tensor, theirs, "tensor exponent")


@pytest.mark.parametrize("base", [2.0, 0.0, -2.0, 0.5])
def test_a_number_to_a_tensor_power_matches_torch(base, device):
    x, tx = ours_and_theirs([0.0, -1.0, 2.0, 0.5], "float64", device, requires_grad=True)
    assert_same(base ** x, base ** tx, "value")
    (g,), (tg_,) = grads_of(lambda p: base ** p, [x], [tx], 1.0)
    assert_same(g, tg_, "gradient")


def test_pow_with_a_zero_exponent_has_two_derivatives_and_finite_differences_like_torch(device):
    base = np.array([0.7, 1.3, 2.0, 0.4])
    exponent = np.array([0.0, 1.5, 0.0, -0.5])
    check_against_torch(lambda a, b: a ** b, lambda a, b: a ** b, [base, exponent], device=device, double=True)
    finite_difference_check(lambda a, b: a ** b, [base, exponent])


def test_pow_zero_exponent_gives_zero_gradient_even_for_an_infinite_upstream_gradient():
    x, tx = ours_and_theirs([0.0, 3.0], "float64", requires_grad=True)
    (g,), (t,) = grads_of(lambda p: p ** 0, [x], [tx], INF)
    assert_same(g, t)
    assert g.tolist() == [0.0, 0.0]


# ---- 3. var and std with no degrees of freedom left -----------------------------------------------

VARIANCE_INPUTS = {"two": [2.0, 3.0], "equal": [2.0, 2.0], "three": [2.0, 3.0, 5.0], "one": [4.0],
                   "rows": [[2.0, 3.0], [1.0, 1.0]], "0d": 2.0}


@pytest.mark.parametrize("op", ["var", "std"])
@pytest.mark.parametrize("dim", [None, 0, -1, ()], ids=["all", "dim0", "dim-1", "empty-tuple"])
@pytest.mark.parametrize("correction", [0, 1, 2, 3, 1.5])
@pytest.mark.parametrize("name", sorted(VARIANCE_INPUTS))
def test_var_and_std_values_and_gradients_match_torch_for_every_correction(op, dim, correction, name, device):
    values = VARIANCE_INPUTS[name]
    x, tx = ours_and_theirs(values, "float64", device, requires_grad=True)
    # torch's gradient for dim=() divides by n - correction with n = 1 (a bug): compare that
    # case with its own dim=None, which reduces the same elements.
    torch_dim = None if dim == () else dim
    kwargs = {} if dim is None else {"dim": dim}
    torch_kwargs = {} if torch_dim is None else {"dim": torch_dim}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # both warn where no degrees of freedom are left
        out = getattr(x, op)(correction=correction, **kwargs)
        expected = getattr(tx, op)(correction=correction, **torch_kwargs)
        assert_same(out, expected, "value")
        up = np.full(expected.shape, 1.5)
        g, = tg.grad(out, [x], Tensor(up, device=device))
        t, = torch.autograd.grad(expected, [tx], torch.tensor(up))
    assert_same(g, t, "gradient")


def test_var_with_correction_at_least_n_is_inf_and_warns_like_torch(device):
    x, tx = ours_and_theirs([1.0, 2.0], "float32", device)
    with pytest.warns(UserWarning, match=r"var: degrees of freedom is <= 0"):
        ours = x.var(correction=2)
    with pytest.warns(UserWarning, match=r"degrees of freedom is <= 0"):
        theirs = tx.var(correction=2)
    assert ours.item() == theirs.item() == math.inf


def test_std_of_values_that_do_not_spread_has_gradient_zero_like_torch(device):
    x, tx = ours_and_theirs([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]], "float64", device, requires_grad=True)
    for kwargs in ({}, {"dim": 1}, {"dim": 1, "correction": 0}):
        (g,), (t,) = grads_of(lambda p: p.std(**kwargs), [x], [tx], 1.0)
        assert_same(g, t, str(kwargs))
        assert np.isfinite(g.numpy()).all()


@pytest.mark.parametrize("ours, theirs", [
    (lambda x: x.std(), lambda x: x.std()),
    (lambda x: x.std(0, correction=0, keepdim=True), lambda x: x.std(0, correction=0, keepdim=True)),
    (lambda x: x.var((0, 1), correction=2), lambda x: x.var((0, 1), correction=2)),
    (lambda x: x.std(dim=()), lambda x: x.std()),
], ids=["std_all", "std_dim0_biased_keepdim", "var_all_dims_named", "std_empty_tuple"])
def test_var_and_std_second_derivatives_and_finite_differences(ours, theirs, device):
    check_against_torch(ours, theirs, [(3, 4)], device=device, double=True)
    finite_difference_check(ours, [(3, 4)])


# ---- 4. sign is an op, differentiable, with gradient zero ---------------------------------------

def test_sign_is_a_registered_differentiable_op_with_zero_gradient_like_torch(device):
    assert Tensor.sign is OPS["sign"].function and tg.sign is OPS["sign"].function
    x, tx = ours_and_theirs([-2.0, -0.0, 0.0, 3.0, NAN, INF], "float64", device, requires_grad=True)
    y, ty = x.sign(), tx.sign()
    assert_same(y, ty, "value")                         # sign(NaN) is 0, as in torch
    assert y.requires_grad and y.grad_fn.name() == "SignBackward"
    (g,), (t,) = grads_of(lambda p: p.sign(), [x], [tx], INF)
    assert_same(g, t, "gradient")                       # zeros, also for an infinite upstream gradient


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int64", "float32"])
def test_sign_keeps_the_dtype_like_torch(dtype):
    x, tx = ours_and_theirs([1, 0, 1], dtype)
    assert_same(x.sign(), tx.sign(), dtype)


# ---- 5. shape errors are ValueErrors and RuntimeErrors -------------------------------------------

SHAPE_ERRORS = {
    "matmul": lambda d: tg.ones(2, 3, device=d) @ tg.ones(2, 3, device=d),
    "matmul_0d": lambda d: tg.ones(2, 3, device=d) @ Tensor(2.0, device=d),
    "matmul_batch": lambda d: tg.ones(2, 2, 3, device=d) @ tg.ones(3, 3, 4, device=d),
    "linear": lambda d: F.linear(tg.ones(2, 3, device=d), tg.ones(4, 5, device=d)),
    "add": lambda d: tg.ones(2, 3, device=d) + tg.ones(4, device=d),
    "sub": lambda d: tg.ones(2, 3, device=d) - tg.ones(4, device=d),
    "mul": lambda d: tg.ones(2, 3, device=d) * tg.ones(4, device=d),
    "div": lambda d: tg.ones(2, 3, device=d) / tg.ones(4, device=d),
    "pow": lambda d: tg.ones(2, 3, device=d) ** tg.ones(4, device=d),
    "maximum": lambda d: tg.ones(2, 3, device=d).maximum(tg.ones(4, device=d)),
    "minimum": lambda d: tg.ones(2, 3, device=d).minimum(tg.ones(4, device=d)),
    "where": lambda d: tg.where(tg.ones(2, 3, device=d) > 0, tg.ones(2, 3, device=d), tg.ones(4, device=d)),
    "less": lambda d: tg.ones(2, 3, device=d) < tg.ones(4, device=d),
    "conv2d_channels": lambda d: F.conv2d(tg.ones(1, 2, 4, 4, device=d), tg.ones(3, 3, 2, 2, device=d)),
    "conv2d_input_dims": lambda d: F.conv2d(tg.ones(4, 4, device=d), tg.ones(3, 2, 2, 2, device=d)),
    "conv2d_kernel_too_big": lambda d: F.conv2d(tg.ones(1, 2, 4, 4, device=d), tg.ones(3, 2, 5, 5, device=d)),
    "conv2d_bias": lambda d: F.conv2d(tg.ones(1, 2, 4, 4, device=d), tg.ones(3, 2, 2, 2, device=d),
                                      tg.ones(2, device=d)),
    "max_pool2d_input_dims": lambda d: F.max_pool2d(tg.ones(4, 4, device=d), 2),
    "max_pool2d_kernel_too_big": lambda d: F.max_pool2d(tg.ones(1, 1, 4, 4, device=d), 5),
    "avg_pool2d_padding": lambda d: F.avg_pool2d(tg.ones(1, 1, 4, 4, device=d), 2, padding=2),
    "sum_repeated_dim": lambda d: tg.ones(2, 3, device=d).sum((0, 0)),
}


@pytest.mark.parametrize("name", sorted(SHAPE_ERRORS))
def test_shape_errors_are_both_value_errors_and_runtime_errors(name, device):
    op = name.split("_")[0] if not name.startswith("max_pool") and not name.startswith("avg_pool") \
        else name[:len("max_pool2d")]
    with pytest.raises(ShapeError, match=rf"^{op}: ") as error:
        SHAPE_ERRORS[name](device)
    assert isinstance(error.value, ValueError) and isinstance(error.value, RuntimeError)


# ---- 6. linspace of bools is refused --------------------------------------------------------------

def test_linspace_refuses_bool_like_torch():
    with pytest.raises(NotImplementedError):
        torch.linspace(0, 1, 3, dtype=torch.bool)
    with pytest.raises(NotImplementedError, match="linspace: not implemented for dtype bool"):
        tg.linspace(0, 1, 3, dtype=tg.bool)
    for dtype in ("int64", "uint8", "float64"):   # the other dtypes still work, truncated like torch
        assert_same(tg.linspace(0, 5, 4, dtype=dtype), torch.linspace(0, 5, 4, dtype=getattr(torch, dtype)))


# ---- 7. a masked backward leaves 0, not inf · 0 = nan ---------------------------------------------

def test_the_brief_example_relu_then_sqrt():
    x = tg.tensor([-1.0, 0.0, 4.0], requires_grad=True)
    x.relu().sqrt().sum().backward()
    tx = torch.tensor([-1.0, 0.0, 4.0], requires_grad=True)
    tx.relu().sqrt().sum().backward()
    assert_same(x.grad, tx.grad)
    assert x.grad.tolist() == [0.0, 0.0, 0.25]


KINKY = [NAN, -7.0, -4.0, -3.0, -1.5, -0.5, 0.0, 0.5, 3.0, 4.0, 6.0, 7.0]
MASKED = {
    "relu6": (lambda x: x.relu6(), TF.relu6),
    "hardswish": (lambda x: x.hardswish(), TF.hardswish),
    "leaky_relu": (lambda x: x.leaky_relu(), TF.leaky_relu),
    "leaky_relu_slope0": (lambda x: x.leaky_relu(0.0), lambda x: TF.leaky_relu(x, 0.0)),
    "clamp": (lambda x: x.clamp(-1.5, 3.0), lambda x: x.clamp(-1.5, 3.0)),
    "clamp_min": (lambda x: x.clamp(min=0.0), lambda x: x.clamp(min=0.0)),
    "clamp_max": (lambda x: x.clamp(max=0.5), lambda x: x.clamp(max=0.5)),
    "maximum": (lambda x: x.maximum(tg.zeros(len(KINKY), dtype="float64", device=x.device)),
                lambda x: torch.maximum(x, torch.zeros(len(KINKY), dtype=torch.float64))),
    "minimum_0d": (lambda x: x.minimum(Tensor(0.5, dtype="float64", device=x.device)),
                   lambda x: torch.minimum(x, torch.tensor(0.5, dtype=torch.float64))),
    "abs": (lambda x: x.abs(), torch.abs),   # torch's too is grad · sign(x): nan at 0, 0 at NaN
    "elu": (lambda x: x.elu(), TF.elu),
    "softplus": (lambda x: x.softplus(), TF.softplus),
    "where": (lambda x: tg.where(x > 0, x, 0.0), lambda x: torch.where(x > 0, x, 0.0)),
    "sign": (lambda x: x.sign(), torch.sign),
    "max": (lambda x: x.max(), lambda x: x.amax()),   # torch.amax's backward multiplies: nan too
    "max_pool1d_like": (lambda x: F.max_pool2d(x[1:].reshape(1, 1, 1, 11), (1, 2)),
                        lambda x: TF.max_pool2d(x[1:].reshape(1, 1, 1, 11), (1, 2))),
    "max_pool_overlapping": (lambda x: F.max_pool2d(x[1:].reshape(1, 1, 1, 11), (1, 3), 1),
                             lambda x: TF.max_pool2d(x[1:].reshape(1, 1, 1, 11), (1, 3), 1)),
}


@pytest.mark.parametrize("upstream", [INF, -INF, NAN, 2.0], ids=["inf", "-inf", "nan", "finite"])
@pytest.mark.parametrize("name", sorted(MASKED))
def test_masked_backward_with_infinite_or_nan_upstream_gradients_matches_torch(name, upstream, device):
    ours, theirs = MASKED[name]
    x, tx = ours_and_theirs(KINKY, "float64", device, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (g,), (t,) = grads_of(ours, [x], [tx], upstream, theirs)
    assert_same(g, t, name)


def test_step_has_a_zero_gradient_also_for_an_infinite_upstream_gradient(device):
    x = Tensor(KINKY, dtype="float64", device=device, requires_grad=True)
    g, = tg.grad(x.step(), [x], tg.full((len(KINKY),), INF, dtype="float64", device=device))
    assert g.tolist() == [0.0] * len(KINKY)


def test_an_ignored_sample_with_an_infinite_score_counts_zero_in_cross_entropy_like_torch(device):
    scores = np.array([[0.0, -INF, 1.0], [2.0, 0.0, 1.0]])
    x, tx = ours_and_theirs(scores, "float64", device, requires_grad=True)
    target = [1, 0]
    ours = F.nll_loss(x, Tensor(target, device=device), ignore_index=1, reduction="sum")
    theirs = TF.nll_loss(tx, torch.tensor(target), ignore_index=1, reduction="sum")
    assert_same(ours, theirs, "value")
    ours.backward()
    theirs.backward()
    assert_same(x.grad, tx.grad, "gradient")


@pytest.mark.parametrize("a, b", [([NAN, 1.0, 2.0, 2.0], [1.0, NAN, 1.0, 2.0])], ids=["nan-and-ties"])
@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_maximum_and_minimum_send_a_nan_s_gradient_to_both_inputs_like_torch(a, b, op, device):
    x, tx = ours_and_theirs(a, "float64", device, requires_grad=True)
    y, ty = ours_and_theirs(b, "float64", device, requires_grad=True)
    ours, theirs = grads_of(lambda p, q: getattr(p, op)(q), [x, y], [tx, ty], 1.0)
    for g, t in zip(ours, theirs):
        assert_same(g, t, op)


# ---- 8. reductions and dtypes -------------------------------------------------------------------

@pytest.mark.parametrize("op", ["sum", "mean", "max", "min", "var", "std"])
def test_an_empty_tuple_of_dims_reduces_every_dim_like_torch(op, device):
    x, tx = ours_and_theirs([[1.0, 2.0, 4.0], [0.0, 3.0, 3.5]], "float64", device, requires_grad=True)
    torch_op = {"max": "amax", "min": "amin"}.get(op, op)
    for keepdim in (False, True):
        ours = getattr(x, op)(dim=(), keepdim=keepdim)
        theirs = getattr(tx, torch_op)(dim=(), keepdim=keepdim)
        assert_same(ours, theirs, f"{op} keepdim={keepdim}")
    # gradients: torch's var/std backward for dim=() divides by n - 1 with n = 1 (a bug), so
    # the gradient is compared with the same reduction spelled dim=None
    g, = tg.grad(getattr(x, op)(dim=()), [x])
    t, = torch.autograd.grad(getattr(tx, torch_op)() if op in ("var", "std") else getattr(tx, torch_op)(dim=()),
                             [tx])
    assert_same(g, t, "gradient")


@pytest.mark.parametrize("dims", [(0, 0), (0, -2), (1, -1, 0)], ids=["same", "negative-alias", "three"])
@pytest.mark.parametrize("op", ["sum", "mean", "max", "min", "var", "std"])
def test_a_dim_named_twice_in_a_reduction_is_an_error_like_torch(op, dims):
    x, tx = ours_and_theirs(np.ones((2, 3)), "float32")
    torch_op = {"max": "amax", "min": "amin"}.get(op, op)
    with pytest.raises(RuntimeError, match="appears multiple times in the list of dims"):
        getattr(tx, torch_op)(dims)
    with pytest.raises(ShapeError, match=rf"^{op}: dim \d appears multiple times in the list of dims"):
        getattr(x, op)(dims)


@pytest.mark.parametrize("values, dtype, low, high", [
    ([1, 2, 3], "int64", 1.5, 2.5), ([1, 2, 3], "int64", None, 1.5), ([1, 2, 3], "int64", 1, 2),
    ([1, 2], "uint8", 1.5, None), ([True, False], "bool", 0.5, None), ([True, False], "bool", 0, 1),
    ([1.0, 2.0], "float16", 1.5, None), ([1.0, 5.0], "float32", 2, 4),
], ids=["int-float-bounds", "int-float-max", "int-int-bounds", "uint8-float", "bool-float", "bool-int",
        "float16-float", "float32-int-bounds"])
def test_clamp_promotes_by_its_bounds_like_torch(values, dtype, low, high, device):
    x, tx = ours_and_theirs(values, dtype, device)
    assert_same(x.clamp(low, high), tx.clamp(low, high))


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
                                   "float64"])
def test_sum_square_any_all_and_max_give_torch_s_dtypes(dtype, device):
    x, tx = ours_and_theirs([[1, 0, 1], [1, 1, 0]], dtype, device)
    assert_same(x.sum(), tx.sum(), "sum")
    assert_same(x.sum(1), tx.sum(1), "sum(1)")
    assert_same(x.any(), tx.any(), "any")
    assert_same(x.all(), tx.all(), "all")
    assert_same(x.max(), tx.amax(), "max")
    assert_same(x.square(), tx.square(), "square")


def test_an_integer_sum_does_not_wrap_around_like_torch():
    x, tx = ours_and_theirs([200, 200], "uint8")
    assert_same(x.sum(), tx.sum())
    assert x.sum().item() == 400


@pytest.mark.parametrize("op", ["argmax", "argmin", "max", "min"])
def test_reductions_that_pick_an_element_over_an_empty_dim_answer_like_torch(op, device):
    x, tx = ours_and_theirs(np.zeros((0, 3)), "float32", device)
    torch_op = {"max": "amax", "min": "amin"}.get(op, op)
    assert_same(getattr(x, op)(1), getattr(tx, torch_op)(1), "over the non-empty dim")
    assert_same(getattr(x, op)(1, keepdim=True), getattr(tx, torch_op)(1, keepdim=True), "keepdim")
    with pytest.raises(IndexError, match="Expected reduction dim 0 to have non-zero size"):
        getattr(tx, torch_op)(0)
    with pytest.raises(IndexError, match=rf"^{op}: expected reduction dim 0 to have non-zero size"):
        getattr(x, op)(0)
    no_dim_error = IndexError if op.startswith("arg") else RuntimeError
    with pytest.raises(no_dim_error, match="Expected reduction dim to be specified"):
        getattr(tx, torch_op)()
    with pytest.raises(no_dim_error, match=rf"^{op}: expected a dim to reduce over for an empty tensor"):
        getattr(x, op)()


@pytest.mark.parametrize("shape, dim", [((0, 3), 1), ((0, 3), 0), ((3, 0), 1), ((3, 0), 0), ((0,), 0)])
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_over_a_tensor_with_no_elements_is_empty_like_torch(op, shape, dim, device):
    x, tx = ours_and_theirs(np.zeros(shape), "float32", device, requires_grad=True)
    ours, theirs = getattr(x, op)(dim), getattr(tx, op)(dim)
    assert_same(ours, theirs)
    ours.sum().backward()
    theirs.sum().backward()
    assert_same(x.grad, tx.grad, "gradient")


def test_negating_or_subtracting_bools_is_refused_like_torch(device):
    mask, tmask = ours_and_theirs([True, False], "bool", device)
    number, tnumber = ours_and_theirs([1, 2], "int64", device)
    cases = [(lambda m, n: -m, "neg: negation, the `-` operator, on a bool tensor"),
             (lambda m, n: m - m, "sub: subtraction, the `-` operator, with two bool tensors"),
             (lambda m, n: n - m, "sub: subtraction, the `-` operator, with a bool tensor"),
             (lambda m, n: m - n, "sub: subtraction, the `-` operator, with a bool tensor"),
             (lambda m, n: m - 1, "sub: subtraction, the `-` operator, with a bool tensor"),
             (lambda m, n: 1 - m, "sub: subtraction, the `-` operator, with a bool tensor"),
             (lambda m, n: n - True, "sub: subtraction, the `-` operator, with a bool tensor")]
    for call, message in cases:
        with pytest.raises(RuntimeError, match="with (a|two) bool tensors? is not supported|on a bool tensor"):
            call(tmask, tnumber)
        with pytest.raises(DTypeError, match=f"^{message}") as error:
            call(mask, number)
        assert isinstance(error.value, TypeError) and isinstance(error.value, RuntimeError)
    assert (~mask).tolist() == [False, True]   # what the messages suggest instead


def test_matmul_of_two_dtypes_is_refused_like_torch(device):
    a = tg.ones(2, 3, device=device)
    with pytest.raises(RuntimeError, match="same dtype"):
        torch.ones(2, 3) @ torch.ones(3, dtype=torch.float64)
    with pytest.raises(DTypeError, match=r"^matmul: expected both operands to have the same dtype, but got "
                                         r"float32 and float64"):
        a @ tg.ones(3, dtype=tg.float64, device=device)


def test_bitwise_ops_promote_and_invert_refuses_floats_like_torch():
    (m, tm), (n, tn) = ours_and_theirs([True, False], "bool"), ours_and_theirs(2, "int64")
    assert_same(m | n, tm | tn, "bool | 0-d int64")
    assert_same(m & Tensor([3, 3]), tm & torch.tensor([3, 3]), "bool & int64")
    with pytest.raises(TypeError, match="only implemented on integer and Boolean"):
        ~torch.tensor([1.0])
    with pytest.raises(TypeError, match="invert: ~ is only implemented on integer and bool tensors, got float32"):
        ~Tensor([1.0])


# ---- 9. messages that name the op and the argument ------------------------------------------------

@pytest.mark.parametrize("dim, kind", [("a", "str"), (1.0, "float"), (True, "bool")])
def test_a_dim_of_the_wrong_type_names_the_op_and_the_type(dim, kind):
    for op in ("sum", "mean", "max", "var"):
        with pytest.raises(TypeError, match=rf"^{op}: dim must be an int or a tuple of ints, got {kind}$"):
            getattr(tg.ones(2, 3), op)(dim)


@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool2d"])
@pytest.mark.parametrize("kernel_size", [-1, 0, (2, -1)])
def test_a_bad_kernel_size_for_pooling_is_reported_as_such_not_as_bad_padding(op, kernel_size):
    with pytest.raises(RuntimeError, match="kernel size should be greater than zero|stride should not be zero"):
        getattr(TF, op)(torch.ones(1, 1, 4, 4), kernel_size)
    with pytest.raises(ShapeError, match=rf"^{op}: kernel_size must be at least 1, got") as error:
        getattr(F, op)(tg.ones(1, 1, 4, 4), kernel_size)
    assert "padding" not in str(error.value)


# ---- 10. no NumPy floating-point warnings: inf and nan come silently, as in PyTorch ---------------

EXTREMES = [-INF, -3e38, -1000.0, -88.0, -1.0, -0.0, 0.0, 1e-30, 1.0, 88.0, 1000.0, 3e38, INF, NAN]
_other = lambda x: Tensor(np.array(EXTREMES[::-1], dtype=x.dtype), device=x.device)  # noqa: E731
EXTREME_OPS = {
    "add": lambda x: x + _other(x), "sub": lambda x: x - _other(x), "mul": lambda x: x * _other(x),
    "div": lambda x: x / _other(x), "add_number": lambda x: x + 3e38, "mul_number": lambda x: x * 1e30,
    "rsub": lambda x: 3e38 - x, "rdiv": lambda x: 1.0 / x, "neg": lambda x: -x,
    "pow_number": lambda x: x ** 3, "pow_half": lambda x: x ** 0.5, "pow_negative": lambda x: x ** -2,
    "pow_tensor": lambda x: x ** _other(x), "rpow": lambda x: 2.0 ** x, "exp": lambda x: x.exp(),
    "log": lambda x: x.log(), "sqrt": lambda x: x.sqrt(), "abs": lambda x: x.abs(), "sign": lambda x: x.sign(),
    "square": lambda x: x.square(), "maximum": lambda x: x.maximum(_other(x)),
    "minimum": lambda x: x.minimum(_other(x)), "clamp": lambda x: x.clamp(-1.0, 1.0),
    "where": lambda x: tg.where(x > 0, x, _other(x)), "erf": lambda x: x.erf(),
    "relu": lambda x: x.relu(), "sigmoid": lambda x: x.sigmoid(), "tanh": lambda x: x.tanh(),
    "softmax": lambda x: x.reshape(2, 7).softmax(1), "log_softmax": lambda x: x.reshape(2, 7).log_softmax(1),
    "softplus": lambda x: x.softplus(), "elu": lambda x: x.elu(), "gelu": lambda x: x.gelu(),
    "gelu_tanh": lambda x: x.gelu("tanh"), "silu": lambda x: x.silu(), "mish": lambda x: x.mish(),
    "relu6": lambda x: x.relu6(), "hardswish": lambda x: x.hardswish(), "leaky_relu": lambda x: x.leaky_relu(),
    "step": lambda x: x.step(), "sum": lambda x: x.sum(), "mean": lambda x: x.mean(), "var": lambda x: x.var(),
    "std": lambda x: x.std(), "max": lambda x: x.max(), "matmul": lambda x: x.reshape(2, 7) @ _other(x).reshape(7, 2),
    "mse_loss": lambda x: F.mse_loss(x, _other(x)),
    "binary_cross_entropy": lambda x: F.binary_cross_entropy(x.sigmoid(), _other(x).sigmoid()),
    "binary_cross_entropy_with_logits": lambda x: F.binary_cross_entropy_with_logits(x, _other(x).sigmoid()),
    "cross_entropy": lambda x: F.cross_entropy(x.reshape(2, 7), Tensor([0, 6], device=x.device)),
    "nll_loss": lambda x: F.nll_loss(x.reshape(2, 7), Tensor([0, 6], device=x.device)),
    "conv2d": lambda x: F.conv2d(x.reshape(1, 1, 2, 7), _other(x)[:4].reshape(1, 1, 2, 2)),
    "max_pool2d": lambda x: F.max_pool2d(x.reshape(1, 1, 2, 7), 2),
    "avg_pool2d": lambda x: F.avg_pool2d(x.reshape(1, 1, 2, 7), 2, 1),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(EXTREME_OPS))
def test_ops_on_extreme_inputs_never_warn_forward_or_backward(name, dtype, device):
    x = Tensor(np.array(EXTREMES, dtype=dtype), device=device, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = EXTREME_OPS[name](x)
        y.backward(tg.full(y.shape, 1.0, dtype=y.dtype, device=device) * Tensor(3e38, dtype=y.dtype, device=device))


@pytest.mark.parametrize("name", ["add", "mul", "sub", "exp", "div", "pow_tensor", "softmax", "sum", "matmul"])
def test_extreme_values_match_torch(name):
    x = Tensor(np.array(EXTREMES, dtype="float32"))
    torch_ops = {"add": lambda t, o: t + o, "mul": lambda t, o: t * o, "sub": lambda t, o: t - o,
                 "exp": lambda t, o: t.exp(), "div": lambda t, o: t / o, "pow_tensor": lambda t, o: t ** o,
                 "softmax": lambda t, o: t.reshape(2, 7).softmax(1), "sum": lambda t, o: t.sum(),
                 "matmul": lambda t, o: t.reshape(2, 7) @ o.reshape(7, 2)}
    t = torch.tensor(EXTREMES, dtype=torch.float32)
    assert_same(EXTREME_OPS[name](x), torch_ops[name](t, t.flip(0)), name)


def test_exp_of_1000_is_inf_without_a_warning_in_every_warnings_mode():
    for mode in ("error", "always", "default", "once"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter(mode)
            out = tg.tensor([1000.0]).exp() + tg.tensor([3e38]) * 10.0 - tg.tensor([INF])
            warnings.simplefilter(mode)   # a filter put first after our ops ran in this block
            again = tg.tensor([3e38]) * tg.tensor([10.0]) + 3e38 - tg.tensor([INF]) * 0.0
        assert not caught and np.isnan(out.item()) and np.isnan(again.item())


def test_ops_stay_quiet_when_numpy_is_set_to_raise():
    with np.errstate(all="raise"):
        x = tg.tensor([3e38, 0.0, 1000.0])
        out = (x * x + x - x * 2.0 + 3e38) / x
        out = out + x.exp() + x.log() + x.sqrt() + x ** 0.5 + x ** x + x.sum() + x.softmax(0)
    assert not np.isfinite(out.numpy()).any()


def test_the_user_s_own_numpy_still_warns_as_it_did():
    before = np.geterr()
    tg.tensor([1000.0]).exp()
    tg.tensor([3e38]) * tg.tensor([10.0])
    assert np.geterr() == before
    with pytest.warns(RuntimeWarning, match="overflow"):
        np.exp(np.array([1000.0], dtype=np.float32))


class _UsersOwnExp(tg.Function):
    """f(x) = e^x computed with NumPy's Python-level function, as a user might write it;
    df/dx = e^x"""

    def forward(self, x):
        return np.exp(x) + np.sum(x) * 0   # np.sum: NumPy code outside tinygrad_edu's modules

    def backward(self, grad):
        return grad * self.inputs[0].exp()


@pytest.mark.parametrize("mode", ["default", "error", "always"])
def test_a_user_defined_function_computes_quietly_too_and_backward_as_well(mode):
    """Only the ops that declare quiet_by_filter skip the quiet block; a Function of the user's
    own gets it, whatever the warnings filters and NumPy's error settings say."""
    x = tg.tensor([1000.0, 1.0], requires_grad=True)
    with warnings.catch_warnings(), np.errstate(all="raise" if mode == "error" else "warn"):
        warnings.simplefilter(mode)
        y = _UsersOwnExp.apply(x)
        (y * tg.tensor([1.0, -np.inf])).sum().backward()   # inf · e^1000 and -inf: nan, quietly
    assert np.isinf(y.numpy()[0]) and not np.isfinite(x.grad.numpy()).all()
