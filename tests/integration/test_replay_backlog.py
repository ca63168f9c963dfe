"""Replaying a long, time-ordered backlog gives the same incidents as live, in-order processing.

A producer that publishes in event-time order spreads events over three
topics (and several partitions each). When the worker catches up on such a
backlog, it reads those partitions at different speeds, so one topic's
events can run days ahead of another's for the same service. Ingest holds
the watermark back to the slowest partition that still has unread messages
(``streams.ingest.progress``), so none of them is late and the incidents equal
those of the pure engine fed the same events one by one in event-time order.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from streams.devtools.processes import stop_process
from streams.devtools.simulate import Profile, simulate
from streams.devtools.wait import wait_processed
from streams.settings import Settings
from streams.storage.clickhouse import connect
from tests.support.engine import run
from tests.support.processes import mttr, start_worker

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SERVICES, DAYS, SEED, END, CHANGES_PER_DEPLOY = 4, 90, 3, "2026-06-30", 2.0
PROCESSING = ("version", "updated_at", "inserted_at", "completed", "is_deleted")  # by arrival


def _status(settings: Settings) -> dict[str, Any]:
    url = f"http://127.0.0.1:{settings.web_port}/mttr/status/"
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)  # type: ignore[no-any-return]


def _metrics(settings: Settings) -> dict[str, float]:
    """Return the worker's /metrics samples summed over their labels, by name."""
    url = f"http://127.0.0.1:{settings.web_port}/metrics"
    with urllib.request.urlopen(url, timeout=5) as response:
        text = response.read().decode()
    totals: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            sample, value = line.rsplit(" ", 1)
            name = sample.split("{", 1)[0]
            totals[name] = totals.get(name, 0.0) + float(value)
    return totals


def _stored_incidents(settings: Settings) -> dict[str, dict[str, Any]]:
    client = connect(settings)
    try:
        result = client.query("SELECT * FROM mttr.incidents FINAL")
    finally:
        client.close()
    rows = [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
    return {row["incident_id"]: row for row in rows}


def _change_events(settings: Settings) -> int:
    client = connect(settings)
    try:
        result = client.query("SELECT count() FROM mttr.events FINAL WHERE type = 'change'")
    finally:
        client.close()
    return int(result.result_rows[0][0])


def _comparable(row: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name not in PROCESSING}


def test_time_ordered_backlog_equals_in_order_processing(
    storage_settings: Settings, tmp_path: Path
) -> None:
    # no idle completion: every completion comes from the watermark, so the metrics
    # read below match the stored rows exactly
    settings = storage_settings.model_copy(update={"idle_flush_s": 3600.0})
    published = mttr(
        "simulate", "--services", str(SERVICES), "--days", str(DAYS), "--seed", str(SEED),
        "--end", END, "--changes-per-deploy", str(CHANGES_PER_DEPLOY), settings=settings,
    )  # fmt: skip
    assert published.returncode == 0, published.stderr
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        wait_processed(settings, timeout=180)
        status = _status(settings)
        metrics = _metrics(settings)
    finally:
        assert stop_process(worker) == 0, (tmp_path / "worker.log").read_text()[-3000:]
    end = datetime.fromisoformat(END).replace(tzinfo=UTC)
    events = simulate(SERVICES, DAYS, SEED, end, Profile(changes_per_deploy=CHANGES_PER_DEPLOY))
    changes = [e for e in events if e["type"] == "change"]  # stored, never correlated
    assert changes and status["valid"] == len(events)
    assert status["invalid"] == 0
    assert status["late"] == 0, f"{status['late']} of {status['valid']} events dead-lettered"
    assert status["lagging_partitions"] == []
    assert status["input_watermark"] is None

    stored = _stored_incidents(settings)
    completed = [row for row in stored.values() if row["completed"]]
    assert completed  # most, not all: the last batches carried a held-back watermark
    assert metrics["mttr_repair_duration_seconds_count"] == len(completed)
    assert metrics["mttr_repair_duration_seconds_sum"] == pytest.approx(
        sum(row["ttr_seconds"] for row in completed)
    )
    assert metrics["mttr_events_consumed_total"] == len(events)
    assert metrics.get("mttr_consumer_lag", 0) == 0
    assert metrics.get("mttr_open_incidents", 0) == sum(
        r["status"] == "open" for r in stored.values()
    )

    assert _change_events(settings) == len(changes)
    correlated = [e for e in events if e["type"] != "change"]
    expected = {iid: _comparable(row) for iid, row in run(correlated).items()}
    actual = {iid: _comparable(row) for iid, row in stored.items()}
    assert len(expected) > 40  # three months of four services' incidents
    assert sorted(actual) == sorted(expected)
    for incident_id, row in expected.items():
        assert actual[incident_id] == row, incident_id
