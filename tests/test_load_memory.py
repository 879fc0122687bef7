"""tg.load needs no more than twice the file's size in memory (it needs about once, in fact):
measured as the growth of the peak resident memory of a fresh process while it loads."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads the peak memory of a process from /proc (Linux)")

MEASURE_LOAD = textwrap.dedent("""
    import sys
    import tinygrad_edu as tg

    # VmHWM is the peak resident memory of this process image alone; resource's ru_maxrss
    # would not do: it survives fork and exec, so it starts at the test process's peak.
    def reset_peak():   # start the peak again from the present size
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")

    def peak_bytes():
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))

    big, small = sys.argv[1:]
    tg.load(small)   # imports and first-use allocations are not what we measure
    reset_peak()
    before = peak_bytes()
    loaded = tg.load(big)
    grew = peak_bytes() - before
    layers = loaded["model"]
    assert loaded["step"] == 3 and all(layers[f"w{i}"][-1, -1].item() == float(i) for i in range(4))
    print(grew)
""")


def test_load_peaks_at_no_more_than_twice_the_file_size(tmp_path):
    rows = 50 * 2**20 // (4 * 1024)   # four float32 tensors of 50 MiB each
    tg.save({"model": {f"w{i}": np.full((rows, 1024), i, np.float32) for i in range(4)}, "step": 3},
            tmp_path / "big.safetensors")
    tg.save({"model": {"w": tg.ones(2)}, "step": 0}, tmp_path / "small.safetensors")
    file_size = (tmp_path / "big.safetensors").stat().st_size
    assert file_size > 200 * 2**20
    done = subprocess.run([sys.executable, "-c", MEASURE_LOAD, str(tmp_path / "big.safetensors"),
                           str(tmp_path / "small.safetensors")], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1], timeout=300)
    assert done.returncode == 0, done.stderr
    ratio = int(done.stdout) / file_size
    message = f"loading a {file_size / 2**20:.0f} MiB file raised peak memory by {ratio:.2f}x its size"
    assert ratio >= 0.9, message + ", less than the tensors it returned: the measurement is broken"
    assert ratio <= 2.0, message
