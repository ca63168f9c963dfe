"""How far ingest got in each source partition: the input low watermark.

While a worker catches up on a backlog it reads the alert, deploy and ticket
partitions at different speeds, so one of them can run days (of event time)
ahead of another. Measuring lateness against the newest event seen would
then reject the slower partitions' events. Instead, ingest tracks for every
assigned source partition the offset it has processed up to and the newest
event time it read there, and derives the *input watermark*: the smallest
event time reached by the partitions that still have unread messages. It is
``None`` when every partition is caught up (the normal, real-time case).

A partition with unread messages that ingest has not read from yet counts
as event time 0 (nothing is known about it), which holds the watermark back
until its first message is processed; so does a message from a partition
the offsets last read do not cover (assigned since; the caller checks
``knows``). After a rebalance everything is forgotten (``forget``) until the
offsets are read again: a partition this worker had before may come back
at an older committed offset. A partition whose position stays
below its end for ``stall_s`` seconds without any end or position change is
treated as caught up (e.g. transaction markers at the end of a topic occupy
offsets no message will ever be delivered from).

Pure: the caller feeds it offsets read from the consumer and the messages it
processed; ``clock`` is injected for tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from streams.ingest.decode import Origin

TopicPartition = tuple[str, int]
WATERMARK_HEADER = "input_watermark"  # on forwarded events; absent when caught up


def parse_watermark(headers: Iterable[tuple[str, bytes]] | None) -> int | None:
    """Return the input watermark a forwarded event carries, or None."""
    for name, value in headers or ():
        if name == WATERMARK_HEADER:
            try:
                return int(value)
            except ValueError:
                return None
    return None


@dataclass(frozen=True)
class SourceOffsets:
    """Offsets of the assigned source partitions, as read from the consumer.

    ``ends`` holds every assigned partition's end offset (the offset the next
    produced message will get); ``starts`` the offset reading began at (the
    group's committed offset, else the earliest available one).
    """

    ends: Mapping[TopicPartition, int]
    starts: Mapping[TopicPartition, int] = field(default_factory=dict)


@dataclass
class _Partition:
    next_offset: int | None = None  # after the last processed message
    newest_at: int | None = None  # newest valid event time read (epoch ms)
    last_change: float = 0.0  # clock() when position or end last moved
    last_seen: tuple[int | None, int | None] = (None, None)  # (position, end)


class SourceProgress:
    """Per-partition read progress and the input watermark derived from it."""

    def __init__(self, stall_s: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._stall_s = stall_s
        self._clock = clock
        self._offsets = SourceOffsets({})
        self._partitions: dict[TopicPartition, _Partition] = {}

    def update_offsets(self, offsets: SourceOffsets) -> None:
        """Take the current assignment and offsets; forget revoked partitions."""
        self._offsets = offsets
        for tp in [tp for tp in self._partitions if tp not in offsets.ends]:
            del self._partitions[tp]
        for tp in offsets.ends:
            self._partitions.setdefault(tp, _Partition(last_change=self._clock()))

    def knows(self, topic: str, partition: int) -> bool:
        """Return whether the offsets last read cover ``topic[partition]``."""
        return (topic, partition) in self._offsets.ends

    def forget(self) -> None:
        """Forget every partition (the assignment changed) until offsets are read again."""
        self._offsets = SourceOffsets({})
        self._partitions.clear()

    def observe(self, origin: Origin, at_ms: int | None) -> None:
        """Record a processed message; ``at_ms`` is its event time if it was valid."""
        part = self._partitions.setdefault(
            (origin.topic, origin.partition), _Partition(last_change=self._clock())
        )
        part.next_offset = max(part.next_offset or 0, origin.offset + 1)
        if at_ms is not None:
            part.newest_at = at_ms if part.newest_at is None else max(part.newest_at, at_ms)

    def observe_all(self, processed: Iterable[tuple[Origin, int | None]]) -> None:
        """Record a batch of processed messages (see ``observe``)."""
        for origin, at_ms in processed:
            self.observe(origin, at_ms)

    def lagging(self) -> dict[TopicPartition, int]:
        """Return the assigned partitions with unread messages and their event time so far.

        A partition not read from yet reports 0.
        """
        now = self._clock()
        behind = {}
        for tp, end in self._offsets.ends.items():
            part = self._partitions[tp]
            position = part.next_offset
            if position is None:
                position = self._offsets.starts.get(tp)
            if (position, end) != part.last_seen:
                part.last_seen, part.last_change = (position, end), now
            if position is not None and position >= end:
                continue
            if now - part.last_change >= self._stall_s:
                continue  # no progress and no new messages: nothing deliverable is left
            behind[tp] = part.newest_at if part.newest_at is not None else 0
        return behind

    def lag(self) -> dict[TopicPartition, int]:
        """Return the unread messages per assigned partition (end offset minus position)."""
        behind = {}
        for tp, end in self._offsets.ends.items():
            part = self._partitions.get(tp)
            position = part.next_offset if part is not None else None
            if position is None:
                position = self._offsets.starts.get(tp, end)
            behind[tp] = max(end - position, 0)
        return behind

    def watermark(self) -> int | None:
        """Return the input watermark (epoch ms), or None when all partitions are caught up."""
        behind = self.lagging()
        return min(behind.values()) if behind else None
