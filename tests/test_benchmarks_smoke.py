"""The benchmark harness computes the right thing: a smoke test at tiny sizes, never timings.

Every workload is built by all three systems from the same data, stepped twice, and compared:
the losses and the parameters (or gradients) of tinygrad_edu and of the hand-written NumPy
floor must match PyTorch's. The machinery around it (child processes, tables, the GPU
script's dry run) and the opt-in allocator tuning are checked too.
"""
from __future__ import annotations

import dataclasses
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks import child, report, run, system_numpy, system_tinygrad_edu, system_torch
from benchmarks.workloads import TINY, WITHOUT_FLOOR, WORKLOADS, Case, overhead_tensor_data, preset

ROOT = Path(__file__).resolve().parent.parent
RTOL, ATOL = 2e-4, 2e-5         # float32 with different summation orders


def _two_steps(module, workload: str, device: str) -> tuple[list[float], dict[str, np.ndarray]]:
    built = module.BUILDERS[workload](TINY, device)
    checks = [built.step(), built.step()]
    return checks, built.arrays()


def _assert_same(ours: tuple, theirs: tuple, who: str) -> None:
    np.testing.assert_allclose(ours[0], theirs[0], rtol=RTOL, atol=ATOL, err_msg=f"{who}: step results")
    assert ours[1].keys() == theirs[1].keys()
    for name in theirs[1]:
        np.testing.assert_allclose(ours[1][name], theirs[1][name], rtol=RTOL, atol=ATOL, err_msg=f"{who}: {name}")


@pytest.mark.parametrize("workload", [w for w in WORKLOADS if w not in WITHOUT_FLOOR])
def test_numpy_floor_computes_what_pytorch_computes(workload):
    _assert_same(_two_steps(system_numpy, workload, "cpu"), _two_steps(system_torch, workload, "cpu"),
                 f"NumPy floor on {workload}")


@pytest.mark.parametrize("workload", WORKLOADS)
def test_tinygrad_edu_workload_computes_what_pytorch_computes(workload, device):
    torch_device = "cuda" if device == "cuda" else "cpu"
    _assert_same(_two_steps(system_tinygrad_edu, workload, device), _two_steps(system_torch, workload, torch_device),
                 f"tinygrad_edu on {workload} ({device})")


def test_hand_written_training_step_lowers_the_loss():
    built = system_numpy.BUILDERS["W2"](TINY, "cpu")
    losses = [built.step() for _ in range(20)]
    assert losses[-1] < losses[0]


def test_every_preset_names_only_known_workloads():
    for name in ("full", "tiny", "gpu", "gpu-dry"):
        assert {c.workload for c in preset(name)} <= set(WORKLOADS)
    assert [c.sizes.w1_batch for c in preset("gpu") if c.workload == "W1"][0] == 256
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        preset("huge")


def test_numpy_floor_refuses_a_gpu():
    with pytest.raises(ValueError, match="NumPy floor runs on the cpu only, not on 'cuda'"):
        system_numpy.prepare("cuda")


def _spec(**changes) -> dict:
    spec = {"system": "numpy", "workload": "W5", "sizes": dataclasses.asdict(TINY), "device": "cpu",
            "threads": None, "allocator": "default", "warmup_s": 0.0, "budget_s": 0.0,
            "min_repeats": 3, "max_repeats": 3}
    spec.update(changes)
    return spec


def test_measure_returns_timings_memory_and_the_step_result():
    result = child.measure(_spec())
    assert "error" not in result, result.get("traceback")
    assert len(result["times"]) == 3 and all(t > 0 for t in result["times"])
    assert result["peak_rss"] >= result["rss_before_workload"] > 0
    x = np.random.default_rng(0).standard_normal(16).astype(np.float32)
    assert result["check"] == pytest.approx(float((x + TINY.w5_adds).sum()), rel=1e-5)


def test_measure_reports_a_failing_workload_instead_of_raising():
    result = child.measure(_spec(workload="W9"))
    assert result["error"] == "KeyError: 'W9'"


def test_child_environment_pins_threads_and_drops_the_slow_openblas_settings(monkeypatch):
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    monkeypatch.setenv("OPENBLAS_L2_SIZE", "512")
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    one = run.child_environment(1)
    assert "OPENBLAS_CORETYPE" not in one and "OPENBLAS_L2_SIZE" not in one
    assert one["OMP_NUM_THREADS"] == one["OPENBLAS_NUM_THREADS"] == one["MKL_NUM_THREADS"] == "1"
    assert "OMP_NUM_THREADS" not in run.child_environment(None)   # the machine's default


