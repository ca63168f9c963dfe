"""Every panel query of every provisioned dashboard, run on chDB against the seeded data.

Each target's ``rawSql`` is expanded as Grafana and the ClickHouse plugin
expand it (tests/support/grafana_queries.py) with the variables set to All, to
one value and to two values (a textbox stays empty), and must return rows. Time-series targets must
return a time column first, sorted ascending, then numbers, optionally with
string label columns; a column named like a filter variable holds only
selected values, and no incident is listed twice. The drill-down and the
overview list exactly the expected incidents: those of the selected teams by
the owner at started_at (tests/support/dashboard_seed.py ``owner()``). docs/dashboards.md.

The database (seeded once, tests/support/dashboard_seed.py) and the variables'
options come from the package fixtures ``db`` and ``options`` in
tests/integration/dashboards/conftest.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.dashboard_seed import Database, owner
from tests.support.grafana_dashboards import (
    FORMAT_TIME_SERIES,
    PanelQuery,
    Variable,
    load_dashboards,
    named_query,
    panel_queries,
)

pytestmark = pytest.mark.integration

QUERIES = panel_queries(load_dashboards())
SELECTIONS = ("all", "one", "two")
TIME_TYPES = {"Date", "Date32", "DateTime", "DateTime64"}
NUMERIC_PREFIXES = ("Int", "UInt", "Float", "Decimal", "Bool")
STRING_TYPES = {"String", "FixedString"}


def selected_variables(
    dashboard_options: dict[str, tuple[str, ...]], selection: str
) -> dict[str, Variable]:
    """Return every variable set to All, to its first option or to its first two."""
    count = {"all": None, "one": 1, "two": 2}[selection]
    return {
        name: Variable(name, values, None if count is None else values[:count])
        for name, values in dashboard_options.items()
    }


# --- every panel ---------------------------------------------------------------------


def base_type(column_type: Any) -> str:
    return str(column_type.base_type)


def is_numeric(column_type: Any) -> bool:
    return base_type(column_type).startswith(NUMERIC_PREFIXES)


def check_time_series(name: str, result: Any) -> None:
    """Check a format-0 result: time first (ascending), then numbers or string labels."""
    types = [base_type(t) for t in result.column_types]
    assert types[0] in TIME_TYPES, f"{name}: first column {types[0]}, expected a time"
    times = [row[0] for row in result.result_rows]
    assert None not in times, f"{name}: NULL time"
    assert times == sorted(times), f"{name}: rows must be sorted by time"
    rest = list(zip(result.column_names[1:], result.column_types[1:], strict=True))
    numeric = [column for column, kind in rest if is_numeric(kind)]
    other = [(c, base_type(k)) for c, k in rest if not is_numeric(k)]
    assert numeric, f"{name}: no numeric column"
    assert all(kind in STRING_TYPES for _, kind in other), f"{name}: columns {other}"


@pytest.mark.parametrize("selection", SELECTIONS)
@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_panel_query_returns_data(
    db: Database, options: dict[str, Any], query: PanelQuery, selection: str
) -> None:
    variables = selected_variables(options[query.dashboard], selection)
    result = db.run(query, variables)
    name = f"{query.name} ({selection})"
    assert result.row_count > 0, f"{name}: no rows"
    numeric = [i for i, t in enumerate(result.column_types) if is_numeric(t)]
    values = [row[i] for row in result.result_rows for i in numeric]
    assert any(v is not None for v in values), f"{name}: no numeric value"
    if query.target["format"] == FORMAT_TIME_SERIES:
        check_time_series(name, result)
    for column, variable in variables.items():
        if column in result.column_names:
            shown = set(result.result_columns[result.column_names.index(column)])
            assert shown <= set(variable.values), f"{name}: {column} {shown} not selected"
    if "incident_id" in result.column_names:
        ids = result.result_columns[result.column_names.index("incident_id")]
        assert len(ids) == len(set(ids)), f"{name}: an incident listed twice"


def matches(row: dict[str, Any], variables: dict[str, Variable]) -> bool:
    """Return whether an incident row passes the filters; its team: the owner at started_at."""
    row = dict(row, team=owner(row["service"], row["started_at"]))
    return all(row[name] in v.values for name, v in variables.items() if name in row)


@pytest.mark.parametrize("selection", SELECTIONS)
def test_drilldown_lists_every_current_incident_once(
    db: Database, options: dict[str, Any], selection: str
) -> None:
    uid = "mttr-incident-drilldown"
    variables = selected_variables(options[uid], selection)
    result = db.run(named_query(uid, "Incidents"), variables)
    listed = result.result_columns[result.column_names.index("incident_id")]
    expected = {r["incident_id"] for r in db.seed.current if matches(r, variables)}
    assert sorted(listed) == sorted(expected)
    summary = db.run(named_query(uid, "Incidents in the time range"), variables)
    assert summary.first_item["incidents"] == len(expected)


@pytest.mark.parametrize("selection", SELECTIONS)
def test_overview_counts_open_incidents_once(
    db: Database, options: dict[str, Any], selection: str
) -> None:
    uid = "mttr-overview"
    variables = selected_variables(options[uid], selection)
    expected = {
        r["incident_id"] for r in db.seed.current if r["status"] == "open" and matches(r, variables)
    }
    count = db.run(named_query(uid, "Open incidents"), variables)
    assert count.first_item["open_incidents"] == len(expected) > 0
    listed = db.run(named_query(uid, "Open incidents, oldest first"), variables)
    assert sorted(listed.result_columns[0]) == sorted(expected)
