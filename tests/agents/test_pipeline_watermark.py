"""The ingest pipeline forwards each batch with the input watermark as it stood before it.

Real chDB for ``mttr.events``; offsets and forwarding are plain functions.
Alerts partition 0 holds offsets 0-2, tickets partition 0 offsets 0-1, both
unread at the start (committed offset 0).
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from typing import Any

import orjson
from clickhouse_connect.driver.client import Client

from streams.engine.members import to_ms
from streams.ingest.decode import Decoded, Origin
from streams.ingest.pipeline import IngestPipeline
from streams.ingest.progress import SourceOffsets
from streams.ingest.rows import EVENT_COLUMNS
from streams.ingest.types import RawMessage
from streams.settings import Settings
from streams.storage.sink import TableSink

ENDS = {("alerts", 0): 3, ("tickets", 0): 2}


def _alert(offset: int, day: int) -> RawMessage:
    event = {
        "event_id": f"a{offset}",
        "type": "alert",
        "service": "api",
        "occurred_at": f"2026-03-{day:02d}T12:00:00Z",
        "alert_id": "A",
        "name": "HighErrors",
        "status": "firing",
        "severity": "high",
    }
    return RawMessage(b"api", orjson.dumps(event), Origin("alerts", 0, offset))


def _ticket(offset: int, day: int) -> RawMessage:
    event = {
        "event_id": f"t{offset}",
        "type": "ticket",
        "service": "api",
        "occurred_at": f"2026-03-{day:02d}T12:00:00Z",
        "ticket_id": "T",
        "status": "opened",
    }
    return RawMessage(b"api", orjson.dumps(event), Origin("tickets", 0, offset))


def _ms(day: int) -> int:
    return to_ms(datetime(2026, 3, day, 12, tzinfo=UTC))


def test_batches_carry_the_watermark_from_before_them(settings: Settings, client: Client) -> None:
    forwarded: list[tuple[list[str], int | None]] = []

    async def forward(events: list[Decoded], watermark: int | None) -> None:
        forwarded.append(([d.event.event_id for d in events], watermark))

    async def read_offsets() -> SourceOffsets:
        return SourceOffsets(ends=ENDS, starts={("alerts", 0): 0, ("tickets", 0): 0})

    async def no_dead_letters(*_: Any) -> None:
        raise AssertionError("nothing here is invalid")

    ticks = iter(range(0, 1000, 2))  # 2 s between batches: offsets are re-read every batch
    pipeline = IngestPipeline(
        topic_types={"alerts": "alert", "tickets": "ticket"},
        max_bytes=settings.max_message_bytes,
        sink=TableSink(client, "mttr.events", EVENT_COLUMNS, threading.Lock()),
        send_dead_letter=no_dead_letters,
        limit=None,
        retry_max_delay=0.2,
        forward=forward,
        read_offsets=read_offsets,
        clock=lambda: float(next(ticks)),
    )

    async def scenario() -> None:
        await pipeline.process([_alert(0, 1), _alert(1, 5)])  # tickets unread: 0
        await pipeline.process([_ticket(0, 2)])  # alerts at day 5, tickets at day 2
        await pipeline.process([_alert(2, 6), _ticket(1, 3)])  # still 2 and 5 unread
        await pipeline.process([])  # everything read: caught up

    asyncio.run(scenario())
    assert forwarded == [
        (["a0", "a1"], 0),
        (["t0"], 0),
        (["a2", "t1"], _ms(2)),
    ]
    assert pipeline.progress.watermark() is None
