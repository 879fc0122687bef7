"""benchmarks/instructions.py: instructions per step from callgrind's report. The counting
itself needs Valgrind and a minute or two per workload under it, so it is run by hand
(`python -m benchmarks.instructions W3 --against REV`), not by the test suite."""
from __future__ import annotations

import shutil

import pytest

from benchmarks import instructions


def test_the_count_is_read_from_callgrinds_report():
    report = "==123== Events    : Ir\n==123== Collected : 2009353637\n==123==\n==123== I   refs:      2,009,353,637\n"
    assert instructions.collected(report) == 2009353637


def test_a_report_without_a_count_is_a_clear_error():
    with pytest.raises(RuntimeError, match="callgrind reported no count"):
        instructions.collected("==123== error: something else\n")


def test_per_step_cancels_the_start_up_and_refuses_zero_steps():
    assert instructions.per_step(1_300, 1_000, 3) == 100
    with pytest.raises(ValueError, match="at least 1"):
        instructions.per_step(1_300, 1_000, 0)


@pytest.mark.parametrize("workload", ["W3", "W3t"])
def test_without_valgrind_it_says_how_to_install_it(workload, monkeypatch, capsys):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert instructions.main([workload]) == 2   # the workload is accepted; only Valgrind is missing
    assert "apt-get install valgrind" in capsys.readouterr().err
