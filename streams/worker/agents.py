"""Thin Faust agents: take a batch, hand it on, acknowledge only once it is written.

``ingest`` reads the three source topics, stores every valid event, correlates
those already on their service's partition (``in_place``) and forwards the
others; ``correlate`` reads the forwarded events, one service per partition.
Both apply events to the per-key incident state through one ``CorrelationStep``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import faust
from faust.types import EventT, Message

from streams.errors import DlqLimitExceeded
from streams.ingest.bundle import BundleError, is_bundle, unbundle
from streams.ingest.decode import Decoded, Invalid, Origin
from streams.ingest.pipeline import IngestPipeline
from streams.ingest.progress import parse_watermark
from streams.ingest.types import RawMessage
from streams.storage.incident_writer import IncidentWriter
from streams.worker.batches import holding, position
from streams.worker.correlation_step import CorrelationStep
from streams.worker.counters import IngestCounters
from streams.worker.faust_compat import as_current_event
from streams.worker.staged_table import StagedTable

log = logging.getLogger(__name__)


def _raw(event: EventT[bytes]) -> RawMessage:
    message = event.message
    return RawMessage(
        message.key, message.value, Origin(message.topic, message.partition, message.offset)
    )


def _batch_failure(first: Message, last: Message) -> str:
    return (
        f"unexpected failure on a batch from {position(first)} to {position(last)}; stopping"
        " the worker, nothing in it is acknowledged"
    )


def _correlation_failure(first: Message, last: Message) -> str:
    return "unexpected failure in correlation; stopping the worker"


@dataclass(frozen=True)
class Correlation:
    """What correlating needs, shared by both agents: the staged state table, the step, writers."""

    staged: StagedTable
    step: CorrelationStep
    make_writer: Callable[[], IncidentWriter]

    def count(self, counters: IngestCounters, rows: int, dead: list[str]) -> None:
        """Add one flushed batch's outputs and the step's totals to ``counters``."""
        counters.incident_rows += rows
        counters.late = self.step.late
        counters.completed_by_idle = self.step.completed
        counters.correlation_failures = self.step.failed
        counters.correlation_dead_letters += len(dead)
        counters.count_dead_letters(dead)


def _apply_here(
    events: Sequence[EventT[bytes]],
    here: list[Decoded],
    watermark: int | None,
    correlation: Correlation,
    writer: Any,
) -> None:
    """Apply the events ingest kept (``here``), each with its source event current.

    Synchronous from reading a key's state to staging the new one, so the
    ``correlate`` agent never interleaves with it on a key.
    """
    by_origin = {Origin(e.message.topic, e.message.partition, e.message.offset): e for e in events}
    correlation.step.begin_batch()
    for decoded in here:
        event = by_origin[decoded.origin]
        with as_current_event(event):
            correlation.step.apply_decoded(
                decoded,
                event.message.key,
                decoded.origin.partition,
                correlation.staged,
                writer,
                input_watermark=watermark,
            )


@dataclass
class _CorrelateHere:
    """The ingest batch's in-place correlation, run while its rows are inserted."""

    events: Sequence[EventT[bytes]]
    correlation: Correlation
    writer: IncidentWriter
    rows: int = 0
    dead: list[str] = field(default_factory=list)

    async def __call__(self, here: list[Decoded], watermark: int | None) -> None:
        _apply_here(self.events, here, watermark, self.correlation, self.writer)
        self.rows, self.dead = await self.writer.flush()


