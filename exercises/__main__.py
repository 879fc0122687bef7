"""`python -m exercises [-v] [name ...]`: run the checks and print one line per exercise.

Each exercise is "pass" (every check agrees with PyTorch), "to do" (some function still raises
NotImplementedError, and nothing else is wrong) or "FAIL" (with the first check that failed and
why). Names pick exercises by any part of their name (`sigmoid`, `ex04`); `-v` also shows
pytest's own report with short tracebacks. The exit status is 0 only when every chosen
exercise passes.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

CHECKS = Path(__file__).resolve().parent / "checks"


class Outcomes:
    """A pytest plugin that keeps, per exercise, each check's name, status and message."""

    def __init__(self, wanted: list[str]):
        self.wanted = wanted
        self.checks: dict[str, list[tuple[str, str, str]]] = {}

    def pytest_collection_modifyitems(self, config, items):
        chosen = [item for item in items if self._wanted(item.module.EXERCISE)]
        config.hook.pytest_deselected(items=[item for item in items if item not in chosen])
        items[:] = chosen

    def _wanted(self, exercise: str) -> bool:
        return not self.wanted or any(part in exercise for part in self.wanted)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = (yield).get_result()
        # a check counts once: its run, or the setup (loading the module) when that failed
        if report.when == "call" or (report.when == "setup" and report.failed):
            name = item.name if report.when == "call" else "loading the module"
            self.checks.setdefault(item.module.EXERCISE, []).append((name, *self._status(call.excinfo)))

    @staticmethod
    def _status(excinfo) -> tuple[str, str]:
        if excinfo is None:
            return "pass", ""
        error = excinfo.value
        if isinstance(error, NotImplementedError) and str(error).startswith("exercise: "):
            return "to do", str(error).removeprefix("exercise: ")
        message = str(error).strip().splitlines()[0] if str(error).strip() else ""
        if not isinstance(error, AssertionError):
            message = f"{type(error).__name__}: {message}"
        return "fail", message


def summary_line(exercise: str, checks: list[tuple[str, str, str]]) -> str:
    passed = sum(status == "pass" for _, status, _ in checks)
    failed = [(name, message) for name, status, message in checks if status == "fail"]
    to_do = list(dict.fromkeys(message for _, status, message in checks if status == "to do"))
    count = f"{passed}/{len(checks)} checks"
    if failed:
        name, message = failed[0]
        line = f"{exercise:28} FAIL   {count:12} {name}: {message}"
        return line if len(line) <= 200 else line[:197] + "..."
    if to_do:
        return f"{exercise:28} to do  {count:12} next: {'; '.join(to_do)}"
    return f"{exercise:28} pass   {count}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exercises", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="exercises to check (any part of a name); all by default")
    parser.add_argument("-v", "--verbose", action="store_true", help="also show pytest's report and tracebacks")
    args = parser.parse_args(argv)

    outcomes = Outcomes(args.names)
    quiet = ["-q", "--tb=short"] if args.verbose else ["-p", "no:terminal"]
    code = pytest.main([str(CHECKS), "-c", str(CHECKS / "pytest.ini"), *quiet], plugins=[outcomes])
    if not outcomes.checks and args.names:
        print(f"no exercise's name contains {' or '.join(args.names)}", file=sys.stderr)
        return 2
    if not outcomes.checks:
        print(f"no checks ran (pytest exit status {int(code)}); "
              f"run `python -m pytest exercises/checks` to see why", file=sys.stderr)
        return 2

    from exercises.checks.under_test import exercise_folder
    folder = exercise_folder().resolve()
    print(f"checking the modules in {folder.relative_to(Path.cwd()) if folder.is_relative_to(Path.cwd()) else folder}/")
    lines = [summary_line(exercise, outcomes.checks[exercise]) for exercise in sorted(outcomes.checks)]
    print("\n".join(lines))
    passing = sum(" pass " in line for line in lines)
    print(f"{passing} of {len(lines)} exercises pass" +
          ("" if passing == len(lines) else "; details: python -m exercises -v <name>"))
    return 0 if passing == len(lines) else 1


if __name__ == "__main__":
    sys.exit(main())
