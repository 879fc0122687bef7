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
    assert {"Add", "Mul", "Exp", "Sigmoid", "ReLU", "Sum", "Max", "Reshape", "Getitem", "Matmul"} <= names


@pytest.mark.parametrize("cls", op_classes(), ids=lambda cls: f"{cls.__module__.rsplit('.', 1)[-1]}.{cls.__name__}")
def test_every_op_has_a_docstring_whose_first_paragraph_states_its_math(cls):
    doc = inspect.getdoc(cls)
    assert doc and doc.strip(), f"{cls.__name__} has no docstring"
    first_paragraph = doc.split("\n\n")[0]
    assert "=" in first_paragraph, f"{cls.__name__}: the docstring should start with f(x) = ... and its derivative"
    function, _, derivative = first_paragraph.partition(";")
    assert derivative.strip(), (f"{cls.__name__}: the docstring's first paragraph should give the function, "
                                f"a ';', then its local derivative")
    too_long = [line for line in first_paragraph.splitlines() if len(line) > 100]
    assert not too_long, f"{cls.__name__}: wrap the math over several lines of at most 100 characters: {too_long}"
    assert cls.forward is not Function.forward, f"{cls.__name__} does not define forward"
