"""What the fault tests count: status counters, topic sizes and the events stored."""

from __future__ import annotations

from typing import Any

from kafka import KafkaConsumer, TopicPartition

from streams.settings import Settings
from streams.storage.clickhouse import connect

COUNTERS = ("batches", "valid", "invalid", "incident_rows", "late", "completed_by_idle")


def status_summary(status: dict[str, Any] | None, counters: tuple[str, ...] = COUNTERS) -> str:
    """Return ``name=value`` for the chosen counters of a status page (or say it is down)."""
    if status is None:
        return "status page not serving"
    return " ".join(f"{name}={status[name]}" for name in counters)


def partition_ends(settings: Settings, topic: str) -> dict[int, int]:
    """Return the end offset of each partition of ``topic`` (empty when it does not exist)."""
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap)
    try:
        partitions = sorted(consumer.partitions_for_topic(topic) or set())
        ends = consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return {tp.partition: offset for tp, offset in sorted(ends.items())}
    finally:
        consumer.close()


def topic_size(settings: Settings, topic: str) -> int:
    """Return how many messages ``topic`` holds (0 when it does not exist)."""
    return sum(partition_ends(settings, topic).values())


def stored_events(settings: Settings) -> tuple[dict[str, int], int]:
    """Return (count per event_id with FINAL, raw row count before merges)."""
    client = connect(settings)
    try:
        final = client.query("SELECT event_id, count() FROM mttr.events FINAL GROUP BY event_id")
        raw = client.query("SELECT count() FROM mttr.events").result_rows[0][0]
    finally:
        client.close()
    return {event_id: count for event_id, count in final.result_rows}, raw
