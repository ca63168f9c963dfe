"""IngestPipeline.process: correlating while rows are inserted; the watermark over rebalances."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from streams.engine.members import to_ms
from streams.ingest.decode import Decoded, Origin
from streams.ingest.pipeline import IngestPipeline
from streams.ingest.progress import SourceOffsets
from streams.ingest.types import RawMessage
from tests.support.factories import alert, as_line, change

TOPIC_TYPES = {"alerts": "alert"}


class GatedSink:
    """A sink whose insert (in its thread) waits until ``gate`` opens."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.written: list[dict[str, Any]] = []
        self.gate = threading.Event()
        self.started = threading.Event()

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)

    def flush(self) -> int:
        self.started.set()
        if not self.gate.wait(10):
            raise AssertionError("the insert was never let through")
        self.written, self.rows = self.rows, []
        return len(self.written)


async def no_dead_letters(key: bytes | None, value: bytes, headers: Any) -> None:
    raise AssertionError("nothing is invalid here")


def pipeline(sink: GatedSink, offsets: SourceOffsets | None = None) -> IngestPipeline:
    async def read_offsets() -> SourceOffsets | None:
        return offsets

    return IngestPipeline(
        read_offsets=read_offsets,
        topic_types=TOPIC_TYPES,
        max_bytes=4096,
        sink=sink,
        send_dead_letter=no_dead_letters,
        limit=None,
        retry_max_delay=0.01,
        route=lambda valid: (valid, []),  # every event correlated here
    )


def batch(partition: int = 0, hour: int = 10) -> list[RawMessage]:
    lines = [
        as_line(
            alert(
                event_id=f"a-{partition}-{n}",
                alert_id="a",
                occurred_at=f"2026-03-02T{hour:02d}:00:0{n}Z",
            )
        )
        for n in range(3)
    ]
    return [
        RawMessage(b"checkout", line, Origin("alerts", partition, n))
        for n, line in enumerate(lines)
    ]


def test_meanwhile_runs_while_the_insert_is_in_flight_and_the_batch_waits_for_both() -> None:
    sink = GatedSink()
    seen: list[list[str]] = []

    async def meanwhile(here: list[Decoded], watermark: int | None) -> None:
        # waited for without yielding, as the synchronous correlation runs: the insert's
        # thread must already be on its way
        assert sink.started.wait(5), "the insert had not started"
        assert sink.written == []  # still in flight
        seen.append([decoded.event.event_id for decoded in here])
        sink.gate.set()  # only now may the insert finish: no overlap would deadlock

    stats = asyncio.run(pipeline(sink).process(batch(), meanwhile))
    assert seen == [["a-0-0", "a-0-1", "a-0-2"]]
    assert len(sink.written) == 3 and stats.valid == 3 and len(stats.here) == 3


def test_a_failing_meanwhile_propagates_and_the_batch_is_not_done() -> None:
    sink = GatedSink()

    async def meanwhile(here: list[Decoded], watermark: int | None) -> None:
        raise RuntimeError("correlation broke")

    async def run() -> None:
        try:
            await pipeline(sink).process(batch(), meanwhile)
        finally:
            sink.gate.set()  # let the abandoned insert thread end

    with pytest.raises(RuntimeError, match="correlation broke"):
        asyncio.run(run())


BEHIND = SourceOffsets(ends={("alerts", 0): 100}, starts={("alerts", 0): 0})


def test_a_partition_the_offsets_do_not_cover_holds_the_watermark_back() -> None:
    sink = GatedSink()
    sink.gate.set()
    only_zero = SourceOffsets(ends={("alerts", 0): 100}, starts={})
    ingest = pipeline(sink, only_zero)
    asyncio.run(ingest.process(batch(0, hour=10)))
    ten = datetime(2026, 3, 2, 10, 0, 2, tzinfo=UTC)
    assert asyncio.run(ingest.process(batch(0, hour=11))).watermark == to_ms(ten)
    # partition 1 was assigned after the offsets were read: nothing is known of it
    assert asyncio.run(ingest.process(batch(1, hour=9))).watermark == 0


def test_a_batch_in_flight_during_a_rebalance_records_no_progress() -> None:
    sink = GatedSink()
    ingest = pipeline(sink, BEHIND)

    async def run() -> None:
        pending = asyncio.ensure_future(ingest.process(batch(0, hour=12)))
        assert await asyncio.to_thread(sink.started.wait, 5)
        ingest.forget_assignment()  # partitions revoked while the insert runs
        sink.gate.set()
        await pending

    asyncio.run(run())
    # read again from the committed offset: the 12:00 events it read count for nothing
    # (else the next batch, back at 11:00, would get a 12:00 watermark)
    assert ingest.progress.lagging() == {}
    stats = asyncio.run(ingest.process(batch(0, hour=11)))
    assert stats.watermark == 0


def test_change_events_are_stored_and_neither_correlated_nor_counted_in_the_watermark() -> None:
    sink = GatedSink()
    sink.gate.set()
    only_alerts = SourceOffsets(ends={("alerts", 0): 100}, starts={("alerts", 0): 0})

    async def read_offsets() -> SourceOffsets | None:
        return only_alerts

    ingest = IngestPipeline(
        read_offsets=read_offsets,
        topic_types={"alerts": "alert", "changes": "change"},
        max_bytes=4096,
        sink=sink,
        send_dead_letter=no_dead_letters,
        limit=None,
        retry_max_delay=0.01,
        route=lambda valid: (valid, []),
    )
    asyncio.run(ingest.process(batch(0, hour=10)))
    landed = RawMessage(
        b"checkout",
        as_line(change(event_id="c-1", occurred_at="2026-03-01T08:00:00Z")),
        Origin("changes", 3, 7),  # a partition the offsets do not cover
    )
    stats = asyncio.run(ingest.process([*batch(0, hour=11), landed]))
    assert stats.valid == 4
    assert [d.event.event_id for d in stats.here] == ["a-0-0", "a-0-1", "a-0-2"]
    assert [row["event_id"] for row in sink.written] == ["a-0-0", "a-0-1", "a-0-2", "c-1"]
    # the change's partition and its old time leave the input watermark alone
    assert stats.watermark == to_ms(datetime(2026, 3, 2, 10, 0, 2, tzinfo=UTC))
    assert ("changes", 3) not in ingest.progress.lagging()
