"""The worker's Prometheus metrics: exposition text from counters, progress and state."""

from __future__ import annotations

from typing import Any

import orjson

from streams.engine.correlate import EngineConfig
from streams.ingest.deadletter import reason_class
from streams.ingest.decode import Origin
from streams.ingest.types import RawMessage
from streams.worker.correlation_step import CorrelationStep
from streams.worker.counters import IngestCounters
from streams.worker.metrics import WorkerMetrics
from tests.support.engine import clear, fire


def _open_state() -> dict[str, Any]:
    fields = {"service": "api", "environment": "production", "severity": "high",
              "resolved_at": None}  # fmt: skip
    done = {**fields, "resolved_at": 1}
    return {"emitted": {"i1": {"live": True, "fields": fields},
                        "i2": {"live": True, "fields": done},
                        "i3": {"live": False, "fields": fields}}}  # fmt: skip


def _lines(metrics: WorkerMetrics) -> set[str]:
    return {line for line in metrics.render().decode().splitlines() if not line.startswith("#")}


def test_scrape_time_values() -> None:
    counters = IngestCounters(late=2, incident_rows=7)
    counters.consumed.update({"alerts": 5, "tickets": 1})
    counters.count_dead_letters(["late: occurred_at ...", "not valid JSON: x", "late: y"])
    metrics = WorkerMetrics(
        counters, lag=lambda: {("alerts", 0): 3, ("alerts", 1): 0}, states=lambda: [_open_state()]
    )
    lines = _lines(metrics)
    assert 'mttr_events_consumed_total{topic="alerts"} 5.0' in lines
    assert 'mttr_events_consumed_total{topic="tickets"} 1.0' in lines
    assert 'mttr_events_dead_lettered_total{reason="late"} 2.0' in lines
    assert 'mttr_events_dead_lettered_total{reason="not valid JSON"} 1.0' in lines
    assert "mttr_late_events_total 2.0" in lines
    assert "mttr_incident_rows_total 7.0" in lines
    assert 'mttr_consumer_lag{partition="0",topic="alerts"} 3.0' in lines
    assert 'mttr_consumer_lag{partition="1",topic="alerts"} 0.0' in lines
    # i1 is open and live; i2 resolved; i3 deleted
    assert (
        'mttr_open_incidents{environment="production",service="api",severity="high"} 1.0' in lines
    )


def test_repair_histogram_sum_and_count() -> None:
    """Two completions, 600 s and 5400 s: count 2, sum 6000; buckets are cumulative."""
    metrics = WorkerMetrics(IngestCounters(), lag=dict, states=list)
    row = {"service": "api", "environment": "production", "severity": "high"}
    metrics.completed({**row, "ttr_seconds": 600.0})
    metrics.completed({**row, "ttr_seconds": 5400.0})
    metrics.completed({**row, "ttr_seconds": None})  # not resolved: nothing to observe
    labels = 'environment="production",service="api",severity="high"'
    lines = _lines(metrics)
    assert f"mttr_repair_duration_seconds_count{{{labels}}} 2.0" in lines
    assert f"mttr_repair_duration_seconds_sum{{{labels}}} 6000.0" in lines
    bucket = (
        'mttr_repair_duration_seconds_bucket{{environment="production",le="{}",'
        'service="api",severity="high"}} {}'
    )
    assert bucket.format("300.0", "0.0") in lines
    assert bucket.format("600.0", "1.0") in lines  # le: 600 <= 600
    assert bucket.format("7200.0", "2.0") in lines
    assert bucket.format("+Inf", "2.0") in lines


def test_reason_class_is_the_text_before_the_first_colon() -> None:
    assert reason_class("late: occurred_at 2026 ...") == "late"
    assert reason_class("occurred_at: timestamp has no UTC offset") == "occurred_at"
    assert reason_class("correlation failed: KeyError('x')") == "correlation failed"
    assert reason_class("x" * 80) == "x" * 40
    assert reason_class("") == "unknown"


class _Writer:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add_rows(self, rows: list[dict[str, Any]]) -> None:
        self.rows.extend(rows)

    def dead_letter(self, key: bytes | None, invalid: Any) -> None:
        raise AssertionError(invalid)


def test_completion_is_reported_once_per_incident() -> None:
    """A 10:00-10:05, then events at 10:20 (past 10:05 + 10 min: completes, ttr 300 s) and
    10:30 (already completed: not reported again), and a duplicate (never reported).
    """
    completed: list[tuple[str, float]] = []
    step = CorrelationStep(
        EngineConfig(), 1 << 20, 30.0, on_completed=lambda r: completed.append(
            (r["incident_id"], r["ttr_seconds"]))
    )  # fmt: skip
    table: dict[str, Any] = {}
    writer = _Writer()
    events = [fire("A", 0), clear("A", 5), fire("B", 20), clear("B", 21), fire("C", 40)]
    for offset, event in enumerate([*events[:3], events[2], *events[3:]]):
        message = RawMessage(b"checkout", orjson.dumps(event), Origin("alerts", 0, offset))
        step.apply(message, 0, table, writer)  # type: ignore[arg-type]
    assert [ttr for _, ttr in completed] == [300.0, 60.0]
    assert len({incident for incident, _ in completed}) == 2
