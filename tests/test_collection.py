"""The suite collects the same, readable test ids every time (pytest-xdist needs that)."""
from __future__ import annotations

import subprocess
import sys
import time
from types import SimpleNamespace

from tests.conftest import unreadable_test_ids


def _item(param_id):
    return SimpleNamespace(nodeid=f"tests/test_x.py::test_y[{param_id}]", callspec=SimpleNamespace(id=param_id))


def test_unreadable_ids_are_found_and_readable_ones_pass():
    readable = ["cpu-2-3", "raw", r"stride must be at least 1, got \\(0, 0\\)"]
    unreadable = [r"\x1f\x8b\x08\x00", "x" * 81, "<object object at 0x7f00>", "tab\there"]
    items = [_item(i) for i in readable + unreadable] + [SimpleNamespace(nodeid="tests/test_x.py::test_plain")]
    assert unreadable_test_ids(items) == [_item(i).nodeid for i in unreadable]


def _collected_ids():
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_two_collections_seconds_apart_give_identical_ids():
    first = _collected_ids()
    time.sleep(1.1)   # a timestamp in a parameter (gzip's header) changes every second
    second = _collected_ids()
    assert len(first) > 1000 and first == second
