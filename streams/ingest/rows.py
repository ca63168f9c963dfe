"""Pure conversion of valid events into rows of the ``mttr.events`` audit table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schemas.events import AlertEvent, ChangeEvent, DeployEvent, TicketEvent, subject_id
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
    "commit_sha",
    "first_commit_at",
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
    has no such field; ``commit_sha`` (a deploy's or a change's) is lowercased,
    ``""`` when there is none; ``first_commit_at`` is a change's, else None.
    A change has no status in the contract: its row says ``landed``.
    """
    event = decoded.event
    severity: str | None = None
    category: str | None = None
    kind: str | None = None
    commit_sha: str | None = None
    first_commit_at: datetime | None = None
    status = "landed"
    if isinstance(event, AlertEvent):
        severity, category, status = event.severity, event.category, event.status
    elif isinstance(event, TicketEvent):
        severity, status = event.severity, event.status
    elif isinstance(event, DeployEvent):
        kind, commit_sha, status = event.kind, event.commit_sha, event.status
    elif isinstance(event, ChangeEvent):
        commit_sha, first_commit_at = event.commit_sha, event.first_commit_at
    return {
        "event_id": event.event_id,
        "type": event.type,
        "service": event.service,
        "environment": event.environment,
        "occurred_at": event.occurred_at,
        "source": event.source,
        "status": status,
        "subject_id": subject_id(event),
        "severity": severity,
        "category": category,
        "kind": kind,
        "commit_sha": commit_sha.lower() if commit_sha else "",
        "first_commit_at": first_commit_at,
        "raw": decoded.raw.decode("utf-8"),
        "kafka_topic": decoded.origin.topic,
        "kafka_partition": decoded.origin.partition,
        "kafka_offset": decoded.origin.offset,
        "ingested_at": ingested_at,
    }