def test_run_child_measures_in_a_separate_process():
    result = run.run_child(_spec(threads=1), timeout_s=60)
    assert "error" not in result, result
    assert len(result["times"]) == 3


def _fake(times):
    return {"times": times, "peak_rss": 2**20 * 100, "rss_before_workload": 2**20 * 40, "page_faults_per_step": 12.0}


def test_report_shows_ratios_of_medians_and_names_a_failed_system():
    case = Case("W2", TINY)
    results = {(1, case.label, "torch", "default"): _fake([1e-3, 2e-3, 9e-3]),
               (1, case.label, "numpy", "default"): _fake([1e-3, 1e-3, 1e-3]),
               (1, case.label, "tinygrad_edu", "default"): {"error": "RuntimeError: boom | bang"}}
    columns = [("torch", "default"), ("numpy", "default"), ("tinygrad_edu", "default")]
    text = report.render(results, [case], [1], columns, {"cpu": "test"}, "cpu", [])
    assert "| 2 [1–9] |" in text                # median [min–max] in ms
    assert "| 0.50× (unsettled) |" in text      # floor / PyTorch, whose ranges overlap
    assert "failed: RuntimeError: boom \\| bang" in text
    assert "tinygrad_edu on W2" in text and "≤ 1.0×" in text


def test_report_adds_cpu_time_ratios_for_one_thread():
    case = Case("W2", TINY)
    torch_result, numpy_result = _fake([2e-3] * 3), _fake([5e-3] * 3)
    torch_result["cpu_times"], numpy_result["cpu_times"] = [2e-3] * 3, [1e-3] * 3
    results = {(1, case.label, "torch", "default"): torch_result, (1, case.label, "numpy", "default"): numpy_result}
    text = report.render(results, [case], [1], [("torch", "default"), ("numpy", "default")], {}, "cpu", [])
    wall, cpu = text.split("The same ratios from CPU-time medians")
    assert "| 2.50× |" in wall and "| 0.50× |" in cpu


def test_rounds_pool_their_samples_and_keep_a_failure():
    first, second = _fake([1.0, 2.0]), _fake([3.0])
    first["cpu_times"], second["cpu_times"] = [0.5, 0.5], [0.25]
    second["peak_rss"] *= 2
    pooled = run.pool(run.pool(None, first), second)
    assert pooled["times"] == [1.0, 2.0, 3.0] and pooled["cpu_times"] == [0.5, 0.5, 0.25]
    assert pooled["round_medians"] == [1.5, 3.0] and pooled["round_cpu_medians"] == [0.5, 0.25]
    assert pooled["peak_rss"] == second["peak_rss"]
    assert "error" in run.pool(pooled, {"error": "RuntimeError: late"})
    assert run.pool({"error": "RuntimeError: early"}, second)["error"] == "RuntimeError: early"


def test_report_says_no_floor_where_there_is_none_and_still_gives_the_pytorch_ratio():
    case = Case("W6", TINY)
    results = {(1, case.label, "torch", "default"): _fake([2e-3] * 3),
               (1, case.label, "tinygrad_edu", "default"): _fake([3e-3] * 3)}
    columns = [("torch", "default"), ("numpy", "default"), ("tinygrad_edu", "default")]
    text = report.render(results, [case], [1], columns, {}, "cpu", [])
    assert "| no floor |" in text and "| 1.50× |" in text and "≤ 1.3×" in text
    assert "W6 (2 layers, 2 heads, width 8, context 5, batch 3)" in text