def register_ingest_agent(
    app: faust.App,
    topic: faust.TopicT,
    make_pipeline: Callable[[], IngestPipeline],
    correlation: Correlation,
    *,
    batch_size: int,
    batch_seconds: float,
    counters: IngestCounters,
) -> Any:
    """Register the ``ingest`` agent on ``topic`` and return it.

    Each message of a batch gets an extra reference while the batch is
    processed (``batches.holding``), so that ``take_events`` acknowledging the batch on an exception
    or on shutdown does not commit it: only a batch that the pipeline fully
    wrote, and whose events kept here are correlated and written, is
    released and later committed. Anything unexpected stops the worker
    rather than losing data.
    """

    @app.agent(topic, name="ingest", concurrency=1)
    async def ingest(stream: faust.StreamT[bytes]) -> None:
        pipeline = make_pipeline()
        writer = correlation.make_writer()
        # take_events is on Stream (faust-streaming), not on the StreamT protocol
        batches = stream.take_events(batch_size, within=batch_seconds)  # type: ignore[attr-defined]
        async for events in batches:
            here = _CorrelateHere(events, correlation, writer)
            async with holding(
                app, events, counters, _batch_failure, log=log, fatal=(DlqLimitExceeded,)
            ) as batch:
                stats = await pipeline.process([_raw(e) for e in events], here)
            rows, dead = here.rows, here.dead
            if batch.failed:
                return
            counters.batches += 1
            counters.valid += stats.valid
            counters.invalid += len(stats.reasons)
            counters.count_dead_letters(stats.reasons)
            counters.correlated_in_place += len(stats.here)
            counters.forwarded += stats.valid - len(stats.here)
            if stats.here:
                correlation.count(counters, rows, dead)
            for event in events:
                topic = event.message.topic
                counters.consumed[topic] = counters.consumed.get(topic, 0) + 1

    return ingest


TICK_HEADER = "mttr-tick"


def is_tick(headers: Any) -> bool:
    """Return True for the timer's tick messages on the correlation topic."""
    return any(name == TICK_HEADER for name, _ in (headers or ()))


def _forwarded_events(event: EventT[bytes], writer: IncidentWriter) -> list[RawMessage]:
    """Return the events of a forwarded message: a bundle's items, or the message itself.

    An unreadable bundle (only a foreign producer writes one) is dead-lettered.
    """
    message = event.message
    if not is_bundle(message.headers):
        return [_forwarded(event)]  # one event per message, as earlier versions forwarded
    try:
        items = unbundle(message.value)
    except BundleError as exc:
        origin = Origin(message.topic, message.partition, message.offset)
        writer.dead_letter(message.key, Invalid(message.value or b"", str(exc), origin))
        return []
    return [RawMessage(message.key, raw, origin) for origin, raw in items]


def _forwarded(event: EventT[bytes]) -> RawMessage:
    """Return the message with the origin it had on its source topic (from headers)."""
    message = event.message
    headers = dict(message.headers or ())
    try:
        origin = Origin(
            headers["source_topic"].decode(),
            int(headers["source_partition"]),
            int(headers["source_offset"]),
        )
    except (KeyError, ValueError, UnicodeDecodeError):
        origin = Origin(message.topic, message.partition, message.offset)
    return RawMessage(message.key, message.value, origin)


def register_correlate_agent(
    app: faust.App,
    topic: faust.TopicT,
    correlation: Correlation,
    *,
    batch_size: int,
    batch_seconds: float,
    counters: IngestCounters,
) -> Any:
    """Register the stateful ``correlate`` agent (concurrency 1) on the forwarded topic.

    Each event is applied with Faust's current event set to it; its table
    write is staged and written once per key before the next offset commit,
    with the current event set to the key's last event, so it goes to the
    changelog partition of its own source partition (``state_flush``). The
    batch is held (see ``register_ingest_agent``) until the writer flushed.
    """

    @app.agent(topic, name="correlate", concurrency=1)
    async def correlate(stream: faust.StreamT[bytes]) -> None:
        writer = correlation.make_writer()
        step = correlation.step
        batches = stream.take_events(batch_size, within=batch_seconds)  # type: ignore[attr-defined]
        async for events in batches:
            async with holding(app, events, counters, _correlation_failure, log=log) as batch:
                staged = correlation.staged  # written before the next commit (state_flush)
                step.begin_batch()
                for event in events:
                    with as_current_event(event):
                        partition = event.message.partition
                        headers = event.message.headers
                        if is_tick(headers):
                            step.tick(partition, staged, writer)
                            continue
                        watermark = parse_watermark(headers)
                        for message in _forwarded_events(event, writer):
                            step.apply(
                                message, partition, staged, writer, input_watermark=watermark
                            )
                rows, dead = await writer.flush()
            if batch.failed:
                return
            correlation.count(counters, rows, dead)

    return correlate
