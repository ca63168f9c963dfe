"""The pipeline benchmark's input: one realistic history, pre-filled into the three topics.

Built with ``streams.devtools.simulate`` (the same generator as ``mttr simulate``) on a
profile of a large fleet: many deploys per service and day, few incidents, so
about 5% of the events belong to an incident. On top of the time-ordered
history, 1% of the events are sent twice (same ``event_id``) and the events
of each topic are shuffled within blocks of ``SHUFFLE_BLOCK`` (out of order,
well within the allowed lateness). Every contender reads the same topics.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

from streams.devtools.simulate import Profile, simulate

FLEET = Profile(incidents_per_day=0.3, deploys_per_day=11.0)
EVENTS_PER_SERVICE_DAY = 22.0  # about 21 deploy events and 1 in incidents with FLEET
END = datetime(2026, 11, 1, tzinfo=UTC)
DUPLICATE_SHARE = 0.01
SHUFFLE_BLOCK = 50
PARTITIONS = 4


@dataclass(frozen=True)
class Topics:
    """The three source topics of one benchmark run."""

    alerts: str
    deploys: str
    tickets: str

    def of(self, event_type: str) -> str:
        """Return the topic an event of ``event_type`` is published to."""
        return {"alert": self.alerts, "deploy": self.deploys, "ticket": self.tickets}[event_type]

    @property
    def names(self) -> tuple[str, str, str]:
        """Return the three topic names."""
        return (self.alerts, self.deploys, self.tickets)


@dataclass(frozen=True)
class Dataset:
    """The messages to publish, in publishing order, and what they contain."""

    messages: list[tuple[str, bytes, bytes]]  # (event type, key, value)
    events: list[dict[str, Any]]  # distinct events, by time
    services: int
    days: float

    @property
    def in_incidents(self) -> int:
        """Return how many events are alerts or tickets (the rest are deploys)."""
        return sum(1 for event in self.events if event["type"] != "deploy")


def build(services: int, events: int, seed: int = 1) -> Dataset:
    """Return about ``events`` distinct events of ``services`` services (plus duplicates)."""
    days = max(1, int(events / (services * EVENTS_PER_SERVICE_DAY)) + 2)  # then cut to size
    distinct = simulate(services, days, seed, END, FLEET)[-events:]
    span = datetime.fromisoformat(distinct[-1]["occurred_at"]) - datetime.fromisoformat(
        distinct[0]["occurred_at"]
    )
    return Dataset(arrange(distinct, seed), distinct, services, span / timedelta(days=1))


def arrange(distinct: list[dict[str, Any]], seed: int) -> list[tuple[str, bytes, bytes]]:
    """Return the messages to publish: ``distinct`` by time, 1% twice, shuffled in blocks.

    The duplicates (``DUPLICATE_SHARE`` of the events, drawn with ``seed``)
    sit next to their original; each block of ``SHUFFLE_BLOCK`` messages is
    then shuffled, so the order is roughly event time, never exactly.
    """
    rng = random.Random(seed)
    sent = list(distinct) + rng.sample(distinct, int(len(distinct) * DUPLICATE_SHARE))
    sent.sort(key=lambda event: event["occurred_at"])  # duplicates next to their original
    messages: list[tuple[str, bytes, bytes]] = []
    for start_at in range(0, len(sent), SHUFFLE_BLOCK):
        block = sent[start_at : start_at + SHUFFLE_BLOCK]
        rng.shuffle(block)
        messages.extend((e["type"], e["service"].encode(), orjson.dumps(e)) for e in block)
    return messages


def create_topics(bootstrap: str, topics: Topics, partitions: int = PARTITIONS) -> None:
    """Create the three topics with ``partitions`` partitions each."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics(
            [NewTopic(name, partitions, 1) for name in topics.names], timeout_ms=30_000
        )
    finally:
        admin.close()


def prefill(bootstrap: str, topics: Topics, dataset: Dataset) -> float:
    """Publish every message (keyed by service, acks=all); returns the seconds it took."""
    began = time.perf_counter()
    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        linger_ms=20,
        batch_size=256 * 1024,
        compression_type=None,
    )
    try:
        for event_type, key, value in dataset.messages:
            producer.send(topics.of(event_type), key=key, value=value)
        producer.flush()
    finally:
        producer.close()
    return time.perf_counter() - began
