"""``mttr.events`` rows written straight into a seeded database (no worker in between)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any


def deploy_row(
    deploy_id: str,
    service: str,
    environment: str,
    at: datetime,
    *,
    event_id: str | None = None,
    raw: str | None = None,
    kafka_offset: int = 0,
    kind: str = "release",
) -> dict[str, Any]:
    """Return the row of a succeeded ``kind`` deploy ``deploy_id`` at ``at``, ingested 1 s later."""
    return {
        "event_id": event_id or f"ev-{deploy_id}",
        "type": "deploy",
        "service": service,
        "environment": environment,
        "occurred_at": at,
        "source": "ci",
        "status": "succeeded",
        "subject_id": deploy_id,
        "severity": None,
        "category": None,
        "kind": kind,
        "commit_sha": "",
        "first_commit_at": None,
        "raw": raw if raw is not None else f'{{"deploy_id":"{deploy_id}"}}',
        "kafka_topic": "deploys",
        "kafka_partition": 0,
        "kafka_offset": kafka_offset,
        "ingested_at": at + timedelta(seconds=1),
    }
