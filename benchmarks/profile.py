"""Profile one system on one workload: `python -m benchmarks.profile W3 [--system tinygrad_edu]`.

Uses pyinstrument (a sampling profiler, in the `dev` extra) and prints where the time goes,
with the same clean environment as the benchmark: one thread, the slow OpenBLAS settings
removed. `--cprofile` uses the standard library's deterministic profiler instead, which
counts calls exactly but slows Python-heavy code down several times.
"""
from __future__ import annotations

import argparse
import os
import sys

from benchmarks.child import SYSTEM_MODULES, THREAD_VARIABLES
from benchmarks.workloads import WORKLOADS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", choices=WORKLOADS)
    parser.add_argument("--system", default="tinygrad_edu", choices=sorted(SYSTEM_MODULES))
    parser.add_argument("--steps", type=int, default=50, help="steps profiled after 3 warm-up steps")
    parser.add_argument("--tuned", action="store_true", help="call tune_allocator() first")
    parser.add_argument("--cprofile", action="store_true", help="cProfile instead of pyinstrument")
    args = parser.parse_args(argv)
    if any(os.environ.get(v) != "1" for v in THREAD_VARIABLES) or "OPENBLAS_CORETYPE" in os.environ:
        # Thread counts are read when NumPy loads, so start again with the clean environment.
        from benchmarks.run import child_environment
        os.execve(sys.executable, [sys.executable, "-m", "benchmarks.profile", *sys.argv[1:]], child_environment(1))

    if args.tuned:
        from tinygrad_edu.allocator import tune_allocator
        tune_allocator()
    import importlib

    from benchmarks.workloads import FULL
    module = importlib.import_module(SYSTEM_MODULES[args.system])
    run = module.BUILDERS[args.workload](FULL, "cpu")
    for _ in range(3):
        run.step()
    if args.cprofile:
        import cProfile
        import pstats
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [run.step() for _ in range(args.steps)])
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return 0
    try:
        from pyinstrument import Profiler
    except ImportError:
        print('profile: pyinstrument is not installed; pip install -e ".[dev]" or use --cprofile', file=sys.stderr)
        return 1
    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(args.steps):
        run.step()
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
