"""Turn the children's results into Markdown tables.

Results are keyed by (threads, case label, system, allocator). Times are medians with the
minimum and maximum beside them; ratios divide medians measured in the same run, and a ratio
is claimed only when the noise cannot have made it (`claim`).
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from benchmarks.workloads import FLOOR_TARGETS, PER_OP, TARGETS, WITHOUT_FLOOR, Case

Key = tuple[Any, str, str, str]
SYSTEM_NAMES = {"torch": "PyTorch", "numpy": "NumPy floor", "tinygrad_edu": "tinygrad_edu"}


def column_name(system: str, allocator: str) -> str:
    return SYSTEM_NAMES[system] + (", tuned alloc" if allocator == "tuned" else "")


def threads_name(threads: Any, machine: dict[str, Any]) -> str:
    if threads == 1:
        return "1 thread"
    return f"default threads ({machine.get('usable_cores', machine.get('cores', '?'))} cores)"


def per_unit(case: Case) -> tuple[float, str]:
    """Seconds are shown as ms per step, or as µs per op for the overhead workload."""
    if case.workload in PER_OP:
        return 1e6 / case.sizes.w3_ops, "µs/op"
    return 1e3, "ms"


def median(result: dict[str, Any] | None, clock: str = "times") -> float | None:
    """The median of the wall-clock `times` or of the `cpu_times` of one measurement."""
    if not result or clock not in result:
        return None
    return statistics.median(result[clock])


def _number(x: float) -> str:
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


def time_cell(result: dict[str, Any] | None, case: Case) -> str:
    if result is None:
        return "—"
    if "error" in result:
        return f"failed: {result['error']}".replace("|", "\\|")
    scale, _ = per_unit(case)
    times = result["times"]
    return f"{_number(median(result) * scale)} [{_number(min(times) * scale)}–{_number(max(times) * scale)}]"


# The noise rule. On a shared machine two systems within a few percent of each other can swap
# places between runs, so a ratio is claimed only when the noise cannot have made it.
CLAIM_TOLERANCE = 0.05
CLAIM_MIN_ROUNDS = 3
# Where run.pool keeps each round's median of each clock, beside the pooled samples.
ROUND_MEDIANS = {"times": "round_medians", "cpu_times": "round_cpu_medians"}
CLAIM_RULE = (f"A ratio is claimed (shown plain) when the two cells' [min–max] ranges do not overlap, or when "
              f"each of at least {CLAIM_MIN_ROUNDS} interleaved rounds gives a ratio of its own medians within "
              f"±{CLAIM_TOLERANCE:.0%} of it; otherwise it is marked (unsettled). [lo–hi] after a ratio: "
              f"the lowest and highest ratio of a single round.")


@dataclass(frozen=True)
class Ratio:
    """numerator / denominator for one clock: the pooled medians' ratio, the same ratio
    round by round, and whether the noise rule lets it be claimed."""
    value: float
    by_round: tuple[float, ...]
    claimed: bool


def ranges_apart(a: list[float], b: list[float]) -> bool:
    """No sample of one lies within the other's [min, max]: the order is clear whatever the noise."""
    return max(a) < min(b) or max(b) < min(a)


def rounds_agree(by_round: tuple[float, ...], value: float) -> bool:
    """Enough rounds, each within the tolerance of the pooled ratio: the median has settled."""
    return len(by_round) >= CLAIM_MIN_ROUNDS and all(abs(r / value - 1) <= CLAIM_TOLERANCE for r in by_round)


def claim(a: dict[str, Any] | None, b: dict[str, Any] | None, clock: str = "times") -> Ratio | None:
    """The ratio a / b of two measurements' medians, judged by the noise rule; None when
    either has no samples (it failed or was not run)."""
    ma, mb = median(a, clock), median(b, clock)
    if ma is None or mb is None:
        return None
    rounds_key = ROUND_MEDIANS[clock]
    by_round = tuple(ra / rb for ra, rb in zip(a.get(rounds_key, []), b.get(rounds_key, [])))
    value = ma / mb
    return Ratio(value, by_round, ranges_apart(a[clock], b[clock]) or rounds_agree(by_round, value))


def ratio_cell(a: dict[str, Any] | None, b: dict[str, Any] | None, clock: str = "times") -> str:
    ratio = claim(a, b, clock)
    if ratio is None:
        return "—"
    text = f"{ratio.value:.2f}×"
    if len(ratio.by_round) > 1:
        text += f" [{min(ratio.by_round):.2f}–{max(ratio.by_round):.2f}]"
    return text if ratio.claimed else text + " (unsettled)"


def times_table(results: dict[Key, dict], cases: list[Case], threads: Any,
                columns: list[tuple[str, str]]) -> list[str]:
    lines = ["| workload | unit | " + " | ".join(column_name(s, a) for s, a in columns) + " |",
             "|---|---|" + "---|" * len(columns)]
    for case in cases:
        cells = ["no floor" if s == "numpy" and case.workload in WITHOUT_FLOOR
                 else time_cell(results.get((threads, case.label, s, a)), case) for s, a in columns]
        lines.append(f"| {case.label} | {per_unit(case)[1]} | " + " | ".join(cells) + " |")
    return lines


