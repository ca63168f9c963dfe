"""What the harness watches while a contender runs: its group's progress and its process."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import orjson
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from streams.worker.state_parts import is_head, is_part_key

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Progress:
    """One look at a consumer group: committed source messages and whether all is caught up."""

    at: float  # time.monotonic()
    committed_sources: int
    caught_up: bool


class GroupWatch:
    """Reads a group's committed offsets against the end offsets of every topic it commits to."""

    def __init__(self, bootstrap: str, group: str, sources: tuple[str, ...], total: int) -> None:
        self._admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap)
        self._group = group
        self._sources = set(sources)
        self._total = total

    def look(self) -> Progress:
        """Return the group's progress now (nothing committed yet counts as 0)."""
        now = time.monotonic()
        try:
            committed = {
                tp: meta.offset
                for tp, meta in self._admin.list_group_offsets(self._group)
                .get(self._group, {})
                .items()
                if meta.offset >= 0 and not tp.topic.endswith("-ticks")  # ours: timer, no events
            }
            ends = self._consumer.end_offsets(list(committed)) if committed else {}
        except (KafkaError, KeyError):  # KeyError: a partition kafka-python has no metadata for
            return Progress(now, 0, caught_up=False)
        sources = sum(offset for tp, offset in committed.items() if tp.topic in self._sources)
        behind = sum(ends[tp] - offset for tp, offset in committed.items())
        return Progress(now, sources, caught_up=sources >= self._total and behind == 0)

    def members(self) -> int:
        """Return how many members the group has once it is stable (0 while rebalancing)."""
        try:
            group = self._admin.describe_groups([self._group]).get(self._group, {})
        except (KafkaError, KeyError):
            return 0
        state = group.get("group_state", group.get("state", ""))
        return len(group.get("members") or []) if str(state).lower() == "stable" else 0

    def joined(self) -> bool:
        """Return whether the group is stable with members: the contender is consuming."""
        return self.members() > 0

    def close(self) -> None:
        """Close the Kafka clients."""
        self._admin.close()
        self._consumer.close()


def end_offsets(bootstrap: str, topics: tuple[str, ...]) -> int:
    """Return how many messages ``topics`` hold in total."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in consumer.partitions_for_topic(topic) or ()
        ]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


def cpu_seconds(pid: int) -> float:
    """Return user + system CPU seconds of process ``pid`` and its waited-for children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / TICKS


def memory_kib(pid: int) -> tuple[int, int]:
    """Return (current RSS, peak RSS) of process ``pid`` in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def topic_bytes(broker_data: Path, topic_prefix: str) -> int:
    """Return the bytes of the log segments of the topics starting with ``topic_prefix``."""
    return sum(
        segment.stat().st_size
        for folder in broker_data.glob(f"{topic_prefix}*")
        for segment in folder.glob("*.log")
    )


def state_bytes(bootstrap: str, topic: str) -> int:
    """Return the size of the largest key state a table changelog holds now.

    Reads the changelog from the start and keeps each key's newest value
    (a tombstone removes it). A state written whole is its value; a state
    written in parts (``streams/worker/state_parts.py``) is the size its
    head gives, the parts together.
    """
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, consumer_timeout_ms=5000)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        ends = {tp: end for tp, end in consumer.end_offsets(partitions).items() if end > 0}
        if not ends:
            return 0
        consumer.assign(list(ends))
        consumer.seek_to_beginning(*ends)
        latest: dict[bytes, bytes] = {}
        for record in consumer:
            if record.value is None:
                latest.pop(record.key, None)
            else:
                latest[record.key] = record.value
            if all(consumer.position(tp) >= end for tp, end in ends.items()):
                break
    finally:
        consumer.close()
    sizes = [0]
    for key, value in latest.items():
        if is_part_key(key.decode()):
            continue
        state = orjson.loads(value)
        sizes.append(state["bytes"] if is_head(state) else len(value))
    return max(sizes)
