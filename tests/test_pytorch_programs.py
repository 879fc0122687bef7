"""PyTorch programs run on tinygrad_edu with only the import changed.

Each program in tests/pytorch_programs/ is written for PyTorch (`import torch`, `torch.nn`,
`torch.optim`, `torch.utils.data` ...). It runs twice: as written, and with every import of
`torch` or `torch.<anything>` answered by `tinygrad_edu` or `tinygrad_edu.<anything>`; not a
character of the program changes. Both runs must give the same losses, gradients and
parameters to float32 rounding.
"""
from __future__ import annotations

import builtins
from pathlib import Path

import numpy as np
import pytest

PROGRAMS = Path(__file__).resolve().parent / "pytorch_programs"
NAMES = sorted(p.stem for p in PROGRAMS.glob("*.py") if p.stem != "__init__")


def _import_tinygrad_edu_for_torch(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0 and (name == "torch" or name.startswith("torch.")):
        name = "tinygrad_edu" + name[len("torch"):]
    return builtins.__import__(name, globals, locals, fromlist, level)


def run_program(name: str, library: str, workdir: Path):
    """Run tests/pytorch_programs/<name>.py's run() with `torch` imports going to `library`."""
    path = PROGRAMS / f"{name}.py"
    our_builtins = dict(vars(builtins))
    if library == "tinygrad_edu":
        our_builtins["__import__"] = _import_tinygrad_edu_for_torch
    namespace = {"__builtins__": our_builtins, "__name__": f"pytorch_program_{name}", "__file__": str(path)}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    workdir.mkdir()
    return namespace["run"](str(workdir))


def assert_same(ours, theirs, where="result"):
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and sorted(ours) == sorted(theirs), f"{where}: keys {sorted(ours)} vs {sorted(theirs)}"
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{where}[{key!r}]")
    elif isinstance(theirs, (list, tuple)) and theirs and (isinstance(theirs[0], (dict, bool)) or
                                                           len({np.shape(item) for item in theirs}) > 1):
        assert len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(theirs, bool) or isinstance(theirs, str):
        assert ours == theirs, f"{where}: {ours!r} vs {theirs!r}"
    else:
        a, b = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
        assert a.shape == b.shape, f"{where}: shape {a.shape} vs {b.shape}"
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-5, err_msg=where)


@pytest.mark.parametrize("name", NAMES)
def test_program_gives_the_same_results_on_tinygrad_edu_as_on_pytorch(name, tmp_path):
    theirs = run_program(name, "torch", tmp_path / "torch")
    ours = run_program(name, "tinygrad_edu", tmp_path / "tinygrad_edu")
    assert_same(ours, theirs)


def test_the_programs_import_only_torch():
    for name in NAMES:
        text = (PROGRAMS / f"{name}.py").read_text()
        assert "tinygrad_edu" not in text and "import torch" in text, name


def test_the_substitution_really_runs_tinygrad_edu(tmp_path):
    """The comparison must be able to fail: the substituted program gets tinygrad_edu's objects."""
    import tinygrad_edu
    namespace = {"__builtins__": {**vars(builtins), "__import__": _import_tinygrad_edu_for_torch}}
    exec("import torch\nimport torch.nn as nn\nfrom torch.utils.data import DataLoader\n", namespace)
    assert namespace["torch"] is tinygrad_edu and namespace["nn"] is tinygrad_edu.nn
    assert namespace["DataLoader"].__module__.startswith("tinygrad_edu")
    with pytest.raises(AssertionError):
        assert_same({"loss": [1.0, 2.0]}, {"loss": [1.0, 2.0 + 1e-2]})
