"""Consumer lag of the worker's group: how far committed offsets trail the topic ends."""

from __future__ import annotations

import time

from kafka import KafkaAdminClient, TopicPartition
from kafka.admin import OffsetSpec
from kafka.errors import KafkaError

from streams.kafka.security import kafka_python_options
from streams.settings import Settings


def group_lag(
    settings: Settings, topics: tuple[str, ...] | None = None
) -> dict[TopicPartition, int]:
    """Return end minus committed offset per partition of ``topics`` (default: every event topic).

    A partition the group never committed counts as entirely behind. Topics
    that do not exist yet are skipped. Raises ``KafkaError`` on broker errors.
    """
    admin = KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap.split(","), **kafka_python_options(settings)
    )
    try:
        wanted = [t for t in topics or settings.event_topics if t in set(admin.list_topics())]
        partitions = [
            TopicPartition(description["name"], p["partition_index"])
            for description in admin.describe_topics(wanted)
            for p in description["partitions"]
        ]
        if not partitions:
            return {}
        ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in partitions})
        committed = admin.list_group_offsets(settings.app_id).get(settings.app_id, {})
        lag = {}
        for tp in partitions:
            meta = committed.get(tp)
            done = meta.offset if meta is not None and meta.offset >= 0 else 0
            lag[tp] = max(int(ends[tp].offset) - done, 0)
        return lag
    finally:
        admin.close()


def wait_caught_up(
    settings: Settings,
    *,
    topics: tuple[str, ...] | None = None,
    timeout: float = 120.0,
    poll: float = 0.5,
) -> int:
    """Wait until the worker committed every source message; returns total messages.

    Raises ``TimeoutError`` with the remaining lag when ``timeout`` passes.
    Offsets are committed only after a batch is stored, so zero lag on the
    source topics means every event is in ``mttr.events`` or dead-lettered
    and forwarded; zero lag on ``forwarded_topic_name`` too means every
    incident row is written.
    """
    deadline = time.monotonic() + timeout
    lag: dict[TopicPartition, int] = {}
    while time.monotonic() < deadline:
        try:
            lag = group_lag(settings, topics)
        except KafkaError:  # e.g. the group coordinator is still being elected
            lag = {}
        if lag and not any(lag.values()):
            return len(lag)
        time.sleep(poll)
    remaining = {f"{tp.topic}[{tp.partition}]": n for tp, n in lag.items() if n}
    msg = f"worker did not catch up within {timeout:.0f}s; remaining lag {remaining}"
    raise TimeoutError(msg)
