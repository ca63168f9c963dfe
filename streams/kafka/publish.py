"""Validate JSON lines and publish the valid ones to their topics, keyed by service."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from kafka import KafkaProducer

from streams.ingest.decode import decode_line
from streams.kafka.security import kafka_python_options
from streams.settings import Settings


@dataclass
class PublishReport:
    """Outcome of a publish run: counts and the reasons of rejected lines."""

    published: int = 0
    invalid: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    by_topic: dict[str, int] = field(default_factory=dict)


def make_producer(settings: Settings) -> KafkaProducer:
    """Return a kafka-python producer: acks=all, murmur2 partitioning (as Java clients)."""
    return KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap.split(","),
        acks="all",
        linger_ms=20,
        retries=5,
        max_request_size=settings.max_message_bytes + 1024,
        client_id=f"{settings.app_id}-publish",
        **kafka_python_options(settings),
    )


def publish_lines(
    lines: Iterable[tuple[int, bytes]],
    settings: Settings,
    producer: KafkaProducer | None,
    *,
    on_line: Callable[[int], None] = lambda n: None,
) -> PublishReport:
    """Validate each ``(line_number, bytes)``; publish valid lines unchanged.

    The topic follows the event type and the key is the service, so all
    events of a service share a partition. With ``producer=None`` nothing is
    sent (dry run). Blank lines are skipped. Returns after every send is
    acknowledged by the broker (or failed).
    """
    report = PublishReport()
    topics = {kind: topic for topic, kind in settings.topic_types.items()}
    for number, raw in lines:
        on_line(len(raw))
        line = raw.strip()
        if not line:
            continue
        result = decode_line(line, max_bytes=settings.max_message_bytes)
        if isinstance(result, str):
            report.invalid.append((number, result))
            continue
        topic = topics[result.type]
        report.by_topic[topic] = report.by_topic.get(topic, 0) + 1
        if producer is None:
            report.published += 1
            continue
        future = producer.send(topic, key=result.service.encode(), value=line)
        future.add_callback(lambda _meta: _count(report))
        future.add_errback(lambda exc, n=number: report.failed.append((n, str(exc))))
    if producer is not None:
        producer.flush()
    return report


def _count(report: PublishReport) -> None:
    report.published += 1


def publish_events(
    events: Iterable[dict[str, Any]],
    settings: Settings,
    producer: KafkaProducer,
    *,
    on_sent: Callable[[], None] = lambda: None,
) -> list[str]:
    """Publish already valid event dicts (e.g. simulated) to the topic of their type.

    Keyed by service like ``publish_lines``. Returns the errors of sends the
    broker did not acknowledge (empty when all were).
    """
    topics = {kind: topic for topic, kind in settings.topic_types.items()}
    failed: list[str] = []
    for event in events:
        future = producer.send(
            topics[event["type"]], key=event["service"].encode(), value=orjson.dumps(event)
        )
        future.add_errback(lambda exc: failed.append(str(exc)))
        on_sent()
    producer.flush()
    return failed
