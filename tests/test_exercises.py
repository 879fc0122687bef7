"""The exercises (exercises/README.md) are solvable, and their checks can fail.

`python -m exercises` runs the checks against three sets of modules: the reference solutions
(every exercise must pass), the learner's stubs (every exercise must be "to do"), and a copy of
the solutions with one typical mistake in each (every exercise must fail, at the check meant
to catch that mistake).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "exercises" / "solutions"
EXERCISES = ["ex01_sigmoid", "ex02_matmul", "ex03_softmax_cross_entropy", "ex04_conv2d", "ex05_max_pool"]

# exercise: (what the reference solution says, the mistake put in its place, words of the failure)
MISTAKES = {
    "ex01_sigmoid": ("return grad * s * (1 - s)", "return -grad * s * (1 - s)",
                     "check_backward_matches_torch"),
    "ex02_matmul": ("return unbroadcast(grad_a, a.shape), unbroadcast(grad_b, b.shape)",
                    "return grad_a, grad_b", "shape (5, 3, 4), expected (3, 4)"),
    "ex03_softmax_cross_entropy": ("shifted = logits - logits.max(axis=1, keepdims=True)", "shifted = logits",
                                   "check_huge_logits_without_overflow: FloatingPointError"),
    "ex04_conv2d": ("grad_xp[n, :, rows, cols] += ", "grad_xp[n, :, rows, cols] = ", "grad_x:"),
    "ex05_max_pool": ("winner = windows.argmax(axis=-1)", "winner = 3 - windows[..., ::-1].argmax(axis=-1)",
                      "ties"),
}


def run_exercises(*names: str, **environment: str) -> tuple[int, dict[str, str]]:
    """`python -m exercises [names]` from the repository root: its exit status and each exercise's line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXERCISES_")}
    env.update(environment, OMP_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-m", "exercises", *names], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    lines = {line.split()[0]: line for line in done.stdout.splitlines() if line.startswith("ex")}
    assert list(lines) == [e for e in EXERCISES if not names or any(n in e for n in names)], done.stdout + done.stderr
    return done.returncode, lines


def checks_passed(line: str) -> tuple[int, int]:
    passed, total = re.search(r"(\d+)/(\d+) checks", line).groups()
    return int(passed), int(total)


def test_every_reference_solution_passes_every_check():
    code, lines = run_exercises(EXERCISES_SOLUTIONS="1")
    for name, line in lines.items():
        passed, total = checks_passed(line)
        assert line.split()[1] == "pass" and passed == total >= 10, line
    assert code == 0


def test_the_stubs_are_all_to_do():
    code, lines = run_exercises()
    for name, line in lines.items():
        assert line.split()[1:3] == ["to", "do"] and checks_passed(line)[0] == 0, line
        assert "next: write" in line, line
    assert code == 1


def test_a_solution_with_a_typical_mistake_fails(tmp_path):
    for name in EXERCISES:
        source = (SOLUTIONS / f"{name}.py").read_text()
        right, wrong, _ = MISTAKES[name]
        assert source.count(right) == 1, f"{name}: the mistake's place is no longer in the solution"
        (tmp_path / f"{name}.py").write_text(source.replace(right, wrong))
    code, lines = run_exercises(EXERCISES_DIR=str(tmp_path))
    for name, line in lines.items():
        assert line.split()[1] == "FAIL" and MISTAKES[name][2] in line, line
    assert code == 1


def test_a_missing_module_fails_and_names_the_file(tmp_path):
    shutil.copy(SOLUTIONS / "ex01_sigmoid.py", tmp_path)
    code, lines = run_exercises("sigmoid", "conv2d", EXERCISES_DIR=str(tmp_path))
    assert lines["ex01_sigmoid"].split()[1] == "pass", lines["ex01_sigmoid"]
    assert lines["ex04_conv2d"].split()[1] == "FAIL", lines["ex04_conv2d"]
    assert "loading the module: FileNotFoundError" in lines["ex04_conv2d"], lines["ex04_conv2d"]
    assert "ex04_conv2d.py is missing" in lines["ex04_conv2d"], lines["ex04_conv2d"]
    assert code == 1
