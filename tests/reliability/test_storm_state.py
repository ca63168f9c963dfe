"""A key whose state outgrows a Kafka message: stored as parts, restored whole.

An alert storm on one service (10,000 events of 1,000 alert ids in two hours,
one incident, all inside the lateness allowance) gives a key state of about
1.6 MB of JSON, more than the broker's 1 MiB message limit. Before states
were written in parts (streams/worker/state_parts.py), the changelog write of
that key failed with ``MessageSizeTooLargeError`` and the worker stopped on
valid input.

The worker must store the storm, stop cleanly, and a second worker on the
in-memory store (which restores every key from the changelog) must continue
the same incident: one more alert cycle 5 minutes after the last resolution
(inside the 10-minute quiet period) reopens it, so ``mttr.incidents`` still
holds one incident, with the storm's start and the new resolution. A lost or
garbled state would start a second incident instead, or fail to read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka import KafkaProducer

from bench.pipeline import storm
from streams.devtools.processes import stop_process
from streams.settings import Settings
from tests.support.faults import topic_size
from tests.support.processes import start_worker, worker_status
from tests.support.scripted_stream import incidents, scripted_settings, settle

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]

EVENTS, ALERTS = 10_000, 1_000


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _alert(status: str, at: datetime) -> dict[str, Any]:
    return {
        "type": "alert", "event_id": f"after-storm-{status}", "service": storm.SERVICE,
        "environment": storm.ENVIRONMENT, "occurred_at": _stamp(at),
        "alert_id": "after-storm", "name": "AfterStorm", "status": status, "severity": "high",
    }  # fmt: skip


def _publish(settings: Settings, messages: list[tuple[str, bytes, bytes]]) -> None:
    """Send (type, key, value) messages in their order, keyed by service (murmur2)."""
    topics = {"alert": settings.topic_alerts}
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    for kind, key, value in messages:
        producer.send(topics[kind], key=key, value=value)
    producer.flush()
    producer.close()


def _run(settings: Settings, log: Path, messages: list[tuple[str, bytes, bytes]]) -> None:
    worker = start_worker(settings, log)
    try:
        _publish(settings, messages)
        settle(settings, timeout=240)
        status = worker_status(settings)
        assert worker.poll() is None, log.read_text()[-3000:]
        assert status is not None and not status["dead_lettered"], status
    finally:
        code = stop_process(worker)
    assert code == 0, log.read_text()[-3000:]


def test_a_storm_state_larger_than_a_message_survives_a_restart(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    settings = scripted_settings(isolated_settings, tmp_path, "storm", "memory://")
    dataset = storm.build(EVENTS, ALERTS)
    wanted = storm.expected(dataset)
    log = tmp_path / "worker.log"

    _run(settings, log, dataset.messages)  # 1% twice, shuffled in blocks of 50
    (first,) = incidents(settings).values()
    assert first["started_at"] == _moment(wanted["started_at"])
    assert first["resolved_at"] == _moment(wanted["resolved_at"])
    assert first["event_count"] == EVENTS and len(set(first["alert_ids"])) == ALERTS
    assert "MessageSizeTooLarge" not in log.read_text()

    fired = _moment(wanted["resolved_at"]) + timedelta(minutes=5)
    # a new worker: the key's state restored from the changelog
    after = [_alert("firing", fired), _alert("resolved", fired + timedelta(minutes=3))]
    _run(settings, log, [("alert", b"storm", orjson.dumps(event)) for event in after])
    (last,) = incidents(settings).values()
    assert last["incident_id"] == first["incident_id"]
    assert last["started_at"] == first["started_at"]
    assert last["resolved_at"] == (fired + timedelta(minutes=3)).astimezone(UTC)
    assert last["event_count"] == EVENTS + 2 and last["reopen_count"] == 1
    assert topic_size(settings, settings.topic_dead_letter) == 0
