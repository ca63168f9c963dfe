"""The incidents and deploys the dashboard tests seed, and the dashboard time range.

Every service x environment x severity with resolved incidents (some above
their SLA target, some caused by a deploy), one open incident each, incidents
re-written in several versions and incidents deleted by a marker version, so
that a query reading incidents without FINAL shows up as duplicates or wrong
counts. ``TIME`` is the dashboard time range covering the seed; ``Database``
the seeded chDB client. Used by tests/integration/dashboards/.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

from clickhouse_connect.driver.client import Client

from schemas.events import SEVERITIES
from tests.support.event_rows import deploy_row
from tests.support.grafana_dashboards import TimeRange

SERVICES = ("checkout", "payments", "search")
ENVIRONMENTS = ("prod", "staging")
TARGETS = {"critical": 3600, "high": 14400, "medium": 86400, "low": 259200}
START = datetime(2025, 9, 1, tzinfo=UTC)  # a Monday
DAYS = 70
# The dashboard time range and a plausible panel interval for it.
TIME = TimeRange(START, START + timedelta(days=DAYS + 7), 3 * 3600)


# --- seed ------------------------------------------------------------------------


@dataclass
class Seed:
    """The rows inserted, and the incidents FINAL must return."""

    incident_rows: list[dict[str, Any]]
    event_rows: list[dict[str, Any]]

    @property
    def current(self) -> list[dict[str, Any]]:
        newest: dict[str, dict[str, Any]] = {}
        for row in self.incident_rows:
            kept = newest.get(row["incident_id"])
            if kept is None or row["version"] > kept["version"]:
                newest[row["incident_id"]] = row
        return [row for row in newest.values() if not row["is_deleted"]]


def incident(
    incident_id: str,
    key: tuple[str, str, str],
    started: datetime,
    ttr_s: float | None,
    *,
    tta_s: float | None = 90.0,
    cause: str | None = None,
) -> dict[str, Any]:
    """Return one incident row (version 1); ``ttr_s`` None makes it open."""
    service, environment, severity = key
    ttd_s = 30.0
    detected = started + timedelta(seconds=ttd_s)
    resolved = None if ttr_s is None else started + timedelta(seconds=ttr_s)
    ttm_s = None if ttr_s is None else ttr_s / 2
    return {
        "incident_id": incident_id,
        "service": service,
        "environment": environment,
        "status": "open" if ttr_s is None else "resolved",
        "severity": severity,
        "category": "availability",
        "title": f"{service} {severity} trouble ({incident_id})",
        "started_at": started,
        "detected_at": detected,
        "acknowledged_at": None if tta_s is None else detected + timedelta(seconds=tta_s),
        "identified_at": None,
        "mitigated_at": None if ttm_s is None else started + timedelta(seconds=ttm_s),
        "resolved_at": resolved,
        "ttd_seconds": ttd_s,
        "tta_seconds": tta_s,
        "tti_seconds": None,
        "ttm_seconds": ttm_s,
        "ttr_seconds": ttr_s,
        "alert_count": 2,
        "alert_ids": [f"{incident_id}-a1", f"{incident_id}-a2"],
        "ticket_ids": [],
        "event_count": 3,
        "cause_deploy_id": cause,
        "fix_deploy_id": None,
        "repair_action": None,
        "reopen_count": 0,
        "completed": 0 if ttr_s is None else 1,
        "quality_flags": [],
        "is_deleted": 0,
        "version": 1,
        "updated_at": resolved or started,
    }


def deploy(deploy_id: str, service: str, environment: str, at: datetime) -> dict[str, Any]:
    return deploy_row(deploy_id, service, environment, at)


def make_seed() -> Seed:
    """Return a deterministic history: four resolved incidents and one open per key."""
    incidents: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for service, environment in product(SERVICES, ENVIRONMENTS):
        for day in range(0, DAYS, 5):  # a deploy every five days, none of them failed
            at = START + timedelta(days=day, hours=10)
            events.append(deploy(f"dep-{service}-{environment}-{day}", service, environment, at))
    for c, key in enumerate(product(SERVICES, ENVIRONMENTS, SEVERITIES)):
        service, environment, severity = key
        for k, share in enumerate((0.4, 0.9, 1.3, 2.1)):  # k = 2, 3 breach the SLA target
            started = START + timedelta(hours=(c * 29 + k * 389) % (DAYS * 24))
            cause = None
            if k == 0:  # caused by a deploy ten minutes earlier
                cause = f"dep-{service}-{environment}-cause-{c}"
                events.append(deploy(cause, service, environment, started - timedelta(minutes=10)))
            row = incident(
                f"inc-{c:02d}-{k}",
                key,
                started,
                TARGETS[severity] * share,
                tta_s=None if k == 3 else 60.0 + c,
                cause=cause,
            )
            if k == 1:  # first written open with another severity, then resolved
                other = SEVERITIES[(SEVERITIES.index(severity) + 1) % len(SEVERITIES)]
                early = incident(row["incident_id"], (service, environment, other), started, None)
                incidents.append(early)
                row = dict(row, version=2)
            incidents.append(row)
            if k == 2 and c % 4 == 0:  # then merged away: the delete marker hides it
                incidents.append(dict(row, version=row["version"] + 1, is_deleted=1))
        opened = START + timedelta(days=DAYS) - timedelta(hours=c + 1)
        incidents.append(incident(f"open-{c:02d}", key, opened, None))
    events.append(dict(events[0], ingested_at=events[0]["ingested_at"] + timedelta(minutes=1)))
    return Seed(incidents, events)


@dataclass
class Database:
    client: Client
    seed: Seed
