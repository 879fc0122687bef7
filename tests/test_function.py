"""Writing a Function is safe: state in __init__, errors that keep their traceback, derived
names, the documented example; and the engine's per-thread door for study tools."""
from __future__ import annotations

import doctest
import threading
import traceback

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import autograd
from tinygrad_edu.autograd import Function


def test_the_function_docstring_example_runs_as_written():
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    tests = [t for t in finder.find(Function, "Function", globs={}) if t.examples]
    assert tests
    for test in tests:
        outcome = runner.run(test, out=lambda text: None)
        assert outcome.failed == 0 and outcome.attempted >= 5


def test_state_set_in_init_is_there_in_forward_and_backward():
    class Scaled(Function):
        """f(x) = k·x;  df/dx = k"""

        def __init__(self):
            self.k = 3.0

        def forward(self, x):
            return x * self.k

        def backward(self, grad):
            return grad * self.k

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    Scaled.apply(x).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_an_init_that_wants_arguments_is_a_clear_error():
    class NeedsScale(Function):
        def __init__(self, scale):
            self.scale = scale

        def forward(self, x):
            return x * self.scale

    with pytest.raises(TypeError, match=r"NeedsScale.__init__ must take no arguments.*pass options to apply"):
        NeedsScale.apply(tg.tensor([1.0]))


def test_an_error_in_forward_keeps_the_failing_line_and_names_the_op():
    class Broken(Function):
        """f(x) = x;  df/dx = 1"""

        def forward(self, x):
            return x.reshape(7)   # the failing line

    with pytest.raises(ValueError, match=r"^broken: .*\(inputs: \(2,\) float32\)") as error:
        Broken.apply(tg.tensor([1.0, 2.0]))
    lines = [frame.line for frame in traceback.extract_tb(error.value.__cause__.__traceback__)]
    assert "return x.reshape(7)   # the failing line" in lines


@pytest.mark.parametrize("cls_name, op_name, grad_fn", [
    ("LeakyReLU", "leaky_relu", "LeakyReLUBackward"), ("MaxPool2d", "max_pool2d", "MaxPool2dBackward"),
    ("AddScalar", "add", "AddBackward"), ("LogSoftmax", "log_softmax", "LogSoftmaxBackward"),
    ("ReLU6", "relu6", "ReLU6Backward"), ("Matmul", "matmul", "MatmulBackward"),
])
def test_op_names_are_derived_from_the_class_name(cls_name, op_name, grad_fn):
    cls = type(cls_name, (Function,), {})
    assert cls.op_name() == op_name and object.__new__(cls).name() == grad_fn


def test_no_op_overrides_its_derived_name():
    import tinygrad_edu.ops  # noqa: F401 — every op class is loaded
    overriding = [c.__name__ for c in _subclasses(Function) if "op_name" in vars(c) or "name" in vars(c)]
    assert overriding == []


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


# ---- grad mode and hooks, per thread and per call ------------------------------------------

def test_a_decorated_function_gives_each_thread_and_each_call_its_own_grad_mode():
    barrier = threading.Barrier(8)
    seen, errors = [], []

    @tg.no_grad()
    def inside():
        barrier.wait(timeout=10)   # every thread is inside the decorated function at once
        seen.append(tg.is_grad_enabled())

    def worker(i):
        try:
            with tg.set_grad_enabled(i % 2 == 0):
                inside()
                assert tg.is_grad_enabled() == (i % 2 == 0)   # restored to this thread's own mode
        except Exception as e:   # noqa: BLE001 — reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and seen == [False] * 8 and tg.is_grad_enabled()


def test_a_decorated_function_can_recurse():
    @tg.enable_grad()
    def depth(n):
        return 0 if n == 0 else 1 + depth(n - 1)

    with tg.no_grad():
        assert depth(5) == 5 and not tg.is_grad_enabled()


def test_study_hooks_watch_only_their_own_thread_and_are_removed():
    calls = {"main": 0, "other": 0}
    x = tg.tensor([1.0, 2.0])
    with autograd.hooks(forward=lambda fn, out: calls.__setitem__("main", calls["main"] + 1)):
        assert len(autograd.active_hooks()[0]) == 1
        other = threading.Thread(target=lambda: (x * 2, calls.__setitem__("other", len(autograd.active_hooks()[0]))))
        other.start()
        other.join()
        x + 1
    assert calls == {"main": 1, "other": 0}
    assert autograd.active_hooks() == ((), ())


def test_a_hook_handle_removes_only_its_own_hook():
    seen = []
    first = autograd.add_hooks(backward=lambda fn, grads: seen.append("first"))
    second = autograd.add_hooks(backward=lambda fn, grads: seen.append("second"))
    first.remove()
    first.remove()   # twice is harmless
    x = tg.tensor([1.0], requires_grad=True)
    (x * 2).sum().backward()
    second.remove()
    assert seen == ["second", "second"] and autograd.active_hooks() == ((), ())


def test_tg_grad_of_the_same_input_twice_gives_it_twice():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    a, b = tg.grad((x * x).sum(), [x, x])
    np.testing.assert_array_equal(a.numpy(), [2.0, 4.0])
    np.testing.assert_array_equal(b.numpy(), [2.0, 4.0])
