"""The seeded incident and deploy history the view tests load (random.Random(42)).

See tests/integration/views/conftest.py for what it covers and why. The change
events and the commits deploys name come from tests/support/view_changes.py
(a generator of its own: the incidents and deploys drawn here do not move).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.events import SEVERITIES
from tests.support.review_model import add_reviews
from tests.support.view_changes import add_changes
from tests.support.view_worked_month import add_worked_example

SERVICES = ("checkout", "payments", "search", "auth")
ENVIRONMENTS = ("prod", "staging")
CATEGORIES = ("availability", "latency", "errors", "security")
DEFAULT_TARGETS = {"critical": 3600, "high": 14400, "medium": 86400, "low": 259200}

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HISTORY_START = datetime(2025, 10, 13, tzinfo=UTC)
HISTORY_DAYS = 120
# Deploys start a month earlier: September has deploys but no resolved incident,
# the case where dora_monthly has no median time to restore.
DEPLOY_START = datetime(2025, 9, 1, tzinfo=UTC)
DEPLOY_END = HISTORY_START + timedelta(days=HISTORY_DAYS)

INCIDENTS = 300
SUCCEEDED_DEPLOYS = 200


def ms_of(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)


def at_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


# --- the seeded history --------------------------------------------------------


@dataclass
class History:
    """What was inserted, and the current incidents the views must see."""

    versions: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    event_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def current(self) -> list[dict[str, Any]]:
        newest: dict[str, dict[str, Any]] = {}
        for row in self.versions:
            kept = newest.get(row["incident_id"])
            if kept is None or row["version"] > kept["version"]:
                newest[row["incident_id"]] = row
        return [row for row in newest.values() if not row["is_deleted"]]


Deploys = dict[tuple[str, str], list[tuple[int, str]]]


def make_events(rng: random.Random, history: History) -> tuple[Deploys, list[str]]:
    """Add the deploy events; return the succeeded (ms, id) per service/env, failed ids."""
    start, end = ms_of(DEPLOY_START), ms_of(DEPLOY_END)
    succeeded: Deploys = defaultdict(list)
    failed: list[str] = []
    numbers = iter(range(1, 10_000))

    def add(deploy_id: str, service: str, environment: str, ms: int, status: str) -> None:
        occurred_at = at_ms(ms)
        event = {
            "event_id": f"ev-{next(numbers):05d}",
            "type": "deploy",
            "service": service,
            "environment": environment,
            "occurred_at": occurred_at,
            "source": "ci",
            "status": status,
            "subject_id": deploy_id,
            "severity": None,
            "category": None,
            "kind": rng.choice(["release", "config", None]),
            "commit_sha": "",
            "first_commit_at": None,
            "raw": f'{{"deploy_id":"{deploy_id}","status":"{status}"}}',
            "kafka_topic": "deploys",
            "kafka_partition": rng.randrange(4),
            "kafka_offset": rng.randrange(1_000_000),
            "ingested_at": occurred_at + timedelta(seconds=rng.uniform(0.1, 5)),
        }
        history.events.append(event)
        history.event_rows.append(event)

    for n in range(SUCCEEDED_DEPLOYS):
        service, environment = rng.choice(SERVICES), rng.choice(ENVIRONMENTS)
        deploy_id = f"dep-{service}-{environment}-{n:04d}"
        done = rng.randrange(start, end)
        if rng.random() < 0.6:  # its 'started' event: never counted
            add(deploy_id, service, environment, done - rng.randrange(60_000, 1_800_000), "started")
        add(deploy_id, service, environment, done, "succeeded")
        succeeded[(service, environment)].append((done, deploy_id))

    # a deploy started in one month and succeeded in the next counts in the next
    month_end = ms_of(datetime(2025, 11, 1, tzinfo=UTC))
    add("dep-search-prod-cross", "search", "prod", month_end - 300_000, "started")
    add("dep-search-prod-cross", "search", "prod", month_end + 300_000, "succeeded")
    succeeded[("search", "prod")].append((month_end + 300_000, "dep-search-prod-cross"))

    # a succeeded deploy announced twice (two event ids, same deploy id): counted once
    done, deploy_id = succeeded[("checkout", "prod")][0]
    add(deploy_id, "checkout", "prod", done + 1000, "succeeded")

    # failed deploys: never counted, even when an incident names them as cause
    for n in range(25):
        service, environment = rng.choice(SERVICES), rng.choice(ENVIRONMENTS)
        deploy_id = f"dep-{service}-{environment}-failed-{n:02d}"
        done = rng.randrange(start, end)
        add(deploy_id, service, environment, done - 120_000, "started")
        add(deploy_id, service, environment, done, "failed")
        failed.append(deploy_id)

    # one event redelivered: the same event_id stored twice, FINAL keeps one
    redelivered = dict(history.events[5])
    redelivered["ingested_at"] = redelivered["ingested_at"] + timedelta(minutes=3)
    history.event_rows.append(redelivered)
    return succeeded, failed


def make_incident(rng: random.Random, n: int, deploys: Deploys) -> dict[str, Any]:
    service, environment = rng.choice(SERVICES), rng.choice(ENVIRONMENTS)
    security_share = 0.4 if service == "auth" else 0.1
    category = "security" if rng.random() < security_share else rng.choice(CATEGORIES[:3])
    started = ms_of(HISTORY_START) + rng.randrange(HISTORY_DAYS * 86_400_000)
    is_open = rng.random() < 0.05
    ttd_ms = round(rng.lognormvariate(4, 1) * 1000) if rng.random() < 0.9 else None
    detected = started + (ttd_ms or 0)
    tta_ms = round(rng.lognormvariate(5, 1) * 1000) if rng.random() < 0.8 else None
    ttr_ms = None if is_open else round(rng.lognormvariate(8, 1.6) * 1000)
    ttm_ms = None
    if rng.random() < 0.75:
        ttm_ms = round((ttr_ms or 4_000_000) * rng.uniform(0.2, 0.9))
    cause = None
    candidates = [d for d in deploys.get((service, environment), []) if d[0] < started]
    if candidates and rng.random() < 0.35:
        cause = rng.choice(candidates[-10:])[1]

    def seconds(value: int | None) -> float | None:
        return None if value is None else value / 1000

    return {
        "incident_id": f"inc-{n:04d}",
        "service": service,
        "environment": environment,
        "status": "open" if is_open else "resolved",
        "severity": rng.choice(SEVERITIES),
        "category": category,
        "title": f"{category} trouble on {service} #{n}",
        "started_at": at_ms(started),
        "detected_at": at_ms(detected),
        "acknowledged_at": None if tta_ms is None else at_ms(detected + tta_ms),
        "identified_at": None,
        "mitigated_at": None if ttm_ms is None else at_ms(started + ttm_ms),
        "resolved_at": None if ttr_ms is None else at_ms(started + ttr_ms),
        "ttd_seconds": seconds(ttd_ms),
        "tta_seconds": seconds(tta_ms),
        "tti_seconds": None,
        "ttm_seconds": seconds(ttm_ms),
        "ttr_seconds": seconds(ttr_ms),
        "alert_count": rng.randrange(1, 6),
        "alert_ids": [f"alert-{n}-{k}" for k in range(2)],
        "ticket_ids": [],
        "event_count": rng.randrange(1, 20),
        "cause_deploy_id": cause,
        "fix_deploy_id": None,
        "repair_action": None,
        "reopen_count": 0,
        "completed": 0 if is_open else 1,
        "quality_flags": [],
        "reviewed_at": None,
        "time_to_review_seconds": None,
        "fingerprint": "",
        "is_deleted": 0,
        "version": 1,
        "updated_at": at_ms(started + (ttr_ms or 0) + 1000),
    }


def older_version(
    rng: random.Random, row: dict[str, Any], version: int, deploys: Deploys
) -> dict[str, Any]:
    """Return an earlier, different version of ``row`` (same sort key)."""
    old = dict(row)
    old["version"] = version
    old["severity"] = rng.choice([s for s in SEVERITIES if s != row["severity"]])
    old["category"] = rng.choice(CATEGORIES)
    old["updated_at"] = row["updated_at"] - timedelta(minutes=10 * (10 - version))
    # a real succeeded deploy: it would count as failed if an old version leaked
    own = [d for _, d in deploys[(row["service"], row["environment"])]]
    old["cause_deploy_id"] = rng.choice([None, rng.choice(own)])
    if row["status"] == "resolved" and rng.random() < 0.5:
        old.update(status="open", resolved_at=None, ttr_seconds=None, completed=0)
    else:  # resolved earlier with another ttr (the incident was later reopened)
        ttr = round(rng.uniform(60, 200_000), 3)
        old.update(
            status="resolved",
            ttr_seconds=ttr,
            resolved_at=row["started_at"] + timedelta(seconds=ttr),
            completed=1,
        )
    return old


def make_history() -> History:
    rng = random.Random(42)
    history = History()
    deploys, failed = make_events(rng, history)
    add_changes(history, DEPLOY_START, DEPLOY_END)  # its own random.Random: the rest is unchanged
    finals = [make_incident(rng, n, deploys) for n in range(INCIDENTS)]

    # force an overlap (clamped MTBF gap) and a started_at tie (ordered by id)
    first = finals[0]
    for row in finals[1:3]:
        shift = first["started_at"] + timedelta(seconds=30) - row["started_at"]
        moved = ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at")
        for column in (*moved, "updated_at"):
            if row[column] is not None:
                row[column] += shift
        row.update(service=first["service"], environment=first["environment"])
    # a failed deploy named as cause must not appear at all
    finals[4]["cause_deploy_id"] = failed[0]
    # ttr exactly at the target is no breach (also at the changed 'high' target 7200)
    for row, severity, ttr in zip(
        finals[10:13], ("high", "critical", "high"), (14400, 3600, 7200), strict=True
    ):
        row.update(status="resolved", severity=severity, ttr_seconds=float(ttr), completed=1)
        row["resolved_at"] = row["started_at"] + timedelta(seconds=ttr)

    for row in finals:
        n = int(row["incident_id"].split("-")[1])
        if n % 9 == 5:  # rewritten: 2 or 3 versions, the last one counts
            count = 2 + n % 2
            row["version"] = count
            history.versions += [older_version(rng, row, v, deploys) for v in range(1, count)]
        history.versions.append(row)
        if n % 23 == 7:  # newest version is a delete marker: the incident vanishes
            marker = dict(row, version=row["version"] + 1, is_deleted=1)
            marker["updated_at"] = row["updated_at"] + timedelta(minutes=5)
            if n % 2:  # even the cause of a deleted incident does not count
                marker["cause_deploy_id"] = row["cause_deploy_id"] = deploys[
                    (row["service"], row["environment"])
                ][-1][1]
            history.versions.append(marker)
        if n == 100:  # deleted, then re-created: present with its newest version
            history.versions.append(dict(row, version=row["version"] + 1, is_deleted=1))
            history.versions.append(dict(row, version=row["version"] + 2, severity="critical"))

    # a cause deploy of another service/environment must not count as failed
    referenced = {r["cause_deploy_id"] for r in history.versions}
    foreign = next(d for _, d in deploys[("auth", "staging")] if d not in referenced)
    finals[3].update(service="payments", environment="prod", cause_deploy_id=foreign)
    add_worked_example(history)
    add_reviews(history)  # fingerprints and postmortems (its own random.Random)
    return history
