"""Streaming the scripted history (tests/support/scripted_history.py) through a real worker.

``scripted_settings()`` gives a test its own app id and chDB path with a
lateness allowance covering the whole history; ``publish()`` sends events
shuffled, tickets through a round-robin partitioner so one service's events
land on several partitions; ``settle()`` waits until nothing is left to
process or complete; ``incidents()`` reads ``mttr.incidents FINAL``.
"""

from __future__ import annotations

import itertools
import random
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from kafka import KafkaProducer
from kafka.partitioner import Partitioner

from streams.devtools.wait import wait_processed
from streams.settings import Settings
from streams.storage.clickhouse import connect
from tests.support.processes import wait_status


def scripted_settings(
    base: Settings, tmp_path: Path, name: str, store: str = "memory://"
) -> Settings:
    """Return ``base`` with its own app id and chDB path under ``tmp_path / name``.

    The lateness allowance covers the whole history, so any arrival order is
    accepted; the short idle flush completes resolved incidents quickly.
    """
    return base.model_copy(
        update={
            "store": store,
            "app_id": f"{base.app_id}-{name}",
            "var_dir": tmp_path / name,
            "allowed_lateness_s": 2 * 86400.0,  # the whole history may arrive in any order
            "sink_batch_seconds": 0.2,
            "idle_flush_s": 1.0,
        }
    )


class RoundRobin(Partitioner):
    """Ignores the key: a service's events spread over all partitions (not murmur2)."""

    def __init__(self) -> None:
        self._next = itertools.count()

    def partition(self, topic, key, serialized_key, value, serialized_value, cluster):  # type: ignore[no-untyped-def]
        partitions = sorted(cluster.partitions_for_topic(topic))
        return partitions[next(self._next) % len(partitions)]


def publish(settings: Settings, events: list[dict[str, Any]], seed: int) -> None:
    """Send ``events`` shuffled by ``seed``; tickets round-robin, the rest by key."""
    topics = {
        "alert": settings.topic_alerts,
        "deploy": settings.topic_deploys,
        "ticket": settings.topic_tickets,
    }
    murmur = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    round_robin = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, acks="all", partitioner=RoundRobin()
    )
    shuffled = events[:]
    random.Random(seed).shuffle(shuffled)
    for event in shuffled:
        producer = round_robin if event["type"] == "ticket" else murmur
        producer.send(
            topics[event["type"]], key=event["service"].encode(), value=orjson.dumps(event)
        )
    murmur.flush()
    round_robin.flush()
    murmur.close()
    round_robin.close()


def settle(settings: Settings, timeout: float = 90.0) -> None:
    """Wait until everything is processed and idle completion has nothing left to write.

    Settled = both agents caught up and no new incident rows nor idle
    completions over two windows of four idle periods (idle completion runs on
    wall-clock ticks, which a busy machine delays).
    """
    deadline = time.monotonic() + timeout
    seen: list[tuple[int, int]] = []
    while time.monotonic() < deadline:
        wait_processed(settings)
        status = wait_status(settings, lambda status: True)
        seen.append((status["incident_rows"], status["completed_by_idle"]))
        # unchanged over two idle windows: a tick delayed on a busy machine is not "settled"
        if len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3]:
            return
        time.sleep(4 * settings.idle_flush_s)
    raise TimeoutError(f"incident rows kept changing: {seen}")


def incidents(settings: Settings) -> dict[tuple[str, str, datetime], dict[str, Any]]:
    """Return ``mttr.incidents FINAL`` keyed by (service, environment, started_at)."""
    client = connect(settings)
    try:
        result = client.query("SELECT * FROM mttr.incidents FINAL")
        rows = [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
    finally:
        client.close()
    return {(r["service"], r["environment"], r["started_at"]): r for r in rows}
