"""Machine instructions per step, the measurement that noise cannot move: `make bench` times
steps, and on a shared or virtual machine those times move by up to 2× between runs of the
same code (docs/benchmarks.md). Counting the instructions a step executes, with Valgrind's
callgrind, gives the same number on every run, so a change's cost shows even when it is 5%.

    python -m benchmarks.instructions W3                      # this tree: instructions per step
    python -m benchmarks.instructions W3 W5 --against HEAD~3  # and the same for an older commit

Each count is (a run with `--steps` steps) − (a run with none), divided by the steps, so the
import and the set-up cancel out; PYTHONHASHSEED is fixed, BLAS runs on one thread, and the
objects made before the counted steps are frozen out of the garbage collector (otherwise one
full collection, landing in one run and not the other, moves a count by millions), which
makes the runs repeatable. Instructions are not time (cache misses and memory
bandwidth are not counted, and callgrind runs about 50× slower than the program), so this
complements the timed benchmarks for small-array, overhead-bound workloads (W2, W3, W3t, W5)
rather than replacing them. Needs Valgrind (`apt-get install valgrind`).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.workloads import WORKLOADS

ROOT = Path(__file__).resolve().parent.parent
# Run inside callgrind: build a workload at full size on the tree given, warm it up, then step.
CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
from benchmarks.workloads import FULL
from benchmarks import system_tinygrad_edu as system
run = system.BUILDERS[sys.argv[2]](FULL, "cpu")
for _ in range(2):
    run.step()
import gc
gc.collect()
gc.freeze()   # what exists now is never traversed again: a full collection costs the same in both runs
for _ in range(int(sys.argv[3])):
    run.step()
"""


def collected(report: str) -> int:
    """The instruction count in callgrind's report ("==123== Collected : 2009353637")."""
    match = re.search(r"Collected\s*:\s*(\d+)", report)
    if match is None:
        raise RuntimeError(f"instructions: callgrind reported no count; its output ends with:\n{report[-2000:]}")
    return int(match.group(1))


def per_step(with_steps: int, without_steps: int, steps: int) -> float:
    if steps < 1:
        raise ValueError(f"instructions: steps must be at least 1, got {steps}")
    return (with_steps - without_steps) / steps


def count(tree: Path, workload: str, steps: int) -> int:
    """Instructions of one run of CHILD on `tree` (a checkout of this repository)."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", CHILD,
               str(tree), workload, str(steps)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tree)
    if done.returncode != 0:
        raise RuntimeError(f"instructions: {workload} on {tree} failed:\n{done.stderr[-2000:]}")
    return collected(done.stderr)


def measure(tree: Path, workload: str, steps: int) -> float:
    return per_step(count(tree, workload, steps), count(tree, workload, 0), steps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="+", choices=WORKLOADS)
    parser.add_argument("--steps", type=int, default=3, help="steps counted per run (default 3)")
    parser.add_argument("--against", metavar="REV", help="also measure this git revision, and give the ratio")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("instructions: Valgrind is not installed; apt-get install valgrind", file=sys.stderr)
        return 2
    trees = {"this tree": ROOT}
    with tempfile.TemporaryDirectory() as scratch:
        if args.against:
            old = Path(scratch) / "old"
            subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old), args.against], cwd=ROOT, check=True)
            trees = {args.against: old, **trees}
        try:
            print("| workload | " + " | ".join(trees) + (" | ratio |" if args.against else " |"))
            print("|---" * (len(trees) + 1 + bool(args.against)) + "|")
            for workload in args.workloads:
                counts = [measure(tree, workload, args.steps) for tree in trees.values()]
                cells = " | ".join(f"{c / 1e6:.2f} M" for c in counts)
                ratio = f" | {counts[-1] / counts[0]:.3f}" if args.against else ""
                print(f"| {workload} | {cells}{ratio} |", flush=True)
        finally:
            if args.against:
                subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
