"""Pure shaping of query rows into the HTML report's chart data (no I/O).

The queries return one row per (bucket, group). The charts want one value
per week on a continuous week axis, so a week without incidents is a gap in
a line (``None``) or an empty bar (``0``), never a missing x position.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from schemas.events import SEVERITIES


def plain(value: Any) -> Any:
    """Return ``value`` as JSON-able: ISO strings for dates, None for NaN and infinities."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def week_axis(weeks: Iterable[str]) -> list[str]:
    """Return every Monday from the first to the last of ``weeks`` (ISO dates), in order.

    ``weeks`` holds Mondays as ``YYYY-MM-DD`` in any order, with repeats; the
    result has no gaps. An empty input gives an empty axis.
    """
    mondays = sorted({date.fromisoformat(week) for week in weeks})
    if not mondays:
        return []
    count = (mondays[-1] - mondays[0]).days // 7 + 1
    return [(mondays[0] + timedelta(weeks=n)).isoformat() for n in range(count)]


def weekly_series(
    rows: Iterable[dict[str, Any]], axis: Sequence[str], fields: Sequence[str], fill: Any = None
) -> dict[str, list[Any]]:
    """Return ``{field: [value per week of axis]}`` from rows that carry a ``week``.

    Weeks without a row get ``fill``; a row whose week is not on the axis is ignored.
    """
    position = {week: n for n, week in enumerate(axis)}
    series: dict[str, list[Any]] = {field: [fill] * len(axis) for field in fields}
    for row in rows:
        n = position.get(row["week"])
        if n is not None:
            for field in fields:
                series[field][n] = row[field]
    return series


def by_severity(
    rows: Iterable[dict[str, Any]], axis: Sequence[str], fields: Sequence[str], fill: Any = None
) -> dict[str, dict[str, list[Any]]]:
    """Return ``{severity: weekly_series(...)}`` for each severity present, most severe first.

    Known severities come in the order of ``schemas.events.SEVERITIES``;
    unknown ones follow, alphabetically.
    """
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["severity"], []).append(row)
    order = [s for s in SEVERITIES if s in groups] + sorted(set(groups) - set(SEVERITIES))
    return {severity: weekly_series(groups[severity], axis, fields, fill) for severity in order}


def overall_change_failure(months: Iterable[dict[str, Any]]) -> float | None:
    """Return failed / succeeded deploys over all months; None without deploys."""
    rows = list(months)
    deployments = sum(row["deployments"] for row in rows)
    failed = sum(row["failed_deployments"] for row in rows)
    return failed / deployments if deployments else None
