"""Read the source partitions' offsets from the running Faust consumer.

Feeds ``streams.ingest.progress.SourceProgress``: the end offset of every assigned
source partition (one ListOffsets request) and where reading it started.
The start is the group's committed offset, which Faust keeps in memory for
every assigned partition (set when partitions are assigned, advanced at each
commit); a partition the group never committed starts at its earliest
offset (``consumer_auto_offset_reset="earliest"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import faust

from streams.ingest.pipeline import IngestPipeline, ReadOffsets
from streams.ingest.progress import SourceOffsets, TopicPartition
from streams.worker.faust_compat import committed_offsets


async def read_source_offsets(app: faust.App, topics: Iterable[str]) -> SourceOffsets:
    """Return the offsets of the source partitions currently assigned to this worker."""
    wanted = set(topics)
    consumer = app.consumer
    assigned = [tp for tp in consumer.assignment() if tp.topic in wanted]
    if not assigned:
        return SourceOffsets({})
    ends = await consumer.highwaters(*assigned)
    committed = committed_offsets(consumer)
    starts: dict[TopicPartition, int] = {}
    never_committed = []
    for tp in assigned:
        offset = committed.get(tp)
        if offset is None:
            never_committed.append(tp)
        else:
            starts[(tp.topic, tp.partition)] = int(offset)
    if never_committed:
        earliest = await consumer.earliest_offsets(*never_committed)
        for tp, offset in earliest.items():
            starts[(tp.topic, tp.partition)] = int(offset)
    return SourceOffsets(
        ends={(tp.topic, tp.partition): int(end) for tp, end in ends.items() if end is not None},
        starts=starts,
    )


def offsets_reader(app: faust.App, topics: Iterable[str], *, on: bool = True) -> ReadOffsets:
    """Return the ingest pipeline's ``read_offsets``: :func:`read_source_offsets` of ``topics``.

    With ``on`` False (agent tests: no consumer) it returns None, as if the
    offsets were unknown.
    """
    wanted = tuple(topics)

    async def read_offsets() -> SourceOffsets | None:
        if not on:
            return None
        return await read_source_offsets(app, wanted)

    return read_offsets


def register_progress_reset(app: faust.App, pipelines: Sequence[IngestPipeline]) -> None:
    """Make ``pipelines`` forget their source progress whenever partitions are revoked.

    After the rebalance a partition may be this worker's again at an older
    committed offset, or a new one; until the offsets are read again the
    input watermark is held back (``IngestPipeline.forget_assignment``), so
    no event is judged late against partitions it no longer reads.
    """

    @app.on_partitions_revoked.connect  # type: ignore[arg-type]
    async def forget_source_progress(app: Any, revoked: set[Any], **kwargs: Any) -> None:
        for pipeline in pipelines:
            pipeline.forget_assignment()
