"""How long each example's --quick run takes, in a fresh process: `python -m benchmarks.example_times`.

Every `examples/NN_name.py --quick` runs in its own subprocess, twice: first in order with an
empty cache of the trained ConvNet ("cold": example 10 trains it and the later ones read it,
as on a first run after a fresh clone), then again with the cache warm. For each run the table
shows the wall-clock seconds and the CPU seconds the process used (user + system). The wall
clock is what a reader waits; CPU time leaves out the moments other programs had the cores,
so it is the steadier number on a busy machine, and `--clock cpu` checks the budgets on it.

The budgets (issue 14): every example at most 10 s, all of them together (cold) at most
2 minutes. The exit status is 1 when a budget is exceeded, 2 when an example failed.

    python -m benchmarks.example_times                  # all examples, budgets on the wall clock
    python -m benchmarks.example_times --clock cpu      # budgets on CPU time (a busy machine)
    python -m benchmarks.example_times 10 11            # only examples whose names start so
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EACH_BUDGET_S = 10.0
TOTAL_BUDGET_S = 120.0


def cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        models = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
        if models:
            return models[0]
    except OSError:
        pass
    return platform.processor() or platform.machine()


def examples(prefixes: list[str]) -> list[Path]:
    found = sorted(EXAMPLES.glob("[0-9][0-9]*_*.py"))
    return [p for p in found if not prefixes or any(p.name.startswith(prefix) for prefix in prefixes)]


def run_once(example: Path, cache: Path, out: Path) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds, exit status, the end of its output) of one --quick run."""
    env = dict(os.environ, TINYGRAD_EDU_CACHE=str(cache), MPLBACKEND="Agg")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(example), "--quick", "--out", str(out / example.stem)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode, (done.stdout + done.stderr)[-2000:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefixes", nargs="*", help="only the examples whose file names start with these")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall", help="which time the budgets apply to")
    args = parser.parse_args(argv)
    chosen = examples(args.prefixes)
    if not chosen:
        parser.error(f"no example in {EXAMPLES} starts with {args.prefixes}")

    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start; "
          f"Python {platform.python_version()}")
    rows, failed = [], []
    with tempfile.TemporaryDirectory() as folder:
        cache, out = Path(folder) / "cache", Path(folder) / "out"
        for state in ("cold", "warm"):
            for example in chosen:
                wall, cpu, status, tail = run_once(example, cache, out)
                rows.append((example.stem, state, wall, cpu))
                if status != 0:
                    failed.append(example.stem)
                    print(f"{example.name} --quick failed ({state}, exit status {status}):\n{tail}", file=sys.stderr)
    print(f"load average {os.getloadavg()[0]:.1f} at the end\n")

    column = 3 if args.clock == "cpu" else 2
    print(f"{'example':<32} {'cold wall s':>11} {'cold CPU s':>11} {'warm wall s':>11} {'warm CPU s':>11}")
    over = []
    for example in chosen:
        cold = next(r for r in rows if r[0] == example.stem and r[1] == "cold")
        warm = next(r for r in rows if r[0] == example.stem and r[1] == "warm")
        mark = " over budget" if cold[column] > EACH_BUDGET_S else ""
        if mark:
            over.append(example.stem)
        print(f"{example.stem:<32} {cold[2]:11.1f} {cold[3]:11.1f} {warm[2]:11.1f} {warm[3]:11.1f}{mark}")
    totals = {state: (sum(r[2] for r in rows if r[1] == state), sum(r[3] for r in rows if r[1] == state))
              for state in ("cold", "warm")}
    print(f"{'all together':<32} {totals['cold'][0]:11.1f} {totals['cold'][1]:11.1f} "
          f"{totals['warm'][0]:11.1f} {totals['warm'][1]:11.1f}")
    total = totals["cold"][column - 2]
    print(f"\nbudgets on {args.clock} time: each example at most {EACH_BUDGET_S:.0f} s, all together (cold) at most "
          f"{TOTAL_BUDGET_S:.0f} s")
    if failed:
        print(f"FAILED: {', '.join(failed)}")
        return 2
    if over or total > TOTAL_BUDGET_S:
        print(f"OVER BUDGET: {', '.join(over) or 'none singly'}; all together {total:.1f} s")
        return 1
    print("within budget")
    return 0


if __name__ == "__main__":
    sys.exit(main())
