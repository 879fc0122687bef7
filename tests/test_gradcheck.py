"""tg.gradcheck: passes correct gradients, catches wrong ones with a per-element report."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Function


class Cube(Function):
    """f(x) = x³;  df/dx = 3x²"""

    def forward(self, x):
        return x * x * x

    def backward(self, grad):
        x, = self.inputs
        return grad * 3.0 * x * x


class WrongCube(Function):
    """f(x) = x³, with a deliberate mistake in backward: 2x² instead of 3x²"""

    def forward(self, x):
        return x * x * x

    def backward(self, grad):
        x, = self.inputs
        return grad * 2.0 * x * x


class WrongAtOneElement(Function):
    """f(x) = 2x, whose backward forgets the factor 2 for element 1 only"""

    def forward(self, x):
        return 2 * x

    def backward(self, grad):
        factor = self.xp.full(self.inputs[0].shape, 2.0, dtype=grad.dtype)
        factor[1] = 1.0
        return grad * self.constant(factor)


def test_gradcheck_is_exported_at_the_top_level():
    assert tg.gradcheck is tg.study.gradcheck


def test_correct_functions_pass(device):
    x = tg.randn(3, 4, device=device, requires_grad=True)
    w = tg.randn(4, 2, device=device, requires_grad=True)
    b = tg.randn(2, device=device, requires_grad=True)
    assert tg.gradcheck(lambda x, w, b: (x @ w + b).tanh(), [x, w, b])
    assert tg.gradcheck(lambda x: (x * x).sum(), x)
    assert tg.gradcheck(lambda x: x.softmax(dim=1), [x])


def test_functions_with_several_outputs_and_constant_inputs_pass():
    x = tg.randn(2, 3, requires_grad=True)
    scale = tg.randn(2, 3)
    assert tg.gradcheck(lambda x, s, k: (x * s * k, x.sigmoid().sum(dim=0)), [x, scale, 2.0])


def test_a_correct_custom_function_passes():
    assert tg.gradcheck(Cube.apply, [tg.randn(5, requires_grad=True)])


def test_a_wrong_custom_function_fails_with_a_per_element_report():
    x = tg.tensor([1.0, -2.0, 0.5], requires_grad=True)
    with pytest.raises(tg.study.GradcheckError, match=r"differ in 3 Jacobian entries") as info:
        tg.gradcheck(WrongCube.apply, [x])
    report = str(info.value)
    # the worst entry first: x = -2, analytic 2·4 = 8, numeric 3·4 = 12
    first = report.splitlines()[1].strip()
    assert first.startswith("input 0[1] -> output 0[1]: analytic 8, numeric 12")
    assert "input 0[0] -> output 0[0]: analytic 2, numeric 3" in report


def test_the_report_names_the_one_wrong_element():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(tg.study.GradcheckError, match=r"differ in 1 Jacobian entries") as info:
        tg.gradcheck(lambda x: WrongAtOneElement.apply(x), [x])
    assert "input 0[1] -> output 0[1]: analytic 1, numeric 2" in str(info.value)


def test_the_report_says_which_input_is_wrong():
    a = tg.randn(2, requires_grad=True)
    b = tg.tensor([1.0, -1.0], requires_grad=True)
    with pytest.raises(tg.study.GradcheckError) as info:
        tg.gradcheck(lambda a, b: a * 2.0 + WrongCube.apply(b), [a, b])
    lines = str(info.value).splitlines()[1:]
    assert lines and all(line.strip().startswith("input 1[") for line in lines)


def test_without_raising_a_failure_returns_false():
    assert tg.gradcheck(WrongCube.apply, [tg.tensor([1.0], requires_grad=True)], raise_exception=False) is False


def test_tolerances_decide_what_counts_as_a_mismatch():
    x = tg.tensor([1.0], requires_grad=True)
    # analytic 2 vs numeric 3: within atol=1.5, outside the defaults
    assert tg.gradcheck(WrongCube.apply, [x], atol=1.5)
    assert not tg.gradcheck(WrongCube.apply, [x], raise_exception=False)


def test_gradcheck_leaves_the_users_tensors_untouched():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    before = x.numpy().copy()
    tg.gradcheck(lambda x: (x * x).sum(), [x])
    assert x.dtype == tg.float32 and x.grad is None
    np.testing.assert_array_equal(x.numpy(), before)


def test_gradcheck_works_in_float64_even_for_float32_inputs():
    seen = []

    def f(x):
        seen.append(x.dtype)
        return (x * x).sum()

    tg.gradcheck(f, [tg.tensor([0.1, 0.2], requires_grad=True)], eps=1e-7, atol=1e-8, rtol=1e-7)
    assert set(seen) == {tg.float64}


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="gradcheck: none of the inputs requires grad"):
        tg.gradcheck(lambda x: x * 2.0, [tg.tensor([1.0])])


def test_gradcheck_needs_fn_to_return_tensors():
    with pytest.raises(TypeError, match="gradcheck: fn must return a Tensor or a tuple of Tensors, got float"):
        tg.gradcheck(lambda x: 1.0, [tg.tensor([1.0], requires_grad=True)])


def test_gradcheck_needs_a_positive_eps():
    with pytest.raises(ValueError, match="gradcheck: eps must be positive, got 0"):
        tg.gradcheck(lambda x: x, [tg.tensor([1.0], requires_grad=True)], eps=0)
