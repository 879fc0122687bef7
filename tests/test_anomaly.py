"""tg.detect_anomaly: names the op whose forward or backward first made NaN or inf."""
from __future__ import annotations

import warnings

import pytest

import tinygrad_edu as tg
from tinygrad_edu import autograd


@pytest.fixture(autouse=True)
def quiet_numpy():
    with warnings.catch_warnings():   # NumPy warns about log(0) and 1/0; those are the point here
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def test_detect_anomaly_is_exported_at_the_top_level():
    assert tg.detect_anomaly is tg.study.detect_anomaly


def test_log_of_zero_is_blamed_on_log_with_its_forward_position(device):
    x = tg.tensor([0.0, 1.0], device=device, requires_grad=True)
    y = x * 2.0
    with tg.detect_anomaly():
        with pytest.raises(RuntimeError, match=r"the forward of log \(op #\d+ in forward order\) produced "
                                               r"1 -inf among 2 elements") as info:
            y.log()
    assert info.value.op.op_name() == "log"
    assert info.value.op.position == y.grad_fn.position + 1
    assert "test_anomaly.py" in str(info.value)          # where the user called it


def test_the_first_bad_op_is_named_not_the_ones_it_spreads_to():
    x = tg.tensor([0.0, 1.0], requires_grad=True)
    with tg.detect_anomaly():
        with pytest.raises(tg.study.AnomalyError, match="the forward of div"):
            ((x - x) / (x - x)).exp().sum()


def test_a_nan_made_in_backward_is_blamed_on_that_ops_backward():
    x = tg.tensor([0.0, 4.0], requires_grad=True)
    with tg.detect_anomaly():
        y = x.sqrt().sum()                                   # forward is fine: sqrt(0) = 0
        with pytest.raises(tg.study.AnomalyError, match=r"the backward of sqrt \(op #\d+ in forward order\) "
                                                        r"produced 1 inf") as info:
            y.backward()
    assert "its forward was called from" in str(info.value) and "test_anomaly.py" in str(info.value)


def test_a_bad_gradient_returned_by_a_custom_backward_is_caught():
    class BadBackward(tg.Function):
        """f(x) = x;  df/dx = 1 (but this backward returns nan)"""

        def forward(self, x):
            return x.copy()

        def backward(self, grad):
            return self.constant(self.xp.full(grad.shape, float("nan"), dtype=grad.dtype))

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = BadBackward.apply(x).sum()
    with tg.detect_anomaly():
        with pytest.raises(tg.study.AnomalyError, match=r"the backward of bad_backward .* produced 2 nan among 2 "
                                                        r"elements in the gradient for its input 0 of shape \(2,\) "
                                                        r"\(its forward ran before detect_anomaly"):
            y.backward()


def test_without_detect_anomaly_nothing_is_checked_and_no_hooks_are_installed():
    assert not autograd.active_hooks()[0] and not autograd.active_hooks()[1]
    x = tg.tensor([0.0, 1.0], requires_grad=True)
    assert x.log().numpy()[0] == float("-inf")


def test_the_hooks_are_removed_on_exit_even_after_an_error():
    with pytest.raises(tg.study.AnomalyError):
        with tg.detect_anomaly():
            tg.tensor([0.0]).log()
    assert not autograd.active_hooks()[0] and not autograd.active_hooks()[1]


def test_detect_anomaly_works_as_a_decorator_and_nests():
    @tg.detect_anomaly()
    def bad():
        with tg.detect_anomaly():
            pass
        assert len(autograd.active_hooks()[0]) == 1
        return tg.tensor([-1.0]).sqrt()

    with pytest.raises(tg.study.AnomalyError, match="the forward of sqrt .* 1 nan among 1 elements"):
        bad()
    assert not autograd.active_hooks()[0]


def test_check_nan_false_turns_the_checks_off():
    with tg.detect_anomaly(check_nan=False):
        assert not autograd.active_hooks()[0]
        assert tg.tensor([0.0]).log().numpy()[0] == float("-inf")


def test_finite_computations_pass_untouched():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with tg.detect_anomaly():
        (x.log() * x).sum().backward()
    assert x.grad.numpy().tolist() == pytest.approx([1.0, 1.0 + 0.6931471805599453])
