"""Pure conversion of valid events into rows of the ``mttr.events`` audit table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schemas.events import AlertEvent, DeployEvent, TicketEvent, subject_id
from streams.ingest.decode import Decoded

EVENT_COLUMNS: tuple[str, ...] = (
    "event_id",
    "type",
    "service",
    "environment",
    "occurred_at",
    "source",
    "status",
    "subject_id",
    "severity",
    "category",
    "kind",
    "raw",
    "kafka_topic",
    "kafka_partition",
    "kafka_offset",
    "ingested_at",
)


def event_to_row(decoded: Decoded, ingested_at: datetime) -> dict[str, Any]:
    """Return the ``mttr.events`` row for one valid event.

    ``raw`` is the original message text, kept verbatim for audits.
    ``severity``, ``category`` and ``kind`` are None where the event type
    has no such field.
    """
    event = decoded.event
    severity: str | None = None
    category: str | None = None
    kind: str | None = None
    if isinstance(event, AlertEvent):
        severity, category = event.severity, event.category
    elif isinstance(event, TicketEvent):
        severity = event.severity
    elif isinstance(event, DeployEvent):
        kind = event.kind
    return {
        "event_id": event.event_id,
        "type": event.type,
        "service": event.service,
        "environment": event.environment,
        "occurred_at": event.occurred_at,
        "source": event.source,
        "status": event.status,
        "subject_id": subject_id(event),
        "severity": severity,
        "category": category,
        "kind": kind,
        "raw": decoded.raw.decode("utf-8"),
        "kafka_topic": decoded.origin.topic,
        "kafka_partition": decoded.origin.partition,
        "kafka_offset": decoded.origin.offset,
        "ingested_at": ingested_at,
    }
