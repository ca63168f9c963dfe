"""The learning sections of ``mttr report``: review compliance and recurring failures.

``review_rows()`` reads ``mttr.review_compliance`` and ``recurring_rows()``
``mttr.recurring_failures`` (sql/016; docs/metrics.md, "Reviews (postmortems)"
and "Recurring failures"), with the filters of ``ReportQuery`` that apply to
them as bound parameters. ``mttr report --section reviews|recurring`` and the
worker's ``/mttr/report/`` page both run them (``storage.sections``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from clickhouse_connect.driver.client import Client

from streams.storage.measures import severity_order
from streams.storage.report import ReportQuery

REVIEW_COLUMNS: tuple[str, ...] = (
    "month", "service", "environment", "severity", "resolved", "review_required", "reviewed",
    "reviewed_on_time", "overdue", "review_rate", "median_time_to_review_seconds",
)  # fmt: skip
"""Columns of ``review_rows()``, as the view names them."""
RECURRING_COLUMNS: tuple[str, ...] = (
    "service", "environment", "fingerprint", "incidents", "first_started_at", "last_started_at",
    "mttr_seconds", "mean_time_between_seconds", "recurrences_30d",
)  # fmt: skip
"""Columns of ``recurring_rows()``, as the view names them."""


def review_rows(
    client: Client, query: ReportQuery, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Return review compliance per month of resolution, newest first, then key and severity.

    ``service`` and ``severity`` filter; ``since`` keeps the months overlapping
    the window (from the month of ``now - since``).
    """
    conditions, params = _filters(query)
    if query.severity:
        conditions.append("severity = {severity:String}")
        params["severity"] = query.severity
    if query.since is not None:
        conditions.append("month >= toStartOfMonth(toDate({since:DateTime64(3, 'UTC')}, 'UTC'))")
        params["since"] = (now or datetime.now(UTC)) - query.since
    return _rows(
        client,
        f"SELECT {', '.join(REVIEW_COLUMNS)} FROM mttr.review_compliance "
        f"WHERE {' AND '.join(conditions)} "
        f"ORDER BY month DESC, service, environment, {severity_order()}",
        params,
    )


def recurring_rows(
    client: Client, query: ReportQuery, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Return the failures that happened more than once, most recurrences within 30 days first.

    ``service`` filters; ``since`` keeps the failures whose last incident
    started in the window. Order: the view's (``recurrences_30d``, then
    ``incidents``, newest last start, key and fingerprint).
    """
    conditions, params = _filters(query)
    conditions.append("incidents > 1")
    if query.since is not None:
        conditions.append("last_started_at >= {since:DateTime64(3, 'UTC')}")
        params["since"] = (now or datetime.now(UTC)) - query.since
    return _rows(
        client,
        f"SELECT {', '.join(RECURRING_COLUMNS)} FROM mttr.recurring_failures "
        f"WHERE {' AND '.join(conditions)} ORDER BY recurrences_30d DESC, incidents DESC, "
        "last_started_at DESC, service, environment, fingerprint",
        params,
    )


def _filters(query: ReportQuery) -> tuple[list[str], dict[str, Any]]:
    if query.service:
        return ["service = {service:String}"], {"service": query.service}
    return ["1"], {}


def _rows(client: Client, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    result = client.query(sql, parameters=params)
    return [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
