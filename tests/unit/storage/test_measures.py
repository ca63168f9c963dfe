"""streams/storage/measures.py is the one definition of the MTTR measures.

The views (sql/*.sql) cannot import Python, so their SQL text is parsed here:
every ``expression AS name`` a view selects under the name of a measure must
be that measure's expression (whitespace normalised), and the Python queries
(``report_rows``, the HTML report) must select exactly what the views select.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from streams.present.html_report.data import collect
from streams.present.summary import REPORT_DURATIONS
from streams.storage.clickhouse import load_migrations
from streams.storage.measures import BY_NAME, MEASURES, REPORT_MEASURES, measures, select_list
from streams.storage.report import BUCKETS, COLUMNS, ReportQuery, report_rows

_VIEW = re.compile(r"^CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+([\w.]+)\s+AS\s", re.I)
_SELECT = re.compile(r"\bSELECT\b", re.I)
_ITEM = re.compile(r"^(?:DISTINCT\s+)?(.+?)\s+AS\s+(\w+)$", re.I | re.S)


def normalise(sql: str) -> str:
    """Collapse whitespace runs to one space and drop spaces inside brackets."""
    sql = re.sub(r"\s+", " ", sql).strip()
    return re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", sql))


def _top_level(sql: str) -> list[tuple[int, int]]:
    """Return (position, bracket depth) of each character outside quotes."""
    depth, quote, out = 0, "", []
    for i, char in enumerate(sql):
        if quote:
            quote = "" if char == quote else quote
            continue
        if char in "'\"`":
            quote = char
            continue
        depth += char == "("
        depth -= char == ")"
        out.append((i, depth))
    return out


def select_items(sql: str) -> list[tuple[str, str]]:
    """Return ``(name, expression)`` of every aliased item of every SELECT list in ``sql``.

    A SELECT list runs from ``SELECT`` to the ``FROM`` at the same bracket
    depth (or to the bracket closing its subquery); items are split at commas
    at that depth. Quoted text is never split and never opens a bracket.
    """
    sql = normalise(sql)
    depth_at = dict(_top_level(sql))
    items: list[tuple[str, str]] = []
    for match in _SELECT.finditer(sql):
        if match.start() not in depth_at:
            continue
        level, start = depth_at[match.start()], match.end()
        pieces, piece_start, end = [], start, len(sql)
        for i in range(start, len(sql)):
            if i not in depth_at:
                continue
            if depth_at[i] < level:
                end = i
                break
            if depth_at[i] == level and sql[i] == ",":
                pieces.append(sql[piece_start:i])
                piece_start = i + 1
            elif depth_at[i] == level and re.match(r"FROM\b", sql[i:], re.I) and sql[i - 1] == " ":
                end = i
                break
        pieces.append(sql[piece_start:end])
        for piece in pieces:
            item = _ITEM.match(piece.strip())
            if item:
                items.append((item.group(2), item.group(1)))
    return items


def view_definitions() -> dict[str, str]:
    """Return the effective definition of every view: the last one of sql/*.sql in file order."""
    views: dict[str, str] = {}
    for migration in load_migrations():
        for statement in migration.statements:
            match = _VIEW.match(statement)
            if match:
                views[match.group(1)] = statement
    return views


VIEWS = view_definitions()
VIEW_MEASURES = [
    pytest.param(view, name, expression, id=f"{view}.{name}")
    for view, statement in VIEWS.items()
    for name, expression in select_items(statement)
    if name in BY_NAME
]


def measure_names(view: str) -> list[str]:
    return [name for name, _ in select_items(VIEWS[view]) if name in BY_NAME]


# --- the parser ------------------------------------------------------------------------------


def test_select_items_handles_nesting_quotes_and_subqueries() -> None:
    sql = """SELECT a AS x, f(b, ')', (SELECT 1 AS inner)) AS y,
                 quantileExactInclusive(0.5)(  c  ) AS z
             FROM (SELECT DISTINCT g(d, 'FROM') AS w FROM t) WHERE 1"""
    assert sorted(select_items(sql)) == [
        ("inner", "1"),
        ("w", "g(d, 'FROM')"),
        ("x", "a"),
        ("y", "f(b, ')', (SELECT 1 AS inner))"),
        ("z", "quantileExactInclusive(0.5)(c)"),
    ]


def test_every_view_is_found() -> None:
    assert {"mttr.mttr_by_service_severity_live", "mttr.mttr_daily_live",
            "mttr.security_mttr_live", "mttr.mttr_rolling_30d_live"} <= set(VIEWS)  # fmt: skip
    assert len(VIEW_MEASURES) >= 30


# --- the views against measures.py ---------------------------------------------------------


@pytest.mark.parametrize(("view", "name", "expression"), VIEW_MEASURES)
def test_view_measure_is_the_python_definition(view: str, name: str, expression: str) -> None:
    """Changing a measure in sql/ without measures.py (or the reverse) fails here."""
    assert normalise(expression) == normalise(BY_NAME[name].expression), (
        f"{view} defines {name} as {expression!r}; streams/storage/measures.py says "
        f"{BY_NAME[name].expression!r}"
    )


def test_measures_are_those_of_mttr_by_service_severity_in_its_order() -> None:
    assert measure_names("mttr.mttr_by_service_severity_live") == [m.name for m in MEASURES]


@pytest.mark.parametrize("bucket", sorted(BUCKETS))
def test_report_measures_are_those_of_the_bucketed_views(bucket: str) -> None:
    view = f"mttr.mttr_{'daily' if bucket == 'day' else bucket + 'ly'}_live"
    assert measure_names(view) == [m.name for m in REPORT_MEASURES]
    assert dict(select_items(VIEWS[view]))[bucket] == normalise(BUCKETS[bucket])


def test_measure_lookup_and_select_list() -> None:
    assert measures("p99_seconds", "incidents") == (BY_NAME["p99_seconds"], BY_NAME["incidents"])
    assert select_list(measures("incidents", "mttr_seconds")) == (
        "count() AS incidents, avg(ttr_seconds) AS mttr_seconds"
    )
    assert len(BY_NAME) == len(MEASURES)
    with pytest.raises(KeyError):
        measures("mean_seconds")


def test_report_columns_and_durations_follow_the_measures() -> None:
    assert COLUMNS == ("service", "environment", "severity", *(m.name for m in REPORT_MEASURES))
    assert REPORT_DURATIONS == tuple(m.name for m in REPORT_MEASURES if m.name != "incidents")


# --- the Python queries select what the views select ----------------------------------------


class _Result:
    def __init__(self, sql: str) -> None:
        self.column_names: tuple[str, ...] = ()
        self.result_rows: list[tuple[Any, ...]] = []
        if "count() AS n" in sql:
            self.column_names, self.result_rows = ("n",), [(0,)]
        elif "GROUP BY" not in sql and "mttr.incidents" in sql:
            self.column_names, self.result_rows = ("mttr_seconds",), [(None,)]


class RecordingClient:
    def __init__(self) -> None:
        self.queries: list[str] = []

    def query(self, sql: str, parameters: dict[str, Any] | None = None) -> _Result:
        self.queries.append(sql)
        return _Result(sql)


def _measure_items(sql: str) -> list[tuple[str, str]]:
    return [(name, expr) for name, expr in select_items(sql) if name in BY_NAME]


@pytest.mark.parametrize("by", [None, *sorted(BUCKETS)])
def test_report_rows_selects_the_view_measures(by: Any) -> None:
    client = RecordingClient()
    report_rows(client, ReportQuery(timedelta(days=7), "checkout", "high", by))
    (sql,) = client.queries
    daily = _measure_items(VIEWS["mttr.mttr_daily_live"])
    assert _measure_items(sql) == daily
    if by is not None:
        assert (by, normalise(BUCKETS[by])) in select_items(sql)


def test_html_report_selects_the_view_measures() -> None:
    client = RecordingClient()
    collect(client, ReportQuery(), datetime(2026, 3, 9, tzinfo=UTC))
    resolved = [sql for sql in client.queries if "status = 'resolved'" in sql]
    assert len(resolved) == 5  # weekly, monthly, headline, severity, per team
    daily = _measure_items(VIEWS["mttr.mttr_daily_live"])
    for sql in resolved:
        assert _measure_items(sql) == daily, sql
