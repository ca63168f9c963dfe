"""The views' reference model: docs/metrics.md in plain Python, from the current incidents.

Nothing here asks ClickHouse; tests/integration/views/ compares every
view column with these results.
"""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.support.lead_time_model import NO_CHANGES, dora_lead_time_columns

# --- the reference model -------------------------------------------------------


def quantile(values: Iterable[float], q: float) -> float:
    """Return the linear-interpolation quantile (numpy "linear", R7)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def mean(values: Iterable[float | None]) -> float | None:
    """Return the mean of the present values, None when there is none."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def monday_of(moment: datetime) -> date:
    day = day_of(moment)
    return day - timedelta(days=day.weekday())


def month_of(moment: datetime) -> date:
    return day_of(moment).replace(day=1)


def duration_measures(group: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the measures shared by the daily, weekly and monthly views."""
    ttr = [i["ttr_seconds"] for i in group]
    return {
        "incidents": len(group),
        "mttr_seconds": mean(ttr),
        "p50_seconds": quantile(ttr, 0.5),
        "p90_seconds": quantile(ttr, 0.9),
        "mttd_seconds": mean(i["ttd_seconds"] for i in group),
        "mtta_seconds": mean(i["tta_seconds"] for i in group),
    }


def group_by(
    rows: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], tuple[Any, ...]]
) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return dict(groups)


def resolved(incidents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in incidents if i["status"] == "resolved"]


def by_key(i: dict[str, Any]) -> tuple[str, str, str]:
    return (i["service"], i["environment"], i["severity"])


def expected_by_service_severity(incidents: list[dict[str, Any]]) -> dict[tuple[Any, ...], Any]:
    expected = {}
    for key, group in group_by(resolved(incidents), by_key).items():
        ttr = [i["ttr_seconds"] for i in group]
        expected[key] = {
            "incidents": len(group),
            "mttr_seconds": mean(ttr),
            "p50_seconds": quantile(ttr, 0.5),
            "p90_seconds": quantile(ttr, 0.9),
            "p99_seconds": quantile(ttr, 0.99),
            "mttd_seconds": mean(i["ttd_seconds"] for i in group),
            "mtta_seconds": mean(i["tta_seconds"] for i in group),
            "mttm_seconds": mean(i["ttm_seconds"] for i in group),
        }
    return expected


def expected_bucketed(
    incidents: list[dict[str, Any]], bucket: Callable[[datetime], date]
) -> dict[tuple[Any, ...], Any]:
    groups = group_by(resolved(incidents), lambda i: (bucket(i["resolved_at"]), *by_key(i)))
    return {key: duration_measures(group) for key, group in groups.items()}


def expected_rolling_30d(incidents: list[dict[str, Any]]) -> dict[tuple[Any, ...], Any]:
    expected = {}
    for key, group in group_by(resolved(incidents), by_key).items():
        days = [day_of(i["resolved_at"]) for i in group]
        day = min(days)
        while day <= max(days) + timedelta(days=29):
            window = [
                i["ttr_seconds"]
                for i, d in zip(group, days, strict=True)
                if day - timedelta(days=29) <= d <= day
            ]
            if window:
                expected[(day, *key)] = {
                    "incidents": len(window),
                    "mttr_seconds": mean(window),
                    "p90_seconds": quantile(window, 0.9),
                }
            day += timedelta(days=1)
    return expected


def mtbf_gaps(incidents: list[dict[str, Any]]) -> dict[tuple[str, str], list[float]]:
    """Return the end-to-start gaps per service/environment (open incidents included)."""
    gaps: dict[tuple[str, str], list[float]] = {}
    by_service = group_by(incidents, lambda i: (i["service"], i["environment"]))
    for key, group in by_service.items():
        ordered = sorted(group, key=lambda i: (i["started_at"], i["incident_id"]))
        gaps[key] = [
            max((current["started_at"] - previous["resolved_at"]).total_seconds(), 0.0)
            for previous, current in zip(ordered, ordered[1:], strict=False)
            if previous["resolved_at"] is not None
        ]
    return gaps


def expected_mtbf(incidents: list[dict[str, Any]]) -> dict[tuple[Any, ...], Any]:
    return {
        key: {"gaps": len(gaps), "mtbf_seconds": mean(gaps)}
        for key, gaps in mtbf_gaps(incidents).items()
        if gaps
    }


def expected_sla(
    incidents: list[dict[str, Any]], targets: dict[str, int]
) -> dict[tuple[Any, ...], Any]:
    expected = {}
    groups = group_by(resolved(incidents), lambda i: (month_of(i["resolved_at"]), *by_key(i)))
    for key, group in groups.items():
        target = targets[key[3]]
        breached = sum(1 for i in group if i["ttr_seconds"] > target)
        expected[key] = {
            "target_seconds": target,
            "incidents": len(group),
            "breached": breached,
            "breach_rate": breached / len(group),
        }
    return expected


def expected_security(incidents: list[dict[str, Any]]) -> dict[tuple[Any, ...], Any]:
    expected = {}
    security = [i for i in resolved(incidents) if i["category"] == "security"]
    for key, group in group_by(security, by_key).items():
        ttr = [i["ttr_seconds"] for i in group]
        expected[key] = {
            "incidents": len(group),
            "mean_time_to_contain_seconds": mean(i["ttm_seconds"] for i in group),
            "mean_time_to_recover_seconds": mean(ttr),
            "p50_seconds": quantile(ttr, 0.5),
            "p90_seconds": quantile(ttr, 0.9),
            "mttd_seconds": mean(i["ttd_seconds"] for i in group),
            "mtta_seconds": mean(i["tta_seconds"] for i in group),
        }
    return expected


def expected_dora(
    incidents: list[dict[str, Any]], events: list[dict[str, Any]]
) -> dict[tuple[Any, ...], Any]:
    """Return dora_monthly per docs/metrics.md (median None when nothing was restored).

    The lead-time and recovery columns come from tests/support/lead_time_model.py.
    """
    deploys: dict[tuple[date, str, str], set[str]] = defaultdict(set)
    for event in events:
        if (
            event["type"] == "deploy"
            and event["status"] == "succeeded"
            and event["kind"] != "remediation"  # contract v1.1: no deployment (docs/metrics.md)
        ):
            key = (month_of(event["occurred_at"]), event["service"], event["environment"])
            deploys[key].add(event["subject_id"])
    causes = {
        (i["service"], i["environment"], i["cause_deploy_id"])
        for i in incidents
        if i["cause_deploy_id"] is not None
    }
    restores = group_by(
        resolved(incidents),
        lambda i: (month_of(i["resolved_at"]), i["service"], i["environment"]),
    )
    lead_times = dora_lead_time_columns(incidents, events)
    expected = {}
    for key, ids in deploys.items():
        month, service, environment = key
        failed = sum(1 for d in ids if (service, environment, d) in causes)
        restored = restores.get(key)
        expected[key] = {
            "deployments": len(ids),
            "deploys_per_day": len(ids) / calendar.monthrange(month.year, month.month)[1],
            "failed_deployments": failed,
            "change_failure_rate": failed / len(ids),
            "median_time_to_restore_seconds": (
                quantile([i["ttr_seconds"] for i in restored], 0.5) if restored else None
            ),
        } | lead_times.get(key, NO_CHANGES)
    return expected
