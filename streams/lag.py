"""Consumer lag of the worker's group: how far committed offsets trail the topic ends."""

from __future__ import annotations

import time

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from streams.settings import Settings


def group_lag(settings: Settings) -> dict[TopicPartition, int]:
    """Return end offset minus committed offset per source partition (uncommitted = all)."""
    bootstrap = settings.kafka_bootstrap.split(",")
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        committed = admin.list_group_offsets(settings.app_id).get(settings.app_id, {})
        partitions = [
            TopicPartition(topic, p)
            for topic in settings.source_topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        ends = consumer.end_offsets(partitions)
        lag = {}
        for tp in partitions:
            meta = committed.get(tp)
            done = meta.offset if meta is not None and meta.offset >= 0 else 0
            lag[tp] = max(int(ends[tp]) - done, 0)
        return lag
    finally:
        consumer.close()
        admin.close()


def wait_caught_up(settings: Settings, *, timeout: float = 120.0, poll: float = 0.5) -> int:
    """Wait until the worker committed every source message; returns total messages.

    Raises ``TimeoutError`` with the remaining lag when ``timeout`` passes.
    Offsets are committed only after a batch is stored, so zero lag means
    everything published so far is in ClickHouse or the dead-letter topic.
    """
    deadline = time.monotonic() + timeout
    lag: dict[TopicPartition, int] = {}
    while time.monotonic() < deadline:
        try:
            lag = group_lag(settings)
        except KafkaError:  # e.g. the group coordinator is still being elected
            lag = {}
        if lag and not any(lag.values()):
            return len(lag)
        time.sleep(poll)
    remaining = {f"{tp.topic}[{tp.partition}]": n for tp, n in lag.items() if n}
    msg = f"worker did not catch up within {timeout:.0f}s; remaining lag {remaining}"
    raise TimeoutError(msg)
