"""``mttr.availability_monthly`` in plain Python: the reference of the availability view tests.

docs/metrics.md, "Availability and error budgets", computed another way than
the SQL: month by month, the counted incidents' intervals clipped to the month
are merged after sorting (the textbook union), in integer milliseconds. The
SQL instead sums each piece's part beyond the running maximum of the ends
before it.

``OBJECTIVES`` are the objective periods loaded into the view tests' databases
(tests/integration/views/conftest.py), chosen for the history of
tests/support/view_history.py (2025-10-13 to 2026-02-10): an objective from
the beginning replaced mid-month (it applies from the next month), one
starting exactly at a month's first instant with only critical incidents
counted, one counting every severity, one for a service without incidents
(rows from its month on) and one from the beginning for a service without
incidents (the current month only).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from clickhouse_connect.driver.client import Client

from schemas.events import SEVERITIES
from streams.storage.objectives.rows import ObjectiveRow
from streams.storage.objectives.table import replace_source
from tests.support.team_model import owner_at

Row = dict[str, Any]
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)
DEFAULT_MIN_SEVERITY = "high"

# (service, environment, objective, min_severity, valid_from)
OBJECTIVES: tuple[tuple[str, str, float, str, datetime], ...] = (
    ("checkout", "prod", 0.999, "high", BEGINNING),
    ("checkout", "prod", 0.9995, "medium", datetime(2025, 12, 15, 12, tzinfo=UTC)),
    ("search", "prod", 0.99, "critical", datetime(2025, 11, 1, tzinfo=UTC)),
    ("payments", "staging", 0.95, "low", datetime(2025, 10, 20, tzinfo=UTC)),
    ("ledger", "prod", 0.9999, "high", datetime(2026, 1, 1, tzinfo=UTC)),
    ("ledger", "staging", 0.999, "high", BEGINNING),
)


def ms(moment: datetime) -> int:
    """Return ``moment`` in epoch milliseconds."""
    return (moment - BEGINNING) // timedelta(milliseconds=1)


def month_start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_of(moment: datetime) -> date:
    return date(moment.year, moment.month, 1)


def union_ms(intervals: Iterable[tuple[int, int]]) -> int:
    """Return the length of the union of half-open intervals (start, end)."""
    total, current = 0, None
    for start, end in sorted(intervals):
        if current is None or start > current[1]:
            if current is not None:
                total += current[1] - current[0]
            current = [start, end]
        else:
            current[1] = max(current[1], end)
    return total + (current[1] - current[0] if current else 0)


def objective_at(
    objectives: Iterable[tuple[str, str, float, str, datetime]],
    service: str,
    environment: str,
    moment: datetime,
) -> tuple[float, str] | None:
    """Return (objective, min_severity) in force at ``moment``, None without one."""
    periods = [
        (start, objective, severity)
        for s, e, objective, severity, start in objectives
        if s == service and e == environment and start <= moment
    ]
    if not periods:
        return None
    _, objective, severity = max(periods)
    return objective, severity


def expected_availability(
    incidents: list[Row],
    now: datetime,
    objectives: Iterable[tuple[str, str, float, str, datetime]] = OBJECTIVES,
    owner: Any = owner_at,
) -> dict[tuple[date, str, str], Row]:
    """``mttr.availability_monthly`` keyed by (month, service, environment), at ``now``."""
    objectives = tuple(objectives)
    this_month = month_of(now)
    first: dict[tuple[str, str], date] = {}
    for incident in incidents:
        key = (incident["service"], incident["environment"])
        first[key] = min(first.get(key, this_month), month_of(incident["started_at"]))
    for service, environment, _, _, start in objectives:
        month = this_month if start == BEGINNING else min(month_of(start), this_month)
        first[(service, environment)] = min(first.get((service, environment), month), month)
    now_ms = ms(now)
    rows: dict[tuple[date, str, str], Row] = {}
    for (service, environment), month in first.items():
        mine = [
            i
            for i in incidents
            if (i["service"], i["environment"]) == (service, environment)
            and i["category"] == "availability"
        ]
        while month <= this_month:
            begin, end = ms(month_start(month)), ms(month_start(next_month(month)))
            target = objective_at(objectives, service, environment, month_start(month))
            least = target[1] if target else DEFAULT_MIN_SEVERITY
            counted = SEVERITIES[: SEVERITIES.index(least) + 1]
            pieces = []
            for i in mine:
                if i["severity"] not in counted:
                    continue
                stop = ms(i["resolved_at"]) if i["status"] == "resolved" else now_ms
                piece = (max(ms(i["started_at"]), begin), min(stop, now_ms, end))
                if piece[1] > piece[0]:
                    pieces.append(piece)
            down = union_ms(pieces)
            elapsed = min(end, now_ms) - begin
            row: Row = {
                "team": owner(service, month_start(month)),
                "downtime_seconds": down / 1000,
                "availability": 1.0 if elapsed <= 0 else 1 - down / elapsed,
                "objective": None,
                "min_severity": least,
                "error_budget_seconds": None,
                "budget_consumed_seconds": None,
                "budget_remaining_seconds": None,
                "budget_consumed_ratio": None,
            }
            if target is not None:
                budget = round((1 - target[0]) * (end - begin))
                row.update(
                    objective=target[0],
                    error_budget_seconds=budget / 1000,
                    budget_consumed_seconds=down / 1000,
                    budget_remaining_seconds=(budget - down) / 1000,
                    budget_consumed_ratio=down / budget,
                )
            rows[(month, service, environment)] = row
            month = next_month(month)
    return rows


def load_objectives(client: Client) -> None:
    """Load ``OBJECTIVES`` as the source ``file`` (through the loader's own table code)."""
    rows = [
        ObjectiveRow(service, environment, objective, severity, start, f"OBJECTIVES[{n}]")
        for n, (service, environment, objective, severity, start) in enumerate(OBJECTIVES)
    ]
    replace_source(client, "file", rows, datetime.now(UTC))
