"""The package type-checks, and a typed user program sees precise types, never Any.

- mypy checks tinygrad_edu with the configuration in pyproject.toml ([tool.mypy]).
- tests/typed_program.py, a small training program, passes `mypy --strict --disallow-any-expr`
  (its docstring says what that proves), and runs.
- Mistakes a type checker should catch in such a program are caught: a test that only ever
  sees "no errors" would also pass if everything had quietly become Any.
- tinygrad_edu/declared/, which names for type checkers what the op registry makes at import
  time, matches the registry.

mypy keeps its cache in .mypy_cache/ (git-ignored): about 30 s for the package from cold on a
2-core machine, a second or two when warm.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = ROOT / "tests" / "typed_program.py"
# what a strict user's mypy runs with; --follow-imports=silent: tinygrad_edu is read but its own
# errors are the package check's business
USER_FLAGS = ["--strict", "--follow-imports=silent"]

pytest.importorskip("mypy", reason="mypy is part of the test extra")


def mypy(*args: str, cache: str) -> subprocess.CompletedProcess[str]:
    # one cache folder per kind of run: xdist may run these tests at the same time
    return subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(ROOT / ".mypy_cache" / cache), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_mypy_passes_on_the_package_with_the_checked_in_configuration():
    result = mypy(cache="package")   # `files` in [tool.mypy] names the package
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"Success: no issues found in \d+ source files", result.stdout), result.stdout


def test_a_typed_training_program_gets_no_any_from_the_public_api():
    result = mypy(*USER_FLAGS, "--disallow-any-expr", str(PROGRAM), cache="user")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_typed_program_runs():
    result = subprocess.run([sys.executable, str(PROGRAM)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "typed program ran: 4 steps" in result.stdout


# Each line marked `# error` must draw an error from mypy, and no other line may.
MISTAKES = '''
import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(3, 2)

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        return self.fc(x)


x = tg.ones(4, 3)
count: int = Net()(x)                                   # error: a model's output is a Tensor
Net()("three")                                          # error: forward takes a Tensor
x.no_such_method()                                      # error: Tensor has no such method
total: str = (x @ x.T).relu().sum()                     # error: ops give Tensors
tg.no_such_function(x)                                  # error: tg has no such function
F.cross_entropy(x)                                      # error: the target is missing
nn.ReLU(inplace="yes")                                  # error: inplace is a bool
pair: tuple[int, int] = nn.MaxPool2d(2)(x)              # error: without return_indices, one Tensor
optim.SGD(Net().parameters(), lr="fast")                # error: lr is a number
fine: tg.Tensor = nn.Sequential(nn.Linear(3, 2), nn.Tanh())(x) + tg.exp(x).mean()
'''


def test_mistakes_in_a_typed_program_are_errors(tmp_path):
    program = tmp_path / "mistakes.py"
    program.write_text(MISTAKES)
    result = mypy(*USER_FLAGS, str(program), cache="user")
    flagged = {int(m) for m in re.findall(r"mistakes\.py:(\d+): error", result.stdout)}
    expected = {i for i, line in enumerate(MISTAKES.splitlines(), start=1) if "# error" in line}
    assert flagged == expected, (f"lines with an error: {sorted(flagged)}, expected {sorted(expected)}\n"
                                 + result.stdout)


def test_the_names_declared_for_type_checkers_match_the_op_registry():
    sys.path.insert(0, str(ROOT))
    try:
        from tools import declared_names
    finally:
        sys.path.remove(str(ROOT))
    stale = [str(path.relative_to(ROOT)) for path, text in declared_names.files().items()
             if not path.exists() or path.read_text() != text]
    assert not stale, f"{stale} are out of date: run python -m tools.declared_names"


@pytest.mark.parametrize("module", [tg, nn], ids=["tg", "nn"])
def test_all_names_every_public_name(module):
    # __all__ is a plain list so that type checkers know what the package exports; it must not
    # fall behind what the module holds (submodules imported on the way are not part of it)
    public = {name for name, value in vars(module).items()
              if not name.startswith("_") and not isinstance(value, type(tg)) and name != "TYPE_CHECKING"}
    assert public <= set(module.__all__), sorted(public - set(module.__all__))
    assert all(hasattr(module, name) for name in module.__all__)
