"""The worker's running totals, shown on ``/mttr/status/`` and read by the metrics."""

from __future__ import annotations

from dataclasses import dataclass, field

from streams.ingest.deadletter import reason_class


@dataclass
class IngestCounters:
    """Running totals exposed on the worker's ``/mttr/status/`` page."""

    batches: int = 0
    valid: int = 0
    invalid: int = 0
    correlated_in_place: int = 0  # valid events ingest correlated itself (worker/in_place.py)
    forwarded: int = 0  # valid events ingest forwarded to <app_id>-events-by-service
    incident_rows: int = 0
    late: int = 0
    completed_by_idle: int = 0
    correlation_failures: int = 0
    correlation_dead_letters: int = 0
    slack_sent: int = 0  # notices Slack took (streams/notify/)
    slack_failed: int = 0  # notices Slack rejected for good (given up)
    slack_skipped: int = 0  # changes too old to post when first seen
    teams_sent: int = 0  # notices the Teams workflow accepted (202)
    teams_failed: int = 0  # notices the Teams workflow rejected for good (given up)
    teams_skipped: int = 0  # changes too old to post when first seen
    consumed: dict[str, int] = field(default_factory=dict)  # per source topic
    dead_lettered: dict[str, int] = field(default_factory=dict)  # per reason class
    last_error: str | None = None

    def count_dead_letters(self, reasons: list[str]) -> None:
        """Count dead letters by reason class (``deadletter.reason_class``)."""
        for reason in reasons:
            key = reason_class(reason)
            self.dead_lettered[key] = self.dead_lettered.get(key, 0) + 1