RATIOS = [  # (heading, numerator, denominator)
    ("floor / PyTorch", ("numpy", "default"), ("torch", "default")),
    ("floor tuned / PyTorch", ("numpy", "tuned"), ("torch", "default")),
    ("floor tuned / PyTorch tuned", ("numpy", "tuned"), ("torch", "tuned")),
    ("tg / PyTorch", ("tinygrad_edu", "default"), ("torch", "default")),
    ("tg tuned / PyTorch", ("tinygrad_edu", "tuned"), ("torch", "default")),
    ("tg tuned / PyTorch tuned", ("tinygrad_edu", "tuned"), ("torch", "tuned")),
    ("tg / floor", ("tinygrad_edu", "default"), ("numpy", "default")),
    ("tg tuned / floor tuned", ("tinygrad_edu", "tuned"), ("numpy", "tuned")),
]


def ratios_table(results: dict[Key, dict], cases: list[Case], threads: Any, with_targets: bool,
                 clock: str = "times") -> list[str]:
    present = {(s, a) for (t, _, s, a) in results if t == threads}
    ratios = [r for r in RATIOS if r[1] in present and r[2] in present]
    if not ratios:
        return []
    extra = ["target tg / PyTorch", "target tg / floor"] if with_targets else []
    lines = ["| workload | " + " | ".join([r[0] for r in ratios] + extra) + " |",
             "|---|" + "---|" * (len(ratios) + len(extra))]
    for case in cases:
        cells = [ratio_cell(results.get((threads, case.label, *num)), results.get((threads, case.label, *den)), clock)
                 for _, num, den in ratios]
        if with_targets:
            cells += [f"≤ {TARGETS[case.workload]}×", FLOOR_TARGETS.get(case.workload, "—")]
        lines.append(f"| {case.label} | " + " | ".join(cells) + " |")
    return lines


def memory_table(results: dict[Key, dict], cases: list[Case], threads: Any,
                 columns: list[tuple[str, str]]) -> list[str]:
    """Peak resident memory of each child running the first W1 case, and page faults per step
    for every workload (a step that reuses its memory causes almost none)."""
    mib = 1 / 2**20
    lines = ["| system | W1 peak RSS (MiB) | W1 RSS before the workload (MiB) | "
             + " | ".join(f"{c.workload} page faults / step" for c in cases) + " |",
             "|---|---|---|" + "---|" * len(cases)]
    w1 = next((c for c in cases if c.workload == "W1"), None)
    for system, allocator in columns:
        first = results.get((threads, w1.label, system, allocator)) if w1 else None
        peak = f"{first['peak_rss'] * mib:.0f}" if first and "peak_rss" in first else "—"
        before = f"{first['rss_before_workload'] * mib:.0f}" if first and "peak_rss" in first else "—"
        faults = []
        for case in cases:
            r = results.get((threads, case.label, system, allocator))
            faults.append(f"{r['page_faults_per_step']:.0f}" if r and "page_faults_per_step" in r else "—")
        lines.append(f"| {column_name(system, allocator)} | {peak} | {before} | " + " | ".join(faults) + " |")
    return lines


def machine_lines(machine: dict[str, Any], device_name: str | None = None) -> list[str]:
    units = machine.get("vector_units")
    lines = [f"- CPU: {machine.get('cpu')}, {machine.get('cores')} cores"
             + (f" ({machine['usable_cores']} usable)" if "usable_cores" in machine else "")
             + (f", {' '.join(units)}" if units else ""),
             f"- Python {machine.get('python')}, NumPy {machine.get('numpy')}, PyTorch {machine.get('torch')} "
             f"(default {machine.get('torch_default_threads', '?')} threads"
             + (f"; {machine['torch_kernels']})" if "torch_kernels" in machine else ")")]
    lines += [f"- BLAS: {b}" for b in machine.get("blas", [])]
    if device_name:
        lines.append(f"- GPU: {device_name}")
    return lines


def render(results: dict[Key, dict], cases: list[Case], threads_list: list[Any],
           columns: list[tuple[str, str]], machine: dict[str, Any], device: str, notes: list[str]) -> str:
    out = ["# tinygrad_edu benchmarks", "", *machine_lines(machine, machine.get("gpu")), *notes, ""]
    for threads in threads_list:
        heading = threads_name(threads, machine)
        out += [f"## {heading}, device {device}", "",
                f"Median [min–max] per step ({', '.join(PER_OP)}: per op).", "",
                *times_table(results, cases, threads, columns), ""]
        ratios = ratios_table(results, cases, threads, with_targets=threads == 1 and device == "cpu")
        if ratios:
            out += ["Ratios of wall-clock medians from this run (below 1× is faster than the denominator).", "",
                    *ratios, "", CLAIM_RULE, ""]
        if threads == 1 and ratios:
            out += ["The same ratios from CPU-time medians: with one thread they leave out the time other "
                    "programs held the core, so they stay steady on a shared machine.", "",
                    *ratios_table(results, cases, threads, with_targets=False, clock="cpu_times"), "",
                    "Claimed by the same rule, on the CPU times' ranges and round medians.", ""]
        out += ["Memory and page faults.", "", *memory_table(results, cases, threads, columns), ""]
    failures = [(k, r) for k, r in results.items() if "error" in r]
    if failures:
        out += ["## Failures", ""]
        out += [f"- {column_name(k[2], k[3])} on {k[1]} ({threads_name(k[0], machine)}): {r['error']}"
                for k, r in failures]
        out.append("")
    return "\n".join(out)
