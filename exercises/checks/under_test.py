"""Which exercise modules the checks run against, and how they compare results with PyTorch's.

By default the learner's files in exercises/; with EXERCISES_SOLUTIONS=1 the reference
solutions in exercises/solutions/; with EXERCISES_DIR=<folder> the modules in that folder
(the project's tests use it to prove that a broken solution fails).
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import numpy as np

EXERCISES = Path(__file__).resolve().parent.parent


def exercise_folder() -> Path:
    if os.environ.get("EXERCISES_DIR"):
        return Path(os.environ["EXERCISES_DIR"])
    if os.environ.get("EXERCISES_SOLUTIONS") == "1":
        return EXERCISES / "solutions"
    return EXERCISES


def load(name: str) -> ModuleType:
    """The module exercises/<name>.py (or its stand-in), loaded from its file, not from sys.path."""
    path = exercise_folder() / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(f"{name}.py is missing from {path.parent}")
    spec = importlib.util.spec_from_file_location(f"exercise_under_test_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_matches(actual, expected: np.ndarray, what: str, rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """actual equals expected (PyTorch's answer) in shape and, to rounding, in every value."""
    __tracebackhide__ = True    # a failure points at the check, not at this helper
    if actual is None:
        raise AssertionError(f"{what}: got None; expected an array of shape {expected.shape}")
    actual = np.asarray(actual)
    if actual.shape != expected.shape:
        raise AssertionError(f"{what}: shape {actual.shape}, expected {expected.shape}")
    if not np.all(np.isfinite(actual)):
        raise AssertionError(f"{what}: holds inf or nan where PyTorch's has none")
    wrong = ~np.isclose(actual, expected, rtol=rtol, atol=atol)
    if wrong.any():
        where = tuple(int(i) for i in np.argwhere(wrong)[0])
        raise AssertionError(f"{what}: {int(wrong.sum())} of {wrong.size} values differ from PyTorch's, "
                             f"first at {where}: {float(actual[where]):.6g}, expected {float(expected[where]):.6g}")


def quietly():
    """NumPy's overflow and invalid-value warnings become errors, so an unstable formula fails."""
    return np.errstate(over="raise", invalid="raise", divide="raise")
