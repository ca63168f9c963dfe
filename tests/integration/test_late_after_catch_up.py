"""An event far behind its key, sent once the worker caught up, is late whenever the worker started.

The steps a user took: publish while the worker is not running yet, start it
(it reads the first events during its catch-up, forwarded with a held-back
input watermark), let it catch up, then send an event more than the allowed
lateness behind its key's newest event. It must be counted ``late`` and
dead-lettered with a ``late:`` reason, exactly as when the key's events had
been read caught up (docs/incident-model.md, "Duplicates, lateness, identity
and versions").

The backlog holds a few thousand tickets of another service with event times
before the key's, on the tickets topic: while the worker reads them, the input
watermark stays at or below 11:00, so the key's own events (12:00 and 12:10,
on the alerts topic) are read with a held-back watermark.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka import KafkaConsumer

from streams.devtools.processes import stop_process
from streams.devtools.wait import wait_processed
from streams.settings import Settings
from streams.storage.clickhouse import connect
from tests.support.processes import mttr, start_worker, wait_status

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DAY = "2026-03-02"
BACKLOG = 3000  # tickets of another service, 09:00-10:59, read while the key's alerts are


def _alert(event_id: str, alert_id: str, status: str, time: str) -> dict[str, Any]:
    return {
        "type": "alert", "event_id": event_id, "service": "checkout",
        "environment": "production", "occurred_at": f"{DAY}T{time}Z", "alert_id": alert_id,
        "name": "HighErrorRate", "status": status, "severity": "critical",
    }  # fmt: skip


def _backlog() -> list[dict[str, Any]]:
    events = []
    for index in range(BACKLOG):
        minute = 9 * 60 + index * 120 // BACKLOG  # 09:00 .. 10:59, in time order
        events.append({
            "type": "ticket", "event_id": f"bt-{index:05d}", "service": "billing",
            "environment": "production",
            "occurred_at": f"{DAY}T{minute // 60:02d}:{minute % 60:02d}:00Z",
            "ticket_id": f"BILL-{index // 2}", "status": "opened" if index % 2 == 0 else "resolved",
            "severity": "low",
        })  # fmt: skip
    return events


def _publish(settings: Settings, events: list[dict[str, Any]], path: Path) -> None:
    path.write_bytes(b"".join(orjson.dumps(event) + b"\n" for event in events))
    published = mttr("publish", str(path), settings=settings)
    assert published.returncode == 0, published.stderr


def _dead_letter_reasons(settings: Settings) -> list[str]:
    consumer = KafkaConsumer(
        settings.topic_dead_letter,
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=3000,
    )
    try:
        return [dict(message.headers)["reason"].decode() for message in consumer]
    finally:
        consumer.close()


def _incidents(settings: Settings) -> list[dict[str, Any]]:
    client = connect(settings)
    try:
        result = client.query(
            "SELECT incident_id, status, started_at, resolved_at, ttr_seconds, alert_ids"
            " FROM mttr.incidents FINAL WHERE service = 'checkout' ORDER BY started_at"
        )
    finally:
        client.close()
    return [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]


def test_event_far_behind_its_key_after_a_catch_up_is_late(
    storage_settings: Settings, tmp_path: Path
) -> None:
    settings = storage_settings
    # A fires 12:00 and resolves 12:10: one incident, ttr 600 s
    history = [*_backlog(), _alert("a1", "A", "firing", "12:00:00"),
               _alert("a2", "A", "resolved", "12:10:00")]  # fmt: skip
    _publish(settings, history, tmp_path / "history.jsonl")
    log = tmp_path / "worker.log"
    worker = start_worker(settings, log)
    try:
        caught_up = wait_status(
            settings,
            lambda s: (
                s["valid"] == len(history)
                and s["lagging_partitions"] == []
                and s["input_watermark"] is None
            ),
            timeout=120,
        )
        assert caught_up["late"] == 0
        wait_processed(settings, timeout=60)
        # B fires at 10:40: 90 min behind the key's newest event (12:10), nothing unread
        _publish(settings, [_alert("b1", "B", "firing", "10:40:00")], tmp_path / "late.jsonl")
        status = wait_status(settings, lambda s: s["valid"] == len(history) + 1, timeout=60)
        wait_processed(settings, timeout=60)
        status = wait_status(settings, lambda s: True)
    finally:
        assert stop_process(worker) == 0, log.read_text()[-3000:]
    assert status["late"] == 1, f"the late event was applied: {status}"
    reasons = _dead_letter_reasons(settings)
    assert len(reasons) == 1 and reasons[0].startswith("late:"), reasons
    assert "checkout/production" in reasons[0]
    incidents = _incidents(settings)
    assert [(i["status"], i["ttr_seconds"], i["alert_ids"]) for i in incidents] == [
        ("resolved", 600, ["A"])
    ]
    assert incidents[0]["started_at"].strftime("%H:%M") == "12:00"
