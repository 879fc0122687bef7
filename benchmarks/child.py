"""One measurement in a fresh process: `python -m benchmarks.child '<json spec>'`.

The parent (run.py) starts one child per system, setting and workload, so that no system
warms another's caches or allocator, and so that the thread count and the allocator can be
set before NumPy or PyTorch is imported. The child prints one JSON line: the timings, the
peak memory and page faults, or the error that stopped it.

    spec = {"system": "tinygrad_edu" | "torch" | "numpy", "workload": "W1", "sizes": {...},
            "device": "cpu", "threads": 1 | None, "allocator": "default" | "tuned",
            "warmup_s": 0.3, "budget_s": 1.5, "min_repeats": 5, "max_repeats": 50}
"""
from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from typing import Any, Callable

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
SYSTEM_MODULES = {"tinygrad_edu": "benchmarks.system_tinygrad_edu", "torch": "benchmarks.system_torch",
                  "numpy": "benchmarks.system_numpy"}


def _rusage() -> tuple[int, int]:
    """(peak resident memory in bytes, minor page faults so far) of this process."""
    import resource
    usage = resource.getrusage(resource.RUSAGE_SELF)
    scale = 1 if sys.platform == "darwin" else 1024   # Linux reports kilobytes, macOS bytes
    return usage.ru_maxrss * scale, usage.ru_minflt


def time_steps(step: Callable[[], float], warmup_s: float, budget_s: float, min_repeats: int,
               max_repeats: int) -> tuple[list[float], list[float]]:
    """Seconds per call of `step`, by the wall clock and by this process's CPU time, after a
    warm-up of at least two calls and `warmup_s`.

    With one thread the CPU time leaves out the moments other programs had the core, so its
    ratios stay steady on a shared machine; the wall clock is what a user waits for."""
    deadline = time.perf_counter() + warmup_s
    calls = 0
    while calls < 2 or time.perf_counter() < deadline:
        step()
        calls += 1
    times: list[float] = []
    cpu_times: list[float] = []
    start = time.perf_counter()
    while len(times) < min_repeats or (len(times) < max_repeats and time.perf_counter() - start < budget_s):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        times.append(time.perf_counter() - t0)
        cpu_times.append(time.process_time() - c0)
    return times, cpu_times


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """Build the workload named in `spec` and time it; never raises, errors become a field."""
    if spec.get("threads") == 1:   # before NumPy or PyTorch is imported, or it is too late
        for name in THREAD_VARIABLES:
            os.environ[name] = "1"
    result: dict[str, Any] = {"spec": spec}
    try:
        if spec.get("allocator") == "tuned":
            from tinygrad_edu.allocator import tune_allocator
            result["allocator_applied"] = tune_allocator()
        from benchmarks.workloads import Sizes
        module = importlib.import_module(SYSTEM_MODULES[spec["system"]])
        if spec["system"] == "torch":
            import torch
            if spec.get("threads") == 1:
                torch.set_num_threads(1)
            result["torch_threads"] = torch.get_num_threads()
        module.prepare(spec["device"])
        sizes = Sizes(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec["sizes"].items()})
        peak_before, _ = _rusage()
        run = module.BUILDERS[spec["workload"]](sizes, spec["device"])
        result["check"] = run.step()
        times, cpu_times = time_steps(run.step, spec["warmup_s"], spec["budget_s"], spec["min_repeats"],
                                      spec["max_repeats"])
        _, faults_before = _rusage()
        calls = 5
        for _ in range(calls):
            run.step()
        peak_after, faults_after = _rusage()
        result.update(times=times, cpu_times=cpu_times, peak_rss=peak_after, rss_before_workload=peak_before,
                      page_faults_per_step=(faults_after - faults_before) / calls)
    except Exception as e:  # a failing system is reported in the table, not fatal to the run
        result["error"] = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"[:200]
        result["traceback"] = traceback.format_exc(limit=-4)
    return result


def describe_machine() -> dict[str, Any]:
    """What the children compute with: CPU, cores, library versions and the BLAS in use."""
    info: dict[str, Any] = {"python": sys.version.split()[0], "cpu": "unknown", "cores": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            lines = f.read().splitlines()
        models = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
        flags = next((line.split(":", 1)[1].split() for line in lines if line.startswith("flags")), [])
        info["cpu"] = models[0] if models else "unknown"
        info["vector_units"] = [f for f in ("avx2", "avx512f", "amx_tile") if f in flags]
    except OSError:
        import platform
        info["cpu"] = platform.processor() or "unknown"
    if hasattr(os, "sched_getaffinity"):
        info["usable_cores"] = len(os.sched_getaffinity(0))
    import numpy
    info["numpy"] = numpy.__version__
    try:
        import torch
        info["torch"] = torch.__version__
        info["torch_default_threads"] = torch.get_num_threads()
        config = torch.__config__.show()
        kernels = [part for part in ("MKL", "MKL-DNN", "OpenBLAS") if part in config]
        capability = torch.backends.cpu.get_cpu_capability()
        info["torch_kernels"] = f"{', '.join(kernels) or 'unknown'}; CPU capability {capability}"
    except ImportError:
        info["torch"] = "not installed"
    except Exception as e:  # an older PyTorch may lack one of these: describe what is there
        info.setdefault("torch_kernels", f"unknown ({type(e).__name__})")
    try:
        from threadpoolctl import threadpool_info
        info["blas"] = [f"{p.get('internal_api')} {p.get('version') or 'runtime'} ({p.get('architecture') or '-'}, "
                        f"{p.get('num_threads')} threads) from {os.path.basename(p.get('filepath', '?'))}"
                        for p in threadpool_info()]
    except ImportError:
        config = numpy.show_config(mode="dicts")
        blas = config.get("Build Dependencies", {}).get("blas", {})
        info["blas"] = [f"{blas.get('name', '?')} {blas.get('version', '?')} (from numpy.show_config)"]
    return info


def main(argv: list[str]) -> None:
    spec = json.loads(argv[0])
    if spec.get("describe_machine"):
        print(json.dumps(describe_machine()))
        return
    print(json.dumps(measure(spec)))


if __name__ == "__main__":
    main(sys.argv[1:])
