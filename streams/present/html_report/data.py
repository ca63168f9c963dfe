"""Data of ``mttr report --html``: a fixed set of read-only queries, shaped for the charts.

``collect()`` is what both the CLI (direct connection) and the worker's
``/mttr/report/html-data/`` page run, so the page is the same whichever way
it was built. User values (window, service, severity) are bound parameters,
never spliced into SQL.

Where a view's grouping is the chart's grouping the view is read as is
(``mttr.open_incidents``, ``mttr.dora_monthly``, whose counts add up). The
duration measures per severity, per service and per week combine several
view groups, and quantiles cannot be merged across groups, so they are
computed from ``mttr.incidents FINAL`` with the views' exact definitions
(``streams.storage.measures``, docs/metrics.md), like
``streams.storage.report.report_rows``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from clickhouse_connect.driver.client import Client

from streams.present.html_report.shape import (
    by_severity,
    overall_change_failure,
    plain,
    week_axis,
    weekly_series,
)
from streams.present.html_report.teams import team_rows
from streams.storage.measures import REPORT_MEASURES, select_list
from streams.storage.report import BUCKETS, ReportQuery

OPEN_LIMIT = 200
"""At most this many open incidents are listed (oldest first); the total is always given."""

MEASURES = select_list(REPORT_MEASURES)
"""The SELECT list of the duration measures (those of ``mttr report``)."""
RESOLVED_WEEK = f"{BUCKETS['week']} AS week"
STARTED_WEEK = "toMonday(toDate(started_at, 'UTC')) AS week"
SINCE = "{since:DateTime64(3, 'UTC')}"


def _where(
    query: ReportQuery, now: datetime, since_condition: str | None, *, severity: bool = True
) -> tuple[str, dict[str, Any]]:
    """Return the WHERE conditions and bound parameters of the report's filters.

    ``since_condition`` is a fixed SQL condition on ``{since}`` (None: the
    window does not apply); ``severity=False`` for views without a severity.
    """
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if since_condition is not None and query.since is not None:
        conditions.append(since_condition)
        params["since"] = now - query.since
    if query.service:
        conditions.append("service = {service:String}")
        params["service"] = query.service
    if severity and query.severity:
        conditions.append("severity = {severity:String}")
        params["severity"] = query.severity
    return " AND ".join(conditions) or "1", params


def _rows(client: Client, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    result = client.query(sql, parameters=params)
    return [
        {name: plain(value) for name, value in zip(result.column_names, row, strict=True)}
        for row in result.result_rows
    ]


def _resolved(
    client: Client, query: ReportQuery, now: datetime, group: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Return the duration measures of resolved incidents, grouped by ``group`` expressions."""
    where, params = _where(query, now, f"resolved_at >= {SINCE}")
    select = "".join(f"{expression}, " for expression in group)
    names = ", ".join(expression.rsplit(" AS ", 1)[-1] for expression in group)
    tail = f" GROUP BY {names} ORDER BY {names}" if group else ""
    sql = (
        f"SELECT {select}{MEASURES} FROM mttr.incidents FINAL "
        f"WHERE status = 'resolved' AND {where}{tail}"
    )
    return _rows(client, sql, params)


def _started_per_week(client: Client, query: ReportQuery, now: datetime) -> list[dict[str, Any]]:
    where, params = _where(query, now, f"started_at >= {SINCE}")
    sql = (
        f"SELECT {STARTED_WEEK}, severity, count() AS incidents FROM mttr.incidents FINAL "
        f"WHERE {where} GROUP BY week, severity ORDER BY week, severity"
    )
    return _rows(client, sql, params)


def _change_failure(client: Client, query: ReportQuery, now: datetime) -> list[dict[str, Any]]:
    since = f"month >= toStartOfMonth(toDate({SINCE}, 'UTC'))"
    where, params = _where(query, now, since, severity=False)
    sql = (
        "SELECT month, sum(d.deployments) AS deploys, sum(d.failed_deployments) AS failed, "
        "failed / deploys AS rate "
        f"FROM mttr.dora_monthly AS d WHERE {where} GROUP BY month ORDER BY month"
    )
    return [
        {
            "month": row["month"],
            "deployments": row["deploys"],
            "failed_deployments": row["failed"],
            "change_failure_rate": row["rate"],
        }
        for row in _rows(client, sql, params)
    ]


def _open(client: Client, query: ReportQuery, now: datetime) -> tuple[list[dict[str, Any]], int]:
    where, params = _where(query, now, None)
    columns = "incident_id, service, environment, severity, category, title, started_at"
    listed = _rows(
        client,
        f"SELECT {columns}, age_seconds FROM mttr.open_incidents WHERE {where} "
        "ORDER BY age_seconds DESC, incident_id LIMIT {limit:UInt32}",
        {**params, "limit": OPEN_LIMIT},
    )
    total = _rows(client, f"SELECT count() AS n FROM mttr.open_incidents WHERE {where}", params)
    return listed, int(total[0]["n"])


def collect(client: Client, query: ReportQuery, now: datetime | None = None) -> dict[str, Any]:
    """Run the report's queries and return its data as a JSON-able dict.

    ``query.since`` limits incidents by resolution (durations), by start
    (incidents per week) and deploys by month; open incidents are always the
    current ones. ``query.by`` is ignored. Dates are ISO strings and missing
    measures are None (never NaN). Query errors propagate from clickhouse-connect.
    """
    now = now or datetime.now(UTC)
    trend_rows = _resolved(client, query, now, (RESOLVED_WEEK, "severity"))
    detection_rows = _resolved(client, query, now, (RESOLVED_WEEK,))
    started_rows = _started_per_week(client, query, now)
    axis = week_axis(row["week"] for row in [*trend_rows, *started_rows])
    change_failure = _change_failure(client, query, now)
    open_incidents, open_total = _open(client, query, now)
    summary = _resolved(client, query, now)[0]
    by_service = _resolved(client, query, now, ("service",))
    by_service.sort(key=lambda row: (-(row["mttr_seconds"] or 0), row["service"]))
    teams = team_rows(client, query, now)
    return {
        "filters": {
            "since_seconds": None if query.since is None else query.since.total_seconds(),
            "service": query.service,
            "severity": query.severity,
        },
        "window_start": None if query.since is None else plain(now - query.since),
        "summary": {
            **summary,
            "open_incidents": open_total,
            "change_failure_rate": overall_change_failure(change_failure),
        },
        "weeks": axis,
        "trend": by_severity(
            trend_rows, axis, ("incidents", "mttr_seconds", "p50_seconds", "p90_seconds")
        ),
        "per_week": {
            severity: series["incidents"]
            for severity, series in by_severity(started_rows, axis, ("incidents",), 0).items()
        },
        "detection": weekly_series(detection_rows, axis, ("mttd_seconds", "mtta_seconds")),
        "by_service": by_service,
        "change_failure": change_failure,
        "open_incidents": open_incidents,
        "open_total": open_total,
        "teams": teams,
    }
