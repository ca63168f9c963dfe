"""IngestPipeline.process: the in-place correlation runs while the batch's rows are inserted."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from streams.ingest.decode import Decoded, Origin
from streams.ingest.pipeline import IngestPipeline
from streams.ingest.types import RawMessage
from tests.support.factories import alert, as_line

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


def pipeline(sink: GatedSink) -> IngestPipeline:
    return IngestPipeline(
        topic_types=TOPIC_TYPES,
        max_bytes=4096,
        sink=sink,
        send_dead_letter=no_dead_letters,
        limit=None,
        retry_max_delay=0.01,
        route=lambda valid: (valid, []),  # every event correlated here
    )


def batch() -> list[RawMessage]:
    lines = [as_line(alert(event_id=f"a-{n}", alert_id="a")) for n in range(3)]
    return [RawMessage(b"checkout", line, Origin("alerts", 0, n)) for n, line in enumerate(lines)]


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
    assert seen == [["a-0", "a-1", "a-2"]]
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
