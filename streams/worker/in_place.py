"""Correlate in place the events that already sit on their service's partition.

Correlation needs all events of a service on one partition of the state
table, so ingest forwards events to ``<app_id>-events-by-service``, keyed by
service (the hop, docs/architecture.md "Why the extra hop"). An event read
from partition P of a source topic does not need the hop when

* the three source topics, the events-by-service topic and the state table's
  changelog have the same number of partitions N (from the consumer's
  metadata), and
* P is the partition the forward would pick: ``murmur2(service) % N``
  (``streams.kafka.partitioning``), as for producers that key by service with
  Kafka's default partitioner (``mttr publish``, Java clients, kafka-python).

Faust's assignor gives one worker partition P of every topic with N
partitions (one copartitioned group), so the key's state is on this worker
and its table write goes to changelog partition P either way. Such events
are applied by the ``ingest`` agent itself; only the others are forwarded.
With ``MTTR_CORRELATE_IN_PLACE=false`` every event takes the hop.
"""

from __future__ import annotations

from collections.abc import Sequence

import faust

from streams.ingest.decode import Decoded
from streams.kafka.partitioning import partition_for


class InPlaceRouter:
    """Splits a batch's valid events into those correlated here and those to forward."""

    def __init__(self, app: faust.App, topics: Sequence[str], *, enabled: bool) -> None:
        """``topics``: the source topics, the events-by-service topic and the changelog."""
        self._app = app
        self._topics = tuple(topics)
        self._enabled = enabled

    def partitions(self) -> int | None:
        """Return the common partition count of the topics, or None if unknown or unequal."""
        if not self._enabled:
            return None
        try:
            counts = {self._app.consumer.topic_partitions(topic) for topic in self._topics}
        except Exception:  # noqa: BLE001 - no consumer (agent tests) or no metadata yet
            return None
        if len(counts) != 1:
            return None
        (count,) = counts
        return count if isinstance(count, int) and count > 0 else None

    def split(self, events: list[Decoded]) -> tuple[list[Decoded], list[Decoded]]:
        """Return ``(here, elsewhere)``: events on their service's partition, and the rest."""
        partitions = self.partitions()
        if partitions is None:
            return [], events
        here: list[Decoded] = []
        elsewhere: list[Decoded] = []
        for decoded in events:
            home = partition_for(decoded.event.service.encode(), partitions)
            (here if decoded.origin.partition == home else elsewhere).append(decoded)
        return here, elsewhere
