"""Running the tutorial's examples inside the test process, as plain scripts.

An example is a script with no main(): `run_example` runs it with runpy, as `python
examples/<name>.py <args>` would, and returns the script's global variables, which hold the
numbers its claims rest on (the claim tests read them). The default device, dtype and study
mode are put back afterwards, so one example cannot change the next.
"""
from __future__ import annotations

import pathlib
import runpy
import sys

import tinygrad_edu as tg
from tinygrad_edu import autograd
from tinygrad_edu.backend import devices

EXAMPLES = pathlib.Path(__file__).parent.parent / "examples"
NAMES = sorted(path.stem for path in EXAMPLES.glob("[0-9][0-9]*_*.py"))


def run_example(name: str, *args: str) -> dict:
    """Run examples/<name>.py with command-line arguments; return its globals."""
    path = EXAMPLES / f"{name}.py"
    saved_argv, saved_device, saved_dtype = sys.argv, devices._default_device, tg.get_default_dtype()
    sys.argv = [str(path), *args]
    try:
        return runpy.run_path(str(path), run_name="__main__")
    finally:
        sys.argv = saved_argv
        devices._default_device = saved_device
        tg.set_default_dtype(saved_dtype)
        autograd._state.keep_graphs = False   # an example that left study mode on must not change the tests


def _plain(value: object) -> bool:
    if isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, (str, int, float)) and _plain(v) for k, v in value.items())
    return False


def numbers(script_globals: dict) -> dict:
    """The plain values (numbers, text, and lists or dicts of them) among a script's globals:
    what two runs with the same seed must agree on."""
    return {k: v for k, v in script_globals.items() if not k.startswith("__") and _plain(v)}
