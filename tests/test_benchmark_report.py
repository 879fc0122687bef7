"""The benchmark report's noise rule: a ratio of two systems is claimed only when their
[min–max] ranges do not overlap, or when at least three interleaved rounds each give a ratio
within ±5% of the pooled one; otherwise the table marks it (unsettled). Made-up results only,
pooled round by round as run.py pools its children's."""
from __future__ import annotations

import pytest

from benchmarks import report, run
from benchmarks.workloads import TINY, Case


def _measured(*rounds: list[float]) -> dict:
    """A measurement whose round r took the seconds in rounds[r], pooled as run.main pools it."""
    pooled = None
    for times in rounds:
        pooled = run.pool(pooled, {"times": times, "cpu_times": times, "peak_rss": 1, "rss_before_workload": 1,
                                   "page_faults_per_step": 0.0})
    return pooled


def test_pool_keeps_each_rounds_median_of_both_clocks():
    pooled = _measured([1.0, 2.0, 9.0], [4.0], [5.0, 6.0])
    assert pooled["times"] == [1.0, 2.0, 9.0, 4.0, 5.0, 6.0]
    assert pooled["round_medians"] == [2.0, 4.0, 5.5]
    assert pooled["round_cpu_medians"] == [2.0, 4.0, 5.5]


def test_overlapping_ranges_and_rounds_that_disagree_are_unsettled():
    # Pooled medians 1.0 and 1.0; the rounds' ratios are 0.9, 1.0 and 1.1.
    a = _measured([0.9, 0.9, 0.9], [1.0, 1.0, 1.0], [1.1, 1.1, 1.1])
    b = _measured([1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
    ratio = report.claim(a, b)
    assert ratio.by_round == pytest.approx((0.9, 1.0, 1.1))
    assert not ratio.claimed
    assert report.ratio_cell(a, b) == "1.00× [0.90–1.10] (unsettled)"


def test_disjoint_ranges_are_claimed_even_from_a_single_round():
    a, b = _measured([1.0, 1.1, 1.2]), _measured([1.3, 1.5])
    ratio = report.claim(a, b)
    assert ratio.claimed and ratio.value == pytest.approx(1.1 / 1.4)
    assert report.ratio_cell(a, b) == "0.79×"


def test_a_single_shared_sample_is_enough_to_overlap():
    a, b = _measured([1.0, 1.1, 1.3]), _measured([1.3, 1.5])
    assert not report.claim(a, b).claimed


def test_three_rounds_within_five_percent_are_claimed_though_the_ranges_overlap():
    # An outlier in each system makes the ranges overlap; every round's ratio is near 0.8.
    a = _measured([0.80, 0.80, 5.0], [0.82, 0.82, 0.82], [0.78, 0.78, 0.78])
    b = _measured([1.0, 1.0, 1.0], [0.2, 1.0, 1.0], [1.0, 1.0, 1.0])
    ratio = report.claim(a, b)
    assert not report.ranges_apart(a["times"], b["times"])
    assert ratio.claimed
    assert report.ratio_cell(a, b) == "0.80× [0.78–0.82]"


def test_one_round_six_percent_off_leaves_the_ratio_unsettled():
    a = _measured([1.0] * 3, [1.0] * 3, [1.06] * 3)
    b = _measured([1.0, 0.5, 1.1], [1.0] * 3, [1.0] * 3)
    assert not report.claim(a, b).claimed
    a["round_medians"][2] = 1.04   # within ±5% it is claimed again
    assert report.claim(a, b).claimed


def test_two_agreeing_rounds_are_not_enough():
    a, b = _measured([1.0, 2.0], [1.0, 2.0]), _measured([1.5, 1.5], [1.5, 1.5])
    assert report.claim(a, b).by_round == pytest.approx((1.0, 1.0))
    assert not report.claim(a, b).claimed


def test_the_cpu_time_ratio_uses_the_cpu_times_ranges_and_rounds():
    a, b = _measured([1.0, 1.1]), _measured([1.05, 1.2])
    a["cpu_times"], b["cpu_times"] = [0.5, 0.6], [1.0, 1.1]
    a["round_cpu_medians"], b["round_cpu_medians"] = [0.55], [1.05]
    assert not report.claim(a, b, "times").claimed
    assert report.claim(a, b, "cpu_times").claimed


def test_a_missing_or_failed_measurement_has_no_ratio():
    assert report.claim(None, _measured([1.0])) is None
    assert report.ratio_cell({"error": "RuntimeError: boom"}, _measured([1.0])) == "—"


def test_the_report_marks_unsettled_ratios_and_states_the_rule_under_each_table():
    settled, unsettled = Case("W2", TINY), Case("W3t", TINY)
    results = {
        (1, settled.label, "torch", "default"): _measured([2e-3] * 3, [2e-3] * 3, [2e-3] * 3),
        (1, settled.label, "tinygrad_edu", "default"): _measured([1e-3] * 3, [1e-3] * 3, [1e-3] * 3),
        (1, unsettled.label, "torch", "default"): _measured([1e-3] * 3, [1e-3] * 3, [1e-3] * 3),
        (1, unsettled.label, "tinygrad_edu", "default"): _measured([0.9e-3] * 3, [1e-3] * 3, [1.2e-3] * 3),
    }
    text = report.render(results, [settled, unsettled], [1], [("torch", "default"), ("tinygrad_edu", "default")],
                         {}, "cpu", [])
    assert f"| {settled.label} | 0.50× [0.50–0.50] |" in text
    assert f"| {unsettled.label} | 1.00× [0.90–1.20] (unsettled) |" in text
    assert text.count(report.CLAIM_RULE) == 1 and "Claimed by the same rule" in text
    assert "±5%" in report.CLAIM_RULE and "at least 3" in report.CLAIM_RULE
