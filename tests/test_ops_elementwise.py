"""Elementwise operations against PyTorch: values, gradients, second derivatives and dtypes.

Every case runs on every device of the `device` fixture and checks, in float64, the forward
value, the gradient of every input and the gradients of those gradients (`double=True`).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu import Tensor

# (name, our function, torch's function, input shapes, options for the input range)
CASES = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, [(2, 3), (2, 3)], {}),
    ("add_broadcast_row", lambda a, b: a + b, lambda a, b: a + b, [(2, 3), (3,)], {}),
    ("add_broadcast_both", lambda a, b: a + b, lambda a, b: a + b, [(4, 1, 3), (2, 1)], {}),
    ("add_0d_and_matrix", lambda a, b: a + b, lambda a, b: a + b, [(), (2, 3)], {}),
    ("add_size1_dims", lambda a, b: a + b, lambda a, b: a + b, [(1,), (3, 1)], {}),
    ("add_python_float_right", lambda a: a + 2.5, lambda a: a + 2.5, [(2, 3)], {}),
    ("add_python_int_left", lambda a: 3 + a, lambda a: 3 + a, [(2, 3)], {}),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, [(3, 1), (1, 4)], {}),
    ("sub_python_float_right", lambda a: a - 1.5, lambda a: a - 1.5, [(5,)], {}),
    ("sub_python_int_left", lambda a: 2 - a, lambda a: 2 - a, [(5,)], {}),
    ("sub_0d_both", lambda a, b: a - b, lambda a, b: a - b, [(), ()], {}),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, [(2, 3), (2, 3)], {}),
    ("mul_broadcast", lambda a, b: a * b, lambda a, b: a * b, [(2, 1, 4), (3, 1)], {}),
    ("mul_python_float_left", lambda a: 0.5 * a, lambda a: 0.5 * a, [(2, 2)], {}),
    ("mul_0d", lambda a, b: a * b, lambda a, b: a * b, [(3, 2), ()], {}),
    ("mul_same_tensor_twice", lambda a: a * a, lambda a: a * a, [(4,)], {}),
    ("div", lambda a, b: a / b, lambda a, b: a / b, [(2, 3), (2, 3)], {"low": 0.5, "high": 2.0}),
    ("div_broadcast", lambda a, b: a / b, lambda a, b: a / b, [(2, 3), (2, 1)], {"low": 0.5, "high": 2.0}),
    ("div_python_float_right", lambda a: a / 4.0, lambda a: a / 4.0, [(3,)], {}),
    ("div_python_int_left", lambda a: 2 / a, lambda a: 2 / a, [(3,)], {"low": 0.5, "high": 2.0}),
    ("neg", lambda a: -a, lambda a: -a, [(2, 3)], {}),
    ("neg_0d", lambda a: -a, lambda a: -a, [()], {}),
    ("pow_int_exponent", lambda a: a ** 3, lambda a: a ** 3, [(2, 3)], {}),
    ("pow_square", lambda a: a ** 2, lambda a: a ** 2, [(2, 3)], {}),
    ("pow_half", lambda a: a ** 0.5, lambda a: a ** 0.5, [(2, 3)], {"low": 0.5, "high": 2.0}),
    ("pow_negative_float", lambda a: a ** -1.5, lambda a: a ** -1.5, [(4,)], {"low": 0.5, "high": 2.0}),
    ("pow_zero", lambda a: a ** 0, lambda a: a ** 0, [(4,)], {}),
    ("pow_tensor_tensor", lambda a, b: a ** b, lambda a, b: a ** b, [(2, 3), (2, 3)], {"low": 0.5, "high": 2.0}),
    ("pow_tensor_broadcast", lambda a, b: a ** b, lambda a, b: a ** b, [(2, 3), (3,)], {"low": 0.5, "high": 2.0}),
    ("pow_python_base", lambda a: 2.0 ** a, lambda a: 2.0 ** a, [(2, 3)], {}),
    ("pow_0d_exponent", lambda a, b: a ** b, lambda a, b: a ** b, [(3,), ()], {"low": 0.5, "high": 2.0}),
    ("exp", lambda a: a.exp(), lambda a: a.exp(), [(2, 3)], {}),
    ("exp_0d", lambda a: tg.exp(a), lambda a: a.exp(), [()], {}),
    ("log", lambda a: a.log(), lambda a: a.log(), [(2, 3)], {"low": 0.1, "high": 3.0}),
    ("sqrt", lambda a: a.sqrt(), lambda a: a.sqrt(), [(2, 3)], {"low": 0.1, "high": 3.0}),
    ("abs", lambda a: a.abs(), lambda a: a.abs(), [(2, 3)], {}),
    ("abs_builtin", lambda a: abs(a), lambda a: abs(a), [(1, 4)], {}),
    ("maximum", lambda a, b: a.maximum(b), lambda a, b: torch.maximum(a, b), [(2, 3), (2, 3)], {}),
    ("maximum_broadcast", lambda a, b: tg.maximum(a, b), lambda a, b: torch.maximum(a, b), [(2, 1, 3), (4, 1)], {}),
    ("maximum_0d", lambda a, b: a.maximum(b), lambda a, b: torch.maximum(a, b), [(5,), ()], {}),
    ("minimum", lambda a, b: a.minimum(b), lambda a, b: torch.minimum(a, b), [(2, 3), (2, 3)], {}),
    ("minimum_broadcast", lambda a, b: tg.minimum(a, b), lambda a, b: torch.minimum(a, b), [(3, 1), (1, 4)], {}),
    ("clamp_both", lambda a: a.clamp(-0.5, 0.5), lambda a: a.clamp(-0.5, 0.5), [(3, 4)], {}),
    ("clamp_min_only", lambda a: a.clamp(min=0.1), lambda a: a.clamp(min=0.1), [(3, 4)], {}),
    ("clamp_max_only", lambda a: tg.clamp(a, max=0.2), lambda a: a.clamp(max=0.2), [(3, 4)], {}),
    ("where", lambda a, b: tg.where(a > 0, a, b), lambda a, b: torch.where(a > 0, a, b), [(2, 3), (2, 3)], {}),
    ("where_broadcast", lambda a, b: tg.where(b > 0, a, b), lambda a, b: torch.where(b > 0, a, b),
     [(2, 3), (3,)], {}),
    ("where_python_scalar", lambda a: tg.where(a > 0, a, 0.0), lambda a: torch.where(a > 0, a, 0.0), [(5,)], {}),
    ("where_python_scalar_first", lambda a: tg.where(a > 0, 1.0, a), lambda a: torch.where(a > 0, 1.0, a),
     [(5,)], {}),
    ("where_method", lambda a, b: a.where(a < b, b), lambda a, b: a.where(a < b, b), [(2, 2), (2, 2)], {}),
    ("numpy_array_left", lambda a: np.full((2, 3), 2.0) * a, lambda a: torch.full((2, 3), 2.0, dtype=a.dtype) * a,
     [(2, 3)], {}),
    ("mul_odd_shapes", lambda a, b: a * b, lambda a, b: a * b, [(5, 1, 7), (3, 1)], {}),
    ("sub_size1_everywhere", lambda a, b: a - b, lambda a, b: a - b, [(1, 1, 1), (1,)], {}),
    ("chain", lambda a, b: (a * b + a.exp()) / (b * b + 1.0), lambda a, b: (a * b + a.exp()) / (b * b + 1.0),
     [(3,), (2, 3)], {}),
]


@pytest.mark.parametrize("name, ours, theirs, shapes, options", CASES, ids=[c[0] for c in CASES])
def test_elementwise_op_values_gradients_and_second_derivatives_match_torch(name, ours, theirs, shapes, options,
                                                                            device):
    check_against_torch(ours, theirs, shapes, device=device, double=True, **options)


DIFFERENTIABLE = [c for c in CASES if c[0] not in ("numpy_array_left",)]


@pytest.mark.parametrize("name, ours, theirs, shapes, options", DIFFERENTIABLE, ids=[c[0] for c in DIFFERENTIABLE])
def test_elementwise_op_gradients_match_finite_differences(name, ours, theirs, shapes, options):
    small = [tuple(min(n, 2) for n in s) for s in shapes]
    finite_difference_check(ours, small, **options)


def test_maximum_and_minimum_split_the_gradient_evenly_on_ties_like_torch(device):
    a = np.array([1.0, 2.0, 3.0, 2.0])
    b = np.array([1.0, 0.0, 3.0, 5.0])
    check_against_torch(lambda x, y: x.maximum(y), torch.maximum, [a, b], device=device, double=True)
    check_against_torch(lambda x, y: x.minimum(y), torch.minimum, [a, b], device=device, double=True)


def test_clamp_gradient_passes_at_the_bounds_like_torch(device):
    x = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    check_against_torch(lambda a: a.clamp(-0.5, 0.5), lambda a: a.clamp(-0.5, 0.5), [x], device=device)


def test_abs_gradient_at_zero_is_zero_like_torch(device):
    check_against_torch(lambda a: a.abs(), torch.abs, [np.array([-2.0, 0.0, 3.0])], device=device)


def test_pow_with_a_negative_base_and_an_integer_exponent_matches_torch(device):
    x = np.array([-2.0, -0.5, 1.5])
    check_against_torch(lambda a: a ** 3, lambda a: a ** 3, [x], device=device, double=True)
    check_against_torch(lambda a: a ** -2, lambda a: a ** -2, [x], device=device, double=True)


def test_pow_gradient_for_the_exponent_where_the_base_is_not_positive_matches_torch(device):
    # torch: 0 for 0^b with b >= 0, -inf for 0^b with b < 0, nan for a negative base (ln a is nan)
    base = np.array([-2.0, 0.0, 0.0, 0.0, 2.0])
    exponent = np.array([2.0, 2.0, 0.0, -1.0, 2.0])
    ours = Tensor(exponent, device=device, requires_grad=True)
    (Tensor(base, device=device) ** ours).sum().backward()
    theirs = torch.tensor(exponent, requires_grad=True)
    (torch.tensor(base) ** theirs).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy())
    np.testing.assert_allclose(ours.grad.numpy(), [np.nan, 0.0, 0.0, -np.inf, 4.0 * np.log(2.0)])


def test_a_tensor_used_twice_accumulates_both_gradients(device):
    x = Tensor([1.0, 2.0], device=device, requires_grad=True)
    (x * 3.0 + x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 7.0])


def test_an_intermediate_reached_along_paths_of_different_length_gets_every_gradient(device):
    x = Tensor([1.0, 2.0], device=device, requires_grad=True)
    a = x * 2.0
    b = a * 3.0          # a feeds the sum directly and through b: a diamond with unequal sides
    (a + b).sum().backward()
    assert x.grad.tolist() == [8.0, 8.0]


def test_float32_inputs_stay_float32_through_ops_with_python_numbers(device):
    x = Tensor([1.0, 2.0], device=device, requires_grad=True)
    for y in (x + 2.5, 2.5 - x, x * 3, x / 2, 1 / x, x ** 2, x ** 0.5, 2.0 ** x, x.exp(), x.clamp(0, 1),
              tg.where(x > 1, x, 0.0)):
        assert y.dtype == tg.float32
    (x * 2.5).sum().backward()
    assert x.grad.dtype == tg.float32


def test_integer_tensor_times_a_python_float_gives_float32(device):
    n = Tensor([1, 2, 3], device=device)
    assert n.dtype == tg.int64
    assert (n * 2.5).dtype == tg.float32
    assert (2.5 * n).dtype == tg.float32
    assert (n * 2).dtype == tg.int64
    assert (n + True).dtype == tg.int64
    np.testing.assert_allclose((n * 2.5).numpy(), [2.5, 5.0, 7.5])


def test_float32_with_float64_promotes_to_float64_and_gradients_keep_each_dtype(device):
    a = Tensor(np.ones(3, dtype=np.float32), device=device, requires_grad=True)
    b = Tensor(np.ones(3, dtype=np.float64), device=device, requires_grad=True)
    out = a + b
    assert out.dtype == tg.float64
    (out * b).sum().backward()
    assert a.grad.dtype == tg.float32 and b.grad.dtype == tg.float64


def test_integer_tensor_mixed_with_a_float_tensor_takes_the_float_dtype(device):
    n = Tensor([1, 2], device=device)
    f = Tensor([0.5, 0.5], device=device)
    assert (n + f).dtype == tg.float32
    assert (f * n).dtype == tg.float32


def test_integer_division_is_true_division_into_float32(device):
    a, b = Tensor([1, 2, 7], device=device), Tensor([2, 4, 2], device=device)
    out = a / b
    assert out.dtype == tg.float32
    np.testing.assert_allclose(out.numpy(), [0.5, 0.5, 3.5])
    assert (a / 2).dtype == tg.float32
    assert (2 / b).dtype == tg.float32


def test_unary_float_ops_turn_integer_tensors_into_float32_like_torch(device):
    n = Tensor([1, 4], device=device)
    for op in ("exp", "log", "sqrt"):
        out = getattr(n, op)()
        expected = getattr(torch, op)(torch.tensor([1, 4]))
        assert out.dtype == tg.float32, op
        np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6)


def test_integer_tensor_to_a_float_power_gives_float32_like_torch(device):
    n = Tensor([1, 4, 9], device=device)
    out = n ** 0.5
    assert out.dtype == tg.float32
    np.testing.assert_allclose(out.numpy(), [1.0, 2.0, 3.0])
    assert (n ** 2).dtype == tg.int64


def test_comparisons_return_bool_tensors_without_gradient(device):
    x = Tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    y = Tensor([3.0, 2.0, 1.0], device=device, requires_grad=True)
    results = {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y, "==": x == y, "!=": x != y,
               "scalar right": x > 2, "scalar left": 2 < x, "broadcast": x.reshape(3, 1) < y}
    expected = {"<": [True, False, False], "<=": [True, True, False], ">": [False, False, True],
                ">=": [False, True, True], "==": [False, True, False], "!=": [True, False, True],
                "scalar right": [False, False, True], "scalar left": [False, False, True]}
    for name, r in results.items():
        assert r.dtype == tg.bool, name
        assert not r.requires_grad and r.grad_fn is None, name
        if name in expected:
            assert r.tolist() == expected[name], name
    assert results["broadcast"].shape == (3, 3)


def test_where_accepts_a_boolean_condition_from_a_comparison_and_routes_gradients(device):
    x = Tensor([-1.0, 2.0, -3.0], device=device, requires_grad=True)
    y = Tensor([10.0, 20.0, 30.0], device=device, requires_grad=True)
    tg.where(x > 0, x, y).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]
    assert y.grad.tolist() == [1.0, 0.0, 1.0]


def test_clone_copies_the_data_and_passes_the_gradient(device):
    x = Tensor([1.0, 2.0], device=device, requires_grad=True)
    y = x.clone()
    assert y.array is not x.array
    (y * 2.0).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_cast_between_float_dtypes_converts_the_gradient_back(device):
    check_against_torch(lambda a: a.float() * 2.0, lambda a: a.float() * 2.0, [(3,)], device=device,
                        rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("make", [lambda x: x.log(), lambda x: 1.0 / x, lambda x: x.sqrt(), lambda x: x ** -0.5,
                                  lambda x: x ** Tensor([0.5, 0.5, 0.5])])
def test_inf_and_nan_come_silently_as_in_torch(make):
    x = Tensor([0.0, -1.0, 4.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = make(x)
        y.sum().backward()
    assert not np.isfinite(y.numpy()[:2]).all()
