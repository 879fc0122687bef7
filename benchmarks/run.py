"""Run the benchmarks: `python -m benchmarks.run` (what `make bench` does).

Each (system, setting, workload) runs in its own child process (benchmarks/child.py) with a
clean environment: the thread count fixed to 1 or left to the machine, OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE removed (they pick a slower kernel for current NumPy), and the allocator
either as glibc ships it or tuned by `tinygrad_edu.allocator.tune_allocator()`. The table is
printed and written to benchmarks/results/latest.md, the raw numbers to latest.json.

    python -m benchmarks.run                          # everything, a few minutes on 2 cores
    python -m benchmarks.run --workloads W2,W3 --threads 1
    python -m benchmarks.run --preset tiny --budget 0.05   # a seconds-long check of the machinery
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.child import THREAD_VARIABLES
from benchmarks.workloads import WITHOUT_FLOOR, WORKLOADS, preset

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SLOWING_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
SYSTEMS = ("torch", "numpy", "tinygrad_edu")


def child_environment(threads: int | None) -> dict[str, str]:
    env = dict(os.environ)
    for name in SLOWING_VARIABLES + THREAD_VARIABLES + ("TINYGRAD_EDU_DEVICE",):
        env.pop(name, None)
    if threads == 1:
        env.update({name: "1" for name in THREAD_VARIABLES})
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def run_child(spec: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """Start one child and read its JSON line; a crash or a hang becomes an error result."""
    try:
        done = subprocess.run([sys.executable, "-m", "benchmarks.child", json.dumps(spec)], cwd=ROOT,
                              env=child_environment(spec.get("threads")), capture_output=True, text=True,
                              timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return {"spec": spec, "error": f"timed out after {timeout_s:.0f} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"spec": spec, "error": f"child exited with code {done.returncode}: {last}"[:200]}
    return json.loads(lines[-1])


def pool(earlier: dict[str, Any] | None, later: dict[str, Any]) -> dict[str, Any]:
    """One result from the rounds of a measurement: samples joined, each round's medians
    listed, the worst peak memory, the mean page faults; a failure in any round is the result."""
    if earlier is not None and "error" in earlier:
        return earlier
    if "error" in later:
        return later
    joined = dict(later)
    # The report's noise rule compares two systems round by round (report.claim).
    for clock, rounds_key in report.ROUND_MEDIANS.items():
        if clock in later:
            joined[rounds_key] = (earlier or {}).get(rounds_key, []) + [statistics.median(later[clock])]
    if earlier is None:
        return joined
    joined["times"] = earlier["times"] + later["times"]
    joined["cpu_times"] = earlier["cpu_times"] + later["cpu_times"]
    joined["peak_rss"] = max(earlier["peak_rss"], later["peak_rss"])
    joined["rss_before_workload"] = max(earlier["rss_before_workload"], later["rss_before_workload"])
    joined["page_faults_per_step"] = (earlier["page_faults_per_step"] + later["page_faults_per_step"]) / 2
    return joined


def describe_machine(device: str) -> dict[str, Any]:
    machine = run_child({"describe_machine": True}, timeout_s=60)
    if device == "cuda":
        probe = ("import torch; print(torch.cuda.get_device_name(0) if torch.cuda.is_available() "
                 "else 'no CUDA device')")
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
        machine["gpu"] = done.stdout.strip() or done.stderr.strip()[-200:]
    return machine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="full", help="full (default), tiny, gpu or gpu-dry")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated: torch,numpy,tinygrad_edu")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--threads", default="1,default", help="comma-separated: 1 and/or default")
    parser.add_argument("--allocators", default="default,tuned", help="comma-separated: default and/or tuned")
    parser.add_argument("--budget", type=float, default=1.5,
                        help="seconds of timed repeats per measurement, shared among the rounds")
    parser.add_argument("--rounds", type=int, default=3,
                        help="times the whole sequence runs (default 3); samples are pooled, so a burst of "
                             "load from other programs lands on several systems instead of one, and a ratio "
                             "whose rounds agree within 5%% may be claimed even when the ranges overlap")
    parser.add_argument("--warmup", type=float, default=0.3, help="seconds of warm-up per measurement")
    parser.add_argument("--min-repeats", type=int, default=5)
    parser.add_argument("--max-repeats", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=180, help="seconds before a child is given up on")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.md", help="where the Markdown goes")
    args = parser.parse_args(argv)

    systems = [s for s in args.systems.split(",") if s]
    unknown = set(systems) - set(SYSTEMS)
    if unknown:
        parser.error(f"unknown systems {sorted(unknown)}; expected some of {list(SYSTEMS)}")
    if args.device == "cuda" and "numpy" in systems:
        systems.remove("numpy")   # the hand-written floor is CPU code
    wanted = set(args.workloads.split(","))
    cases = [c for c in preset(args.preset) if c.workload in wanted]
    threads_list = [1 if t == "1" else None for t in args.threads.split(",")]
    # Tuning glibc's allocator only matters for host memory, so a GPU run keeps the default.
    allocators = ["default"] if args.device == "cuda" else args.allocators.split(",")
    columns = [(s, a) for s in systems for a in allocators]

    machine = describe_machine(args.device)
    print("\n".join(report.machine_lines(machine, machine.get("gpu"))), flush=True)
    results: dict[report.Key, dict[str, Any]] = {}
    started = time.perf_counter()
    rounds = max(1, args.rounds)
    for round_number in range(1, rounds + 1):
        for threads in threads_list:
            for case in cases:
                for system, allocator in columns:
                    if system == "numpy" and case.workload in WITHOUT_FLOOR:
                        continue
                    spec = {"system": system, "workload": case.workload, "sizes": dataclasses.asdict(case.sizes),
                            "device": args.device, "threads": threads, "allocator": allocator,
                            "warmup_s": args.warmup, "budget_s": args.budget / rounds,
                            "min_repeats": max(1, args.min_repeats // rounds),
                            "max_repeats": max(1, args.max_repeats // rounds)}
                    key = (threads, case.label, system, allocator)
                    result = run_child(spec, args.timeout)
                    results[key] = pool(results.get(key), result)
                    print(f"  round {round_number}/{rounds} {report.threads_name(threads, machine):>28}  "
                          f"{case.label:<36} {report.column_name(system, allocator):<28} "
                          f"{report.time_cell(result, case)}", flush=True)

    command = " ".join(["python -m benchmarks.run", *(argv if argv is not None else sys.argv[1:])])
    notes = [f"- Run with `{command}`"
             f" in {time.perf_counter() - started:.0f} s; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset "
             f"in every child."]
    text = report.render(results, cases, threads_list, columns, machine, args.device, notes)
    print()
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    raw = {" | ".join(map(str, k)): v for k, v in results.items()}
    args.out.with_suffix(".json").write_text(json.dumps({"machine": machine, "results": raw}, indent=1) + "\n")
    print(f"\nwritten to {args.out} and {args.out.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
