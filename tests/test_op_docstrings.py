"""Every operation says its local derivative in its docstring, so a reader finds the math
next to the code that implements it."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import tinygrad_edu.ops
from tinygrad_edu.autograd import Function


def op_classes() -> list[type]:
    """Every public Function subclass defined in a module of tinygrad_edu/ops."""
    found = []
    for info in pkgutil.iter_modules(tinygrad_edu.ops.__path__):
        module = importlib.import_module(f"tinygrad_edu.ops.{info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Function) and cls.__module__ == module.__name__ and not name.startswith("_"):
                found.append(cls)
    return found


def test_the_ops_package_defines_the_core_operations():
    names = {cls.__name__ for cls in op_classes()}
    assert {"Add", "Mul", "Exp", "Sigmoid", "ReLU", "Sum", "Max", "Reshape", "GetItem", "MatMul"} <= names


@pytest.mark.parametrize("cls", op_classes(), ids=lambda cls: f"{cls.__module__.rsplit('.', 1)[-1]}.{cls.__name__}")
def test_every_op_has_a_docstring_whose_first_line_states_its_math(cls):
    doc = cls.__doc__
    assert doc and doc.strip(), f"{cls.__name__} has no docstring"
    first_line = doc.strip().splitlines()[0]
    assert "=" in first_line, f"{cls.__name__}: the first docstring line should give f(x) = ... and its derivative"
    function, _, derivative = first_line.partition(";")
    assert derivative.strip(), (f"{cls.__name__}: the first docstring line should give the function, a ';', "
                                f"then its local derivative, all on one line")
    assert cls.forward is not Function.forward, f"{cls.__name__} does not define forward"
