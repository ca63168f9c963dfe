"""Thin Faust agents: take a batch, hand it to the pipeline, acknowledge only on success."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import faust
from faust.types import EventT

from streams.decode import Origin
from streams.errors import DlqLimitExceeded
from streams.pipeline import IngestPipeline, RawMessage

log = logging.getLogger(__name__)


@dataclass
class IngestCounters:
    """Running totals exposed on the worker's ``/mttr/status/`` page."""

    batches: int = 0
    valid: int = 0
    invalid: int = 0
    last_error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _raw(event: EventT[bytes]) -> RawMessage:
    message = event.message
    return RawMessage(
        message.key, message.value, Origin(message.topic, message.partition, message.offset)
    )


def register_ingest_agent(
    app: faust.App,
    topic: faust.TopicT,
    make_pipeline: Callable[[], IngestPipeline],
    *,
    batch_size: int,
    batch_seconds: float,
    counters: IngestCounters,
) -> Any:
    """Register the ``ingest`` agent on ``topic`` and return it.

    Each message of a batch gets an extra reference while the batch is
    processed, so that ``take_events`` acknowledging the batch on an exception
    or on shutdown does not commit it: only a batch that the pipeline fully
    wrote is released and later committed. Anything unexpected stops the
    worker rather than losing data.
    """

    @app.agent(topic, name="ingest", concurrency=1)
    async def ingest(stream: faust.StreamT[bytes]) -> None:
        pipeline = make_pipeline()
        # take_events is on Stream (faust-streaming), not on the StreamT protocol
        batches = stream.take_events(batch_size, within=batch_seconds)  # type: ignore[attr-defined]
        async for events in batches:
            for event in events:
                event.message.incref()
            try:
                stats = await pipeline.process([_raw(e) for e in events])
            except asyncio.CancelledError:
                raise
            except DlqLimitExceeded as exc:
                counters.last_error = str(exc)
                log.critical("%s", exc)
                await app.crash(exc)
                return
            except Exception as exc:
                counters.last_error = repr(exc)
                first, last = events[0].message, events[-1].message
                log.exception(
                    "unexpected failure on a batch from %s[%d]@%d to %s[%d]@%d; stopping the "
                    "worker, nothing in it is acknowledged",
                    first.topic,
                    first.partition,
                    first.offset,
                    last.topic,
                    last.partition,
                    last.offset,
                )
                await app.crash(exc)
                return
            for event in events:
                event.message.decref()
            counters.batches += 1
            counters.valid += stats.valid
            counters.invalid += stats.invalid

    return ingest
