"""Publishing factory events to their source topics and rewinding a stopped group's offsets."""

from __future__ import annotations

import time
from typing import Any

import orjson
from kafka import KafkaAdminClient, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata

from streams.settings import Settings


def publish(settings: Settings, *events: dict[str, Any]) -> None:
    """Send each event to its type's topic, keyed by service, and wait until all are written."""
    topics = {
        "alert": settings.topic_alerts,
        "deploy": settings.topic_deploys,
        "ticket": settings.topic_tickets,
    }
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    try:
        for event in events:
            producer.send(
                topics[event["type"]], key=event["service"].encode(), value=orjson.dumps(event)
            )
        producer.flush()
    finally:
        producer.close()


def rewind(settings: Settings, topic: str, timeout: float = 60) -> None:
    """Set the stopped worker group's committed offsets on ``topic`` back to 0."""
    partitions = [TopicPartition(topic, p) for p in range(settings.topic_partitions)]
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    deadline = time.monotonic() + timeout
    try:
        while True:  # the group may take a moment to become empty
            try:
                results = admin.alter_group_offsets(
                    settings.app_id, {tp: OffsetAndMetadata(0) for tp in partitions}
                )
                if all(error.__name__ == "NoError" for error in results.values()):
                    return
            except Exception:  # noqa: BLE001 - e.g. the coordinator still sees the member
                results = {}
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not rewind {topic}: {results}")
            time.sleep(1)
    finally:
        admin.close()
