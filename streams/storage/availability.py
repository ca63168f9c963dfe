"""The availability section of ``mttr report``: ``mttr.availability_monthly`` with filters.

``availability_rows()`` is the one query ``mttr report --section availability``,
the worker's ``/mttr/report/`` page and ``mttr demo`` run; the numbers are the
view's (docs/metrics.md, "Availability and error budgets"). Filters are bound
parameters, never spliced into SQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from clickhouse_connect.driver.client import Client

from streams.storage.report import UNOWNED, ReportQuery

AVAILABILITY_COLUMNS: tuple[str, ...] = (
    "month",
    "service",
    "environment",
    "team",
    "downtime_seconds",
    "availability",
    "objective",
    "min_severity",
    "error_budget_seconds",
    "budget_consumed_seconds",
    "budget_remaining_seconds",
    "budget_consumed_ratio",
)
"""Columns of ``availability_rows()``, as the view names them."""


def availability_rows(
    client: Client, query: ReportQuery, now: datetime | None = None, months: int | None = None
) -> list[dict[str, Any]]:
    """Return the view's rows, newest month first, then service and environment.

    Args:
        client: Where ``mttr.availability_monthly`` is (sql/015).
        query: ``service`` and ``team`` (the owner at the month's start,
            ``(unowned)`` for nobody) filter; ``since`` keeps the months that
            overlap the window (from the month of ``now - since``). Its
            ``severity`` and ``by`` do not apply (the CLI refuses them).
        now: The end of the ``since`` window (default: the current time).
        months: Only the latest ``months`` months of the view (the current
            month is one), e.g. 2 for the last full month and this one.
    """
    conditions: list[str] = ["1"]
    params: dict[str, Any] = {}
    if query.service:
        conditions.append("service = {service:String}")
        params["service"] = query.service
    if query.team is not None:
        conditions.append("team = {team:String}")
        params["team"] = "" if query.team == UNOWNED else query.team
    if query.since is not None:
        conditions.append("month >= toStartOfMonth(toDate({since:DateTime64(3, 'UTC')}, 'UTC'))")
        params["since"] = (now or datetime.now(UTC)) - query.since
    if months is not None:
        conditions.append(
            "month > addMonths(toStartOfMonth(toDate(now64(3, 'UTC'), 'UTC')), -{months:Int32})"
        )
        params["months"] = months
    result = client.query(
        f"SELECT {', '.join(AVAILABILITY_COLUMNS)} FROM mttr.availability_monthly "
        f"WHERE {' AND '.join(conditions)} ORDER BY month DESC, service, environment",
        parameters=params,
    )
    rows = [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
    for row in rows:
        row["team"] = row["team"] or UNOWNED
    return rows


def objective_count(client: Client) -> int:
    """Return how many objective periods are loaded (0: every budget column is empty)."""
    return int(
        client.query("SELECT count() FROM mttr.availability_objective_periods").result_rows[0][0]
    )
