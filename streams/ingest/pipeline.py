"""One batch of raw messages through the ingest step: decode, dead-letter, store, forward.

The pipeline knows nothing about Faust: the agent hands it plain
``RawMessage`` values and awaits ``process()``. It returns only when every
invalid message is acknowledged by the dead-letter topic, every valid event
is in ``mttr.events`` and has been forwarded (acknowledged) to the
correlation topic, retrying I/O failures with back-off, so the agent may
then acknowledge the whole batch (once it correlated the events kept here).

Events already on their service's partition may be kept for correlation in
the calling agent instead (``route``, see ``streams.worker.in_place``); they
are returned in ``BatchStats.here`` with the batch's input watermark.

Change events (the change topic) are stored and nothing else: they feed lead
time in SQL, never incidents, so they are neither kept nor forwarded, and
their partitions take no part in the input watermark.

Forwarded events carry the input watermark (see ``streams.ingest.progress``) as it
stood *before* the batch: every event of the batch is at or after it, up to
the ordinary disorder within one partition.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from streams.engine.members import to_ms
from streams.ingest.deadletter import DlqLimit, dead_letter_record
from streams.ingest.decode import Decoded, Invalid, decode
from streams.ingest.progress import SourceOffsets, SourceProgress
from streams.ingest.rows import event_to_row
from streams.ingest.types import RawMessage, RowSink, SendDeadLetter
from streams.retry import retry_forever

log = logging.getLogger(__name__)

Forward = Callable[[list[Decoded], int | None], Awaitable[None]]
Route = Callable[[list[Decoded]], tuple[list[Decoded], list[Decoded]]]
"""Split valid events into ``(correlated here, forwarded)`` (``streams.worker.in_place``)."""
ReadOffsets = Callable[[], Awaitable[SourceOffsets | None]]
Meanwhile = Callable[[list[Decoded], int | None], Awaitable[None]]
"""What runs with the events kept here while the batch is written (``process``)."""
OFFSETS_REFRESH_S = 1.0  # how often the source partitions' end offsets are re-read
OFFSETS_TIMEOUT_S = 5.0  # a slow read must not stall ingest; the previous offsets stay


async def _no_forward(_: list[Decoded], __: int | None) -> None:
    return None


async def _no_offsets() -> SourceOffsets | None:
    return None


def _forward_all(events: list[Decoded]) -> tuple[list[Decoded], list[Decoded]]:
    return [], events


@dataclass(frozen=True, slots=True)
class BatchStats:
    """What one batch did."""

    valid: int
    reasons: list[str]  # of the invalid messages, dead-lettered
    here: list[Decoded] = field(default_factory=list)  # stored, not forwarded: correlate here
    watermark: int | None = None  # the input watermark the batch was read with


class IngestPipeline:
    """Decodes a batch, dead-letters the invalid messages and stores the valid ones."""

    def __init__(
        self,
        *,
        topic_types: dict[str, str],
        max_bytes: int,
        sink: RowSink,
        send_dead_letter: SendDeadLetter,
        limit: DlqLimit | None,
        retry_max_delay: float,
        forward: Forward = _no_forward,
        read_offsets: ReadOffsets = _no_offsets,
        route: Route = _forward_all,
        stall_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._topic_types = topic_types
        self._max_bytes = max_bytes
        self._sink = sink
        self._send_dead_letter = send_dead_letter
        self._limit = limit
        self._retry_max_delay = retry_max_delay
        self._forward = forward
        self._read_offsets = read_offsets
        self._route = route
        self._clock = clock
        self._offsets_read_at: float | None = None
        self._refreshing: asyncio.Task[None] | None = None
        self._assignment = 0  # changes at every rebalance (forget_assignment)
        self.progress = SourceProgress(stall_s=stall_s, clock=clock)
        self._stored_only = frozenset(t for t, kind in topic_types.items() if kind == "change")

    def split(self, messages: Sequence[RawMessage]) -> tuple[list[Decoded], list[Invalid]]:
        """Decode every message (pure); raises ``DlqLimitExceeded`` before any I/O."""
        valid: list[Decoded] = []
        invalid: list[Invalid] = []
        for message in messages:
            result = decode(
                message.value,
                message.origin,
                expected_type=self._topic_types.get(message.origin.topic),
                max_bytes=self._max_bytes,
            )
            if self._limit is not None:
                self._limit.record(isinstance(result, Decoded))
            (valid if isinstance(result, Decoded) else invalid).append(result)  # type: ignore[arg-type]
        return valid, invalid

    async def refresh_offsets(self) -> None:
        """Re-read the source partitions' offsets, at most every ``OFFSETS_REFRESH_S``.

        The first read is awaited: the first batch needs the offsets. Later
        reads run in the background and the batch uses the latest offsets
        read: the Faust consumer thread answers between its fetches, often
        after more than a second, and waiting for it made ingest spend most
        of its time idle (1.4 s per batch of 1000 in bench/pipeline).
        """
        now = self._clock()
        if self._offsets_read_at is None:
            self._offsets_read_at = now
            await self._read_offsets_now()
            return
        if self._refreshing is not None and not self._refreshing.done():
            return
        if now - self._offsets_read_at < OFFSETS_REFRESH_S:
            return
        self._offsets_read_at = now
        self._refreshing = asyncio.create_task(self._read_offsets_now())

    def forget_assignment(self) -> None:
        """Partitions were revoked: forget the progress and read the offsets before the next batch.

        Until then every event is read with the input watermark held back;
        a read started before the rebalance is discarded when it ends.
        """
        self._assignment += 1
        log.info("partitions revoked: source progress forgotten until offsets are read again")
        self._offsets_read_at = None
        self.progress.forget()

    async def _read_offsets_now(self) -> None:
        assignment = self._assignment
        try:
            offsets = await asyncio.wait_for(self._read_offsets(), OFFSETS_TIMEOUT_S)
        except Exception as exc:  # e.g. during a rebalance; keep the previous offsets
            log.warning("could not read source offsets (%r); keeping the previous ones", exc)
            return
        if offsets is not None and assignment == self._assignment:
            self.progress.update_offsets(offsets)

    async def process(
        self, messages: Sequence[RawMessage], meanwhile: Meanwhile | None = None
    ) -> BatchStats:
        """Handle one batch; returns once all of its output is durably written.

        ``meanwhile(here, watermark)``, when given, runs with the events kept
        here while the batch's rows are inserted and its other events
        forwarded: the in-place correlation, which needs nothing of those
        writes, overlaps with the insert (running in a thread) instead of
        waiting for it. The batch is done when both are; if ``meanwhile``
        raises, the writes are cancelled and the exception propagates.
        """
        assignment = self._assignment
        await self.refresh_offsets()
        watermark = self.progress.watermark()
        known, stored_only = self.progress.knows, self._stored_only
        if any(
            not known(m.origin.topic, m.origin.partition)
            for m in messages
            if m.origin.topic not in stored_only
        ):
            watermark = 0  # a partition assigned since the offsets were read: nothing is known
        valid, invalid = self.split(messages)
        keys = {m.origin: m.key for m in messages}
        for bad in invalid:
            log.warning("dead-lettering %s: %s", bad.origin, bad.reason)
            value, headers = dead_letter_record(bad, datetime.now(UTC), self._max_bytes)
            await retry_forever(
                lambda bad=bad, value=value, headers=headers: self._send_dead_letter(  # type: ignore[misc]
                    keys.get(bad.origin), value, headers
                ),
                what=f"dead-letter of {bad.origin}",
                max_delay=self._retry_max_delay,
            )
        now = datetime.now(UTC)
        for good in valid:
            self._sink.add(event_to_row(good, now))
        correlated = [ok for ok in valid if ok.origin.topic not in stored_only]
        here, forward = self._route(correlated) if correlated else ([], [])
        writes: list[Awaitable[object]] = []
        if valid:
            writes.append(
                retry_forever(
                    lambda: asyncio.to_thread(self._sink.flush),
                    what=f"insert of {len(valid)} events",
                    max_delay=self._retry_max_delay,
                )
            )
        if forward:
            writes.append(
                retry_forever(
                    lambda: self._forward(forward, watermark),
                    what=f"forwarding {len(forward)} events to correlation",
                    max_delay=self._retry_max_delay,
                )
            )
        writing = asyncio.gather(*writes)  # independent, both needed before the acknowledgement
        if meanwhile is not None and here:
            await asyncio.sleep(0)  # let the writes start (the insert's thread) before the CPU work
            try:
                await meanwhile(here, watermark)
            except BaseException:
                writing.cancel()
                await asyncio.gather(writing, return_exceptions=True)
                raise
        await writing
        if assignment == self._assignment:  # else read again from the committed offsets
            self.progress.observe_all(
                (bad.origin, None) for bad in invalid if bad.origin.topic not in stored_only
            )
            self.progress.observe_all((ok.origin, to_ms(ok.event.occurred_at)) for ok in correlated)
        return BatchStats(
            valid=len(valid),
            reasons=[bad.reason for bad in invalid],
            here=here,
            watermark=watermark,
        )
