"""The benchmarks' performance goals (bench/goals.py): read from results, shown as a table.

Each goal is met or missed by a stated amount (in its unit and as a share of
the target), or not measured when its part did not run; the figures come
from the JSON results of the pipeline and scaling benchmarks.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console

from bench import goals
from bench.goals import Goal

PIPELINE: dict[str, Any] = {
    "throughput": [
        {"contender": "ours", "events_per_second": 2000.0, "cpu_seconds_per_million": 550.0,
         "counts": True},
        {"contender": "quix", "events_per_second": 4000.0, "cpu_seconds_per_million": 250.0,
         "counts": True},
    ],
    "storm": {"window": 5000, "runs": [
        {"contender": "ours", "capped": True, "counts": False, "share_of_spread": 0.1,
         "last_over_first": 8.5, "output": "capped at 20,000 events processed"},
    ]},
    "latency": [
        {"contender": "ours", "engine": "chDB", "p99_ms": 690.0},
        {"contender": "quix", "engine": "chDB", "p99_ms": 5400.0},
        {"contender": "ours", "engine": "ClickHouse server", "p99_ms": 1250.0},
    ],
    "state": {"open_incidents": 100_000, "rss_bytes_per_open_incident": 4142},
}  # fmt: skip


def test_pipeline_goals_measured_against_their_targets() -> None:
    found = {g.name: (g.measured, g.verdict, g.note) for g in goals.pipeline_goals(PIPELINE)}
    assert found == {
        "Throughput, ours / Quix Streams (events/s)": (0.5, "missed by 1.00x (67% short)", ""),
        "CPU per event after joining, ours / Quix Streams": (
            2.2, "missed by 1.60x (267% over)", ""),
        "Alert storm rate, share of the spread-out rate (ours)": (
            0.1, "missed by 40% (80% short)", "capped: rate so far, last window reached"),
        "Alert storm CPU per event, last / first 5,000 events (flat)": (
            8.5, "missed by 7.30x (608% over)", "capped: rate so far, last window reached"),
        "p99 latency, event to row, chDB": (690.0, "met", ""),
        "p99 latency, event to row, ClickHouse server": (
            1250.0, "missed by 250 ms (25% over)", ""),
        "State, RSS per open incident at 100,000 open": (
            4142, "missed by 2,094 B (102% over)", ""),
    }  # fmt: skip


def test_a_figure_that_does_not_count_is_judged_only_when_it_misses() -> None:
    capped = {"window": 500, "runs": [
        {"contender": "ours", "capped": True, "counts": False, "share_of_spread": 0.6,
         "last_over_first": 1.9},
    ]}  # fmt: skip
    rate, flat = goals.storm_goals(capped)
    assert (rate.met, rate.verdict) == (None, "not judged")
    assert (flat.met, flat.verdict) == (False, "missed by 0.70x (58% over)")
    assert rate.as_dict()["met"] is None


def test_parts_not_run_are_not_measured() -> None:
    found = goals.pipeline_goals({"throughput": [PIPELINE["throughput"][0]]})
    assert {g.verdict for g in found} == {"not measured"}
    assert [g.note for g in found] == [
        "needs ours and quix", "needs ours and quix", "storm not run", "storm not run",
        "not run", "not run", "not run",
    ]  # fmt: skip


def test_scaling_goals_from_the_medians() -> None:
    medians = [
        {"workers": 1, "ok": True, "speedup": 1.0},
        {"workers": 2, "ok": True, "speedup": 1.75},
        {"workers": 3, "ok": False, "speedup": 1.28},
    ]
    found = goals.scaling_goals(medians, 8)
    assert [(g.measured, g.verdict, g.note) for g in found] == [
        (1.75, "met", ""),
        (1.28, "missed by 1.12x (47% short)", "a check failed (see the scaling table)"),
    ]
    assert [g.note for g in goals.scaling_goals(medians[:1], 4)] == ["not run", "not run"]


def test_json_and_table_show_measured_target_and_verdict() -> None:
    goal = Goal("p99 latency, event to row, chDB", 1250.0, 1000, False, "ms")
    assert goal.as_dict() == {
        "goal": "p99 latency, event to row, chDB",
        "measured": 1250.0,
        "target": "<= 1,000 ms",
        "met": False,
        "verdict": "missed by 250 ms (25% over)",
        "note": "",
    }
    console = Console(width=160, record=True)
    console.print(goals.table([goal, Goal("Scaling", None, 1.7, True, "x", "not run")]))
    text = console.export_text()
    assert "Performance goals" in text
    assert "1,250 ms │ ≤ 1,000 ms │ missed by 250 ms (25% over)" in text
    assert "- │ ≥ 1.70x    │ not measured" in text
