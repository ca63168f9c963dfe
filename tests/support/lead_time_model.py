"""docs/metrics.md "Lead time for changes" and the new ``dora_monthly`` columns in plain Python.

The reference of ``mttr.change_lead_times``, ``mttr.pending_changes`` and of
``changes_deployed``, ``lead_time_p50_seconds``, ``lead_time_p90_seconds`` and
``failed_deployment_recovery_p50_seconds``, computed from the events as sent
(``raw``: the commit as the producer spelled it, ``first_commit_at`` when given)
the way the docs say it, change by change: for each change and environment,
walk that environment's shipping deploys in (deployed_at, deploy_id) order and
take the first whose reach is at or after the change's landing. Nothing here
asks ClickHouse or follows the SQL's joins.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import orjson

SHIPPING_KINDS = ("release", "hotfix", "config", None)  # rollback ships nothing; remediation too
Row = dict[str, Any]


@dataclass(frozen=True)
class Change:
    service: str
    change_id: str
    commit_sha: str
    first_commit_at: datetime
    landed_at: datetime


@dataclass(frozen=True)
class Shipping:
    service: str
    environment: str
    deploy_id: str
    deployed_at: datetime
    commit_sha: str


def percentile(values: list[float], q: float) -> float:
    """Return the exact interpolated quantile (numpy "linear", the docs' ground rules)."""
    return float(np.percentile(values, q * 100, method="linear"))


def month_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date().replace(day=1)


def seconds(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds()


def sent(event: Row) -> dict[str, Any]:
    """Return the event as the producer sent it (the ``raw`` JSON)."""
    return dict(orjson.loads(event["raw"]))


def commit_of(event: Row) -> str:
    """Return the commit the event names, lowercased; ``''`` when it names none."""
    return str(sent(event).get("commit_sha") or "").lower()


def stored(events: Iterable[Row]) -> list[Row]:
    """Return each event once: per event_id the row ingested last (``mttr.events FINAL``)."""
    kept: dict[str, Row] = {}
    for event in events:
        if (
            event["event_id"] not in kept
            or event["ingested_at"] >= kept[event["event_id"]]["ingested_at"]
        ):
            kept[event["event_id"]] = event
    return list(kept.values())


def changes_of(events: Iterable[Row]) -> list[Change]:
    """One change per (service, change_id): its earliest event (ties: smallest event_id)."""
    defining: dict[tuple[str, str], Row] = {}
    for event in stored(events):
        if event["type"] != "change":
            continue
        key = (event["service"], event["subject_id"])
        rank = (event["occurred_at"], event["event_id"])
        if key not in defining or rank < (defining[key]["occurred_at"], defining[key]["event_id"]):
            defining[key] = event
    found = []
    for (service, change_id), event in defining.items():
        first = sent(event).get("first_commit_at")
        found.append(
            Change(
                service=service,
                change_id=change_id,
                commit_sha=commit_of(event),
                first_commit_at=event["occurred_at"]
                if first is None
                else datetime.fromisoformat(first),
                landed_at=event["occurred_at"],
            )
        )
    return found


def shipping_deploys(events: Iterable[Row]) -> list[Shipping]:
    """Succeeded deploys of a shipping kind: earliest success, earliest success's commit."""
    groups: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for event in stored(events):
        if event["type"] == "deploy" and event["status"] == "succeeded":
            if event["kind"] in SHIPPING_KINDS:
                groups[(event["service"], event["environment"], event["subject_id"])].append(event)
    found = []
    for (service, environment, deploy_id), group in groups.items():
        naming = sorted(
            (e for e in group if commit_of(e)), key=lambda e: (e["occurred_at"], e["event_id"])
        )
        found.append(
            Shipping(
                service=service,
                environment=environment,
                deploy_id=deploy_id,
                deployed_at=min(e["occurred_at"] for e in group),
                commit_sha=commit_of(naming[0]) if naming else "",
            )
        )
    return found


def reach(deploy: Shipping, changes: list[Change]) -> datetime:
    """The landing of the earliest change of the service naming the commit, else deployed_at."""
    landings = [
        c.landed_at
        for c in changes
        if c.service == deploy.service and deploy.commit_sha and c.commit_sha == deploy.commit_sha
    ]
    return min(landings) if landings else deploy.deployed_at


def _walk(events: Iterable[Row]) -> tuple[dict[tuple[Any, ...], Row], dict[tuple[Any, ...], Row]]:
    """Return (change_lead_times, pending_changes) keyed by (service, environment, change_id)."""
    events = list(events)
    changes = changes_of(events)
    by_env: dict[tuple[str, str], list[Shipping]] = defaultdict(list)
    for deploy in shipping_deploys(events):
        by_env[(deploy.service, deploy.environment)].append(deploy)
    lead_times: dict[tuple[Any, ...], Row] = {}
    pending: dict[tuple[Any, ...], Row] = {}
    for change in changes:
        described = {
            "commit_sha": change.commit_sha,
            "first_commit_at": change.first_commit_at,
            "landed_at": change.landed_at,
        }
        environments = sorted(env for service, env in by_env if service == change.service)
        for environment in environments or [""]:
            ordered = sorted(
                by_env.get((change.service, environment), []),
                key=lambda d: (d.deployed_at, d.deploy_id),
            )
            key = (change.service, environment, change.change_id)
            shipped = next((d for d in ordered if reach(d, changes) >= change.landed_at), None)
            if shipped is None:
                pending[key] = dict(described)
                continue
            lead_times[key] = described | {
                "deployed_at": shipped.deployed_at,
                "deploy_id": shipped.deploy_id,
                "lead_time_seconds": seconds(shipped.deployed_at, change.first_commit_at),
                "time_to_land_seconds": seconds(change.landed_at, change.first_commit_at),
                "landed_before_first_deploy": int(change.landed_at < ordered[0].deployed_at),
            }
    return lead_times, pending


def expected_lead_times(events: Iterable[Row]) -> dict[tuple[Any, ...], Row]:
    """``mttr.change_lead_times`` keyed by (service, environment, change_id)."""
    return _walk(events)[0]


def expected_pending(events: Iterable[Row]) -> dict[tuple[Any, ...], Row]:
    """``mttr.pending_changes`` keyed by (service, environment, change_id)."""
    return _walk(events)[1]


def dora_lead_time_columns(
    incidents: list[Row], events: list[Row]
) -> dict[tuple[date, str, str], Row]:
    """The four new dora_monthly columns per (month, service, environment) that has any."""
    deployed: dict[tuple[date, str, str], list[float]] = defaultdict(list)
    for (service, environment, _), row in expected_lead_times(events).items():
        deployed[(month_of(row["deployed_at"]), service, environment)].append(
            row["lead_time_seconds"]
        )
    succeeded: dict[tuple[str, str, str], datetime] = {}
    for event in stored(events):
        if event["type"] == "deploy" and event["status"] == "succeeded":
            key = (event["service"], event["environment"], event["subject_id"])
            succeeded[key] = min(event["occurred_at"], succeeded.get(key, event["occurred_at"]))
    recovered: dict[tuple[date, str, str], list[float]] = defaultdict(list)
    for incident in incidents:
        cause = (incident["service"], incident["environment"], incident["cause_deploy_id"])
        if incident["status"] == "resolved" and cause in succeeded:  # a deploy of its own
            key = (month_of(incident["resolved_at"]), incident["service"], incident["environment"])
            recovered[key].append(seconds(incident["resolved_at"], succeeded[cause]))
    columns: dict[tuple[date, str, str], Row] = defaultdict(lambda: dict(NO_CHANGES))
    for key, values in deployed.items():
        columns[key].update(
            changes_deployed=len(values),
            lead_time_p50_seconds=percentile(values, 0.5),
            lead_time_p90_seconds=percentile(values, 0.9),
        )
    for key, values in recovered.items():
        columns[key]["failed_deployment_recovery_p50_seconds"] = percentile(values, 0.5)
    return dict(columns)


NO_CHANGES: Row = {
    "changes_deployed": 0,
    "lead_time_p50_seconds": None,
    "lead_time_p90_seconds": None,
    "failed_deployment_recovery_p50_seconds": None,
}
