"""The incidents, deploys, changes and owners the dashboard tests seed, and the time range.

Every service x environment x severity with resolved incidents (some above
their SLA target, some caused by a deploy), one open incident each, incidents
re-written in several versions and incidents deleted by a marker version, so
that a query reading incidents without FINAL shows up as duplicates or wrong
counts. ``TIME`` is the dashboard time range covering the seed; ``Database``
the seeded client, which runs a panel query expanded like Grafana. Used by
tests/integration/dashboards/.

Ownership (``OWNERS``, the current periods; ``owner()`` looks one up in Python):
checkout is owned by shop from the beginning and by core from ``SWITCH``
(2025-10-06T00:00:00Z); payments is unowned until ``PAYMENTS_OWNED``
(2025-09-21T00:00:00Z), then core (first loaded as shop, then re-assigned;
a shop period from 2025-09-11 was removed by a delete marker); search is never
owned. Around ``SWITCH`` four checkout/prod/critical incidents (``own-*``)
fall on either side of the change. A change lands every ten days per service at
08:00 and the deploys of 10:00 that day ship its commit; chg-checkout-35 lands
at SWITCH - 1 h (first commit SWITCH - 4 h), so shop's, and core's deploys ship
it after SWITCH (prod: dep-checkout-prod-owner at 01:50; staging: 10:00).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.query import QueryResult

from schemas.events import SEVERITIES
from tests.support.event_rows import deploy_row
from tests.support.grafana_dashboards import PanelQuery, TimeRange, Variable
from tests.support.grafana_queries import expand

SERVICES = ("checkout", "payments", "search")
ENVIRONMENTS = ("prod", "staging")
TARGETS = {"critical": 3600, "high": 14400, "medium": 86400, "low": 259200}
START = datetime(2025, 9, 1, tzinfo=UTC)  # a Monday
DAYS = 70
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SWITCH = START + timedelta(days=35)  # checkout: shop before, core from then on
PAYMENTS_OWNED = START + timedelta(days=20)  # payments: unowned before, core from then on
OWNERS = {"checkout": ((EPOCH, "shop"), (SWITCH, "core")), "payments": ((PAYMENTS_OWNED, "core"),)}
UNOWNED = "(unowned)"
TEAMS = ("core", "shop", UNOWNED)  # the $team options, in the variable's order
# The dashboard time range and a plausible panel interval for it.
TIME = TimeRange(START, START + timedelta(days=DAYS + 7), 3 * 3600)


# --- seed ------------------------------------------------------------------------


@dataclass
class Seed:
    """The rows inserted, and the incidents FINAL must return."""

    incident_rows: list[dict[str, Any]]
    event_rows: list[dict[str, Any]]
    owner_rows: list[dict[str, Any]]

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
        "reviewed_at": None,
        "time_to_review_seconds": None,
        "fingerprint": "",
        "is_deleted": 0,
        "version": 1,
        "updated_at": resolved or started,
    }


def deploy(
    deploy_id: str, service: str, environment: str, at: datetime, commit_sha: str = ""
) -> dict[str, Any]:
    return dict(deploy_row(deploy_id, service, environment, at), commit_sha=commit_sha)


def change(service: str, day: int) -> dict[str, Any]:
    """Return the change event of ``service`` landed on ``day`` at 08:00 (see commit_sha())."""
    landed = START + timedelta(days=day, hours=8)
    first = landed - timedelta(hours=day // 10 + 1, minutes=15 * SERVICES.index(service))
    change_id = f"chg-{service}-{day}"
    return dict(
        deploy_row(change_id, service, "prod", landed),
        type="change",
        status="landed",
        kind=None,
        commit_sha=commit_sha(service, day),
        first_commit_at=first,
        raw=f'{{"change_id":"{change_id}"}}',
        kafka_topic="changes",
    )


def commit_sha(service: str, day: int) -> str:
    return f"{SERVICES.index(service):x}{day:02d}c0ffee"


def owner(service: str, at: datetime) -> str:
    """Return the team owning ``service`` at ``at`` (naive: UTC) by docs/ownership.md's rule."""
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    teams = [team for since, team in OWNERS.get(service, ()) if since <= at]
    return teams[-1] if teams else UNOWNED


def owner_rows() -> list[dict[str, Any]]:
    """Return the mttr.service_owners rows whose current state is ``OWNERS``."""
    loads = (datetime(2025, 8, 1, tzinfo=UTC), datetime(2025, 8, 2, tzinfo=UTC))
    removed = START + timedelta(days=10)
    rows = [  # (service, team, valid_from, load, is_deleted)
        ("checkout", "shop", EPOCH, 0, 0),
        ("checkout", "core", SWITCH, 0, 0),
        ("payments", "shop", removed, 0, 0),
        ("payments", "shop", removed, 1, 1),  # removed by the second load
        ("payments", "shop", PAYMENTS_OWNED, 0, 0),
        ("payments", "core", PAYMENTS_OWNED, 1, 0),  # re-assigned by the second load
    ]
    return [
        {"service": service, "team": team, "valid_from": since, "source": "file",
         "loaded_at": loads[load], "is_deleted": deleted}
        for service, team, since, load, deleted in rows
    ]  # fmt: skip


def around_switch() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return checkout/prod/critical incidents around SWITCH, the deploy one names, and a change
    landed 1 h before SWITCH (by shop) that core's deploys ship after it."""
    key = ("checkout", "prod", "critical")
    cause = deploy("dep-checkout-prod-owner", "checkout", "prod", SWITCH + timedelta(minutes=110))
    landed = dict(
        change("checkout", 35),
        occurred_at=SWITCH - timedelta(hours=1),
        first_commit_at=SWITCH - timedelta(hours=4),
    )
    incidents = [
        incident("own-long", key, SWITCH - timedelta(hours=1), 7200.0),  # shop, resolved later
        incident("own-before", key, SWITCH - timedelta(milliseconds=1), 600.0),  # shop
        incident("own-at", key, SWITCH, 1200.0),  # core: a period includes its start
        incident("own-caused", key, SWITCH + timedelta(hours=2), 1800.0, cause=cause["subject_id"]),
    ]
    return incidents, [cause, landed]


def make_seed() -> Seed:
    """Return a deterministic history: four resolved incidents and one open per key, changes
    landing every ten days per service, the incidents around SWITCH, and the owners."""
    incidents: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for service, environment in product(SERVICES, ENVIRONMENTS):
        for day in range(0, DAYS, 5):  # a deploy every five days, none of them failed
            at = START + timedelta(days=day, hours=10)
            shipping = day % 10 == 0 or (service, day) == ("checkout", 35)
            sha = commit_sha(service, day) if shipping else ""
            events.append(
                deploy(f"dep-{service}-{environment}-{day}", service, environment, at, sha)
            )
    events += [change(service, day) for service in SERVICES for day in range(0, DAYS, 10)]
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
    switch_incidents, switch_events = around_switch()
    incidents += switch_incidents
    events += switch_events
    events.append(dict(events[0], ingested_at=events[0]["ingested_at"] + timedelta(minutes=1)))
    return Seed(incidents, events, owner_rows())


@dataclass
class Database:
    client: Client
    seed: Seed

    def run(
        self, query: PanelQuery, variables: dict[str, Variable], time: TimeRange = TIME
    ) -> QueryResult:
        """Expand ``query`` like Grafana and the plugin, run it, and fail showing the SQL."""
        sql = expand(query.target["rawSql"], variables, time)
        try:
            return self.client.query(sql)
        except Exception as exc:  # show the SQL that failed
            pytest.fail(f"{query.name} failed: {exc}\n--- expanded SQL ---\n{sql}")
