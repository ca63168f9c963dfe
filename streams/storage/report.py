"""MTTR report queries: the same measures as the views, with filters and buckets.

``report_rows()`` is the one query both ``mttr report`` and the worker's
``/mttr/report/`` page run, so the numbers are identical whichever way they
are fetched. Filters are bound parameters, never spliced into SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from clickhouse_connect.driver.client import Client

from streams.storage.measures import REPORT_MEASURES, select_list

Bucket = Literal["day", "week", "month"]
BUCKETS: dict[str, str] = {
    "day": "toDate(resolved_at, 'UTC')",
    "week": "toMonday(toDate(resolved_at, 'UTC'))",
    "month": "toStartOfMonth(toDate(resolved_at, 'UTC'))",
}
_SINCE = re.compile(r"^(\d+)([hdw])$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
COLUMNS: tuple[str, ...] = (
    "service",
    "environment",
    "severity",
    *(measure.name for measure in REPORT_MEASURES),
)
"""Columns of ``report_rows()`` after the optional bucket (its name comes first)."""


@dataclass(frozen=True)
class ReportQuery:
    """What to report: a time window, optional filters and an optional time bucket."""

    since: timedelta | None = None
    service: str | None = None
    severity: str | None = None
    by: Bucket | None = None

    def as_params(self) -> dict[str, str]:
        """Return the query as URL parameters (for the worker's report page)."""
        params = {"service": self.service, "severity": self.severity, "by": self.by}
        if self.since is not None:
            params["since"] = f"{int(self.since.total_seconds() // 3600)}h"
        return {k: v for k, v in params.items() if v}

    @classmethod
    def from_params(cls, params: dict[str, str]) -> ReportQuery:
        """Parse URL parameters; raises ``ValueError`` with a readable message."""
        by = params.get("by") or None
        if by is not None and by not in BUCKETS:
            msg = f"by must be one of day, week, month, got {by!r}"
            raise ValueError(msg)
        since = parse_since(params["since"]) if params.get("since") else None
        return cls(since, params.get("service") or None, params.get("severity") or None, by)  # type: ignore[arg-type]


def parse_since(text: str) -> timedelta:
    """Parse ``12h``, ``30d`` or ``8w``; raises ``ValueError`` for anything else."""
    match = _SINCE.match(text.strip())
    if not match or int(match.group(1)) == 0:
        msg = f"since must look like 12h, 30d or 8w, got {text!r}"
        raise ValueError(msg)
    return int(match.group(1)) * _UNITS[match.group(2)]


def report_rows(
    client: Client, query: ReportQuery, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Return MTTR rows over resolved incidents (``mttr.incidents FINAL``).

    Rows are ordered by bucket (newest first), then service, environment and
    severity. The measures are ``REPORT_MEASURES`` (streams.storage.measures;
    docs/metrics.md: means ignore missing values, quantiles are exact and
    interpolated).
    """
    conditions = ["status = 'resolved'"]
    params: dict[str, Any] = {}
    if query.since is not None:
        conditions.append("resolved_at >= {since:DateTime64(3, 'UTC')}")
        params["since"] = (now or datetime.now(UTC)) - query.since
    if query.service:
        conditions.append("service = {service:String}")
        params["service"] = query.service
    if query.severity:
        conditions.append("severity = {severity:String}")
        params["severity"] = query.severity
    bucket = f"{BUCKETS[query.by]} AS {query.by}, " if query.by else ""
    group = f"{query.by}, " if query.by else ""
    order = f"{query.by} DESC, " if query.by else ""
    sql = (
        f"SELECT {bucket}service, environment, severity, {select_list(REPORT_MEASURES)} "
        f"FROM mttr.incidents FINAL WHERE {' AND '.join(conditions)} "
        f"GROUP BY {group}service, environment, severity "
        f"ORDER BY {order}service, environment, severity"
    )
    result = client.query(sql, parameters=params)
    return [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]


def jsonable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return rows with dates as ISO strings (for JSON and CSV output)."""
    return [
        {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in row.items()}
        for row in rows
    ]