def test_run_skips_the_floor_where_there_is_none(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(run, "run_child", lambda spec, timeout_s: started.append(spec) or _fake([1e-3]))
    monkeypatch.setattr(run, "describe_machine", lambda device: {})
    run.main(["--preset", "tiny", "--workloads", "W5,W7", "--threads", "1", "--allocators", "default",
              "--rounds", "1", "--out", str(tmp_path / "t.md")])
    assert {(s["system"], s["workload"]) for s in started} == {
        ("torch", "W5"), ("numpy", "W5"), ("tinygrad_edu", "W5"), ("torch", "W7"), ("tinygrad_edu", "W7")}
    assert "no floor" in (tmp_path / "t.md").read_text()


@pytest.mark.parametrize("workload", ["W3", "W3t"])
def test_report_gives_the_overhead_workloads_in_microseconds_per_op(workload):
    case = Case(workload, TINY)
    results = {(1, case.label, "torch", "default"): _fake([TINY.w3_ops * 4e-6] * 3)}
    text = report.render(results, [case], [1], [("torch", "default")], {}, "cpu", [])
    assert f"| {case.label} | µs/op | 4 [4–4] |" in text


def test_w3t_draws_one_constant_vector_each_for_a_and_b_in_w3s_range():
    x, a, b = overhead_tensor_data(TINY)
    assert x.shape == a.shape == b.shape == (TINY.w3_width,) and a.dtype == b.dtype == np.float32
    assert np.all((a >= 3.6) & (a <= 3.9)) and np.array_equal(b, -a / 2)
    assert len(set(a.tolist())) == TINY.w3_width    # per element, not one number broadcast
    assert Case("W3t", TINY).label == f"W3t ({TINY.w3_ops} ops on ({TINY.w3_width},), tensor constants)"


def test_gpu_check_dry_run_runs_the_cpu_part_and_writes_under_out(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(OUT=str(tmp_path), PYTHON=sys.executable)
    done = subprocess.run(["bash", str(ROOT / "benchmarks" / "gpu_check.sh"), "--dry-run"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    table = (tmp_path / "gpu_latest.md").read_text()
    assert "W1 (batch 8)" in table and "PyTorch" in table and "tinygrad_edu" in table
    assert "would run" in (tmp_path / "gpu_check.txt").read_text()


_FAULTS = """
import resource, sys
if sys.argv[1] != "plain":
    import tinygrad_edu
if sys.argv[1] == "tuned":
    from tinygrad_edu.allocator import tune_allocator
    assert tune_allocator()
import numpy as np
def step():
    blocks = [np.ones(256 * 1024, dtype=np.float32) for _ in range(24)]   # 24 MiB in 1 MiB blocks
    del blocks
step(); step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(4):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 4)
"""
glibc_only = pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                                reason="allocator tuning applies to glibc on Linux")


def _page_faults_per_step(mode: str) -> float:
    done = subprocess.run([sys.executable, "-c", _FAULTS, mode], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return float(done.stdout)


@glibc_only
def test_tune_allocator_keeps_freed_memory_so_repeated_steps_stop_faulting():
    plain, imported, tuned = (_page_faults_per_step(m) for m in ("plain", "import", "tuned"))
    assert plain > 1000                    # glibc as shipped gives 24 MiB back and faults it in again
    assert imported > plain / 2            # importing tinygrad_edu alone changes nothing
    assert tuned < plain / 20


def test_tune_allocator_is_not_applied_on_import():
    code = "import tinygrad_edu, tinygrad_edu.allocator as a; print(a.applied_settings())"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "None", done.stderr


@glibc_only
def test_tune_allocator_reports_the_settings_it_applied():
    code = ("from tinygrad_edu.allocator import tune_allocator, applied_settings\n"
            "print(tune_allocator(mmap_threshold=1 << 20, trim_threshold=1 << 28), applied_settings())")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "True {'mmap_threshold': 1048576, 'trim_threshold': 268435456}", done.stderr


def test_tune_allocator_is_a_no_op_without_glibc(monkeypatch):
    from tinygrad_edu import allocator
    monkeypatch.setattr(allocator.sys, "platform", "darwin")
    assert allocator.tune_allocator() is False
    assert allocator.applied_settings() is None


def test_tune_allocator_rejects_thresholds_glibc_cannot_take():
    from tinygrad_edu.allocator import MMAP_THRESHOLD_MAX, tune_allocator
    with pytest.raises(ValueError, match=rf"tune_allocator: mmap_threshold must be between 0 and {MMAP_THRESHOLD_MAX}"):
        tune_allocator(mmap_threshold=MMAP_THRESHOLD_MAX + 1)
    with pytest.raises(ValueError, match="trim_threshold must be between 0 and 2147483647 bytes, got -1"):
        tune_allocator(trim_threshold=-1)
    with pytest.raises(TypeError, match="tune_allocator: mmap_threshold must be an int number of bytes, got float"):
        tune_allocator(mmap_threshold=1e6)
