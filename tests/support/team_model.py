"""Per-team views in plain Python: ``mttr_by_team`` and ``dora_monthly_by_team``.

The reference the view tests compare with (docs/metrics.md, "Per team";
docs/ownership.md). ``OWNERS`` are the ownership periods loaded into the view
tests' databases: an owner change in the middle of a month (search, November
2025), a service unowned until mid-December (auth, from 00:00:00.500 on the
11th) and a service with changes but no deploys (billing). The owner of a
service at time t is the team of the period with the greatest ``valid_from``
<= t, ``''`` (unowned) before the first.

An incident belongs to the owner at its ``started_at``, a deployment to the
owner at its earliest succeeded ``occurred_at`` of the month, a change to the
owner when it landed. Counts are summed and quantiles taken over the team's
own values: nothing is averaged over services.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from tests.support.lead_time_model import NO_CHANGES, expected_lead_times, seconds, stored
from tests.support.view_model import group_by, mean, month_of, quantile, resolved

Row = dict[str, Any]
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)

# (service, team, valid_from). Both changes fall inside an incident (search prod
# 11-15 06:43-10:03, auth prod 12-10 20:52-12-11 06:01) and between the landing
# and the deployment of changes, so owner-at-start and owner-at-landing matter.
OWNERS: tuple[tuple[str, str, datetime], ...] = (
    ("checkout", "payments-team", BEGINNING),
    ("payments", "payments-team", BEGINNING),
    ("search", "discovery", BEGINNING),
    ("search", "platform", datetime(2025, 11, 15, 8, 0, tzinfo=UTC)),
    ("auth", "identity", datetime(2025, 12, 11, 0, 0, 0, 500_000, tzinfo=UTC)),
    ("billing", "platform", BEGINNING),
)


def owner_at(service: str, moment: datetime) -> str:
    """Return the team owning ``service`` at ``moment`` (``''`` when nobody does)."""
    periods = [(start, team) for s, team, start in OWNERS if s == service and start <= moment]
    return max(periods)[1] if periods else ""


def expected_mttr_by_team(incidents: list[Row]) -> dict[tuple[Any, ...], Row]:
    """``mttr.mttr_by_team`` keyed by (team, environment, severity)."""
    groups = group_by(
        resolved(incidents),
        lambda i: (owner_at(i["service"], i["started_at"]), i["environment"], i["severity"]),
    )
    return {
        key: {
            "incidents": len(group),
            "mttr_seconds": mean(i["ttr_seconds"] for i in group),
            "p50_seconds": quantile([i["ttr_seconds"] for i in group], 0.5),
            "p90_seconds": quantile([i["ttr_seconds"] for i in group], 0.9),
            "mttd_seconds": mean(i["ttd_seconds"] for i in group),
            "mtta_seconds": mean(i["tta_seconds"] for i in group),
        }
        for key, group in groups.items()
    }


def _deployments(events: list[Row]) -> dict[tuple[date, str, str, str], datetime]:
    """Per (month, service, environment, deploy_id): its earliest succeeded time that month."""
    first: dict[tuple[date, str, str, str], datetime] = {}
    for event in stored(events):
        if event["type"] != "deploy" or event["status"] != "succeeded":
            continue
        if event["kind"] == "remediation":  # no deployment (docs/metrics.md)
            continue
        at = event["occurred_at"]
        key = (month_of(at), event["service"], event["environment"], event["subject_id"])
        first[key] = min(at, first.get(key, at))
    return first


def _succeeded(events: list[Row]) -> dict[tuple[str, str, str], datetime]:
    """Per (service, environment, deploy_id) its earliest succeeded time (any kind)."""
    first: dict[tuple[str, str, str], datetime] = {}
    for event in stored(events):
        if event["type"] == "deploy" and event["status"] == "succeeded":
            key = (event["service"], event["environment"], event["subject_id"])
            first[key] = min(event["occurred_at"], first.get(key, event["occurred_at"]))
    return first


def expected_dora_by_team(incidents: list[Row], events: list[Row]) -> dict[tuple[Any, ...], Row]:
    """``mttr.dora_monthly_by_team`` keyed by (month, team, environment)."""
    causes = {
        (i["service"], i["environment"], i["cause_deploy_id"])
        for i in incidents
        if i["cause_deploy_id"] is not None
    }
    deployed: dict[tuple[date, str, str], list[bool]] = defaultdict(list)
    for (month, service, environment, deploy_id), at in _deployments(events).items():
        failed = (service, environment, deploy_id) in causes
        deployed[(month, owner_at(service, at), environment)].append(failed)
    succeeded = _succeeded(events)
    restores: dict[tuple[date, str, str], list[float]] = defaultdict(list)
    recoveries: dict[tuple[date, str, str], list[float]] = defaultdict(list)
    for incident in resolved(incidents):
        team = owner_at(incident["service"], incident["started_at"])
        key = (month_of(incident["resolved_at"]), team, incident["environment"])
        restores[key].append(incident["ttr_seconds"])
        cause = (incident["service"], incident["environment"], incident["cause_deploy_id"])
        if cause in succeeded:
            recoveries[key].append(seconds(incident["resolved_at"], succeeded[cause]))
    lead_times: dict[tuple[date, str, str], list[float]] = defaultdict(list)
    for (service, environment, _), row in expected_lead_times(events).items():
        team = owner_at(service, row["landed_at"])
        lead_times[(month_of(row["deployed_at"]), team, environment)].append(
            row["lead_time_seconds"]
        )
    expected = {}
    for key, failures in deployed.items():
        month = key[0]
        days = calendar.monthrange(month.year, month.month)[1]
        changes, restored, recovered = lead_times.get(key), restores.get(key), recoveries.get(key)
        expected[key] = {
            "deployments": len(failures),
            "deploys_per_day": len(failures) / days,
            "failed_deployments": sum(failures),
            "change_failure_rate": sum(failures) / len(failures),
            "median_time_to_restore_seconds": quantile(restored, 0.5) if restored else None,
        } | dict(NO_CHANGES)
        if changes:
            expected[key] |= {
                "changes_deployed": len(changes),
                "lead_time_p50_seconds": quantile(changes, 0.5),
                "lead_time_p90_seconds": quantile(changes, 0.9),
            }
        if recovered:
            expected[key]["failed_deployment_recovery_p50_seconds"] = quantile(recovered, 0.5)
    return expected
