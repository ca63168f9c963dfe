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

Section = Literal["mttr", "availability", "reviews", "recurring"]
SECTIONS: tuple[Section, ...] = ("mttr", "availability", "reviews", "recurring")
"""What ``mttr report --section`` can show (``streams.storage.sections`` answers each)."""
Bucket = Literal["day", "week", "month"]
By = Literal["day", "week", "month", "team"]
UNOWNED = "(unowned)"
"""How the team of unowned services (stored as ``''``) is shown, and may be asked for."""
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
TEAM_COLUMNS: tuple[str, ...] = ("team", *COLUMNS[1:])
"""Columns of ``report_rows()`` grouped ``by`` team (the team, never a service)."""
WITH_TEAM = (
    "(SELECT i.*, ifNull(o.team, '') AS team "
    "FROM (SELECT * FROM mttr.incidents FINAL WHERE status = 'resolved') AS i "
    "ASOF LEFT JOIN mttr.service_owner_periods AS o "
    "ON o.service = i.service AND i.started_at >= o.valid_from)"
)
"""Resolved incidents with the team that owned the service at ``started_at`` (docs/ownership.md)."""


@dataclass(frozen=True)
class ReportQuery:
    """What to report: a time window, optional filters and an optional time bucket or team.

    ``team`` filters on the owner at each incident's start (``(unowned)`` for
    services nobody owned); ``by="team"`` groups by that owner instead of by service.
    ``section`` says what is reported (``SECTIONS``): MTTR by default; the
    other sections take the filters that apply to them (``streams.storage.sections``).
    """

    since: timedelta | None = None
    service: str | None = None
    severity: str | None = None
    by: By | None = None
    team: str | None = None
    section: Section = "mttr"

    @property
    def columns(self) -> tuple[str, ...]:
        """Return the columns of this query's rows, the bucket first."""
        if self.by == "team":
            return TEAM_COLUMNS
        return ((self.by,) if self.by else ()) + COLUMNS

    def as_params(self) -> dict[str, str]:
        """Return the query as URL parameters (for the worker's report page)."""
        params = {
            "service": self.service,
            "severity": self.severity,
            "by": self.by,
            "team": self.team,
            "section": None if self.section == "mttr" else self.section,
        }
        if self.since is not None:
            params["since"] = f"{int(self.since.total_seconds() // 3600)}h"
        return {k: v for k, v in params.items() if v}

    @classmethod
    def from_params(cls, params: dict[str, str]) -> ReportQuery:
        """Parse URL parameters; raises ``ValueError`` with a readable message."""
        by = params.get("by") or None
        if by is not None and by not in (*BUCKETS, "team"):
            msg = f"by must be one of day, week, month, team, got {by!r}"
            raise ValueError(msg)
        section = params.get("section") or "mttr"
        if section not in SECTIONS:
            msg = f"section must be one of {', '.join(SECTIONS)}, got {section!r}"
            raise ValueError(msg)
        since = parse_since(params["since"]) if params.get("since") else None
        return cls(
            since,
            params.get("service") or None,
            params.get("severity") or None,
            by,  # type: ignore[arg-type]
            params.get("team") or None,
            section,
        )


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

    Rows are ordered by bucket (newest first), then service (or team),
    environment and severity. The measures are ``REPORT_MEASURES`` (streams.storage.measures;
    docs/metrics.md: means ignore missing values, quantiles are exact and
    interpolated).
    """
    conditions = ["status = 'resolved'"]
    params: dict[str, Any] = {}
    source = "mttr.incidents FINAL"
    if query.team is not None or query.by == "team":
        source = WITH_TEAM
    if query.team is not None:
        conditions.append("team = {team:String}")
        params["team"] = "" if query.team == UNOWNED else query.team
    if query.since is not None:
        conditions.append("resolved_at >= {since:DateTime64(3, 'UTC')}")
        params["since"] = (now or datetime.now(UTC)) - query.since
    if query.service:
        conditions.append("service = {service:String}")
        params["service"] = query.service
    if query.severity:
        conditions.append("severity = {severity:String}")
        params["severity"] = query.severity
    owner = query.by == "team"
    timed = query.by if query.by in BUCKETS else None
    bucket = f"{BUCKETS[timed]} AS {timed}, " if timed else ""
    group = f"{timed}, " if timed else ""
    order = f"{timed} DESC, " if timed else ""
    who = "team" if owner else "service"
    sql = (
        f"SELECT {bucket}{who}, environment, severity, {select_list(REPORT_MEASURES)} "
        f"FROM {source} WHERE {' AND '.join(conditions)} "
        f"GROUP BY {group}{who}, environment, severity "
        f"ORDER BY {order}{who}, environment, severity"
    )
    result = client.query(sql, parameters=params)
    rows = [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
    if owner:
        for row in rows:
            row["team"] = row["team"] or UNOWNED
    return rows


def jsonable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return rows with dates as ISO strings (for JSON and CSV output)."""
    return [
        {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in row.items()}
        for row in rows
    ]
