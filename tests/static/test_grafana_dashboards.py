"""Static checks of the provisioned dashboards (no Grafana, no ClickHouse).

tests/integration/dashboards/ runs every query on chDB; this module
checks what needs no engine: the query model of the ClickHouse plugin (v4),
the datasource, the variables, the layout, that incidents and events are
read with FINAL, that every query only reads, and that every panel applies the
team filter with the owner looked up at the right time (docs/dashboards.md).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.grafana_dashboards import (
    DATASOURCE,
    FORMAT_TABLE,
    FORMAT_TIME_SERIES,
    load_dashboards,
    panel_queries,
    panels,
    textbox,
)
from tests.support.grafana_queries import VARIABLE, apply_conditional_all

DASHBOARDS = load_dashboards()
# Every variable of each dashboard, in order; each must be used by some panel.
EXPECTED_VARIABLES = {
    "mttr-overview": ("team", "service", "environment", "severity"),
    "mttr-incident-drilldown": (
        "team", "service", "environment", "severity", "status", "incident",
    ),
    "mttr-dora": ("team", "environment"),
}  # fmt: skip
EXPECTED_UIDS = set(EXPECTED_VARIABLES)
TEXT_VARIABLES = {"incident"}  # textboxes: empty means all
QUERY_TYPE = {FORMAT_TIME_SERIES: "timeseries", FORMAT_TABLE: "table"}
# A ReplacingMergeTree table read without FINAL would count re-written rows twice.
WITHOUT_FINAL = re.compile(
    r"\bmttr\.(incidents|events|severity_targets|service_owners)\b"
    r"(?!\s+(?:AS\s+\w+\s+)?FINAL\b)",
    re.I,
)
WRITES = re.compile(
    r"\b(INSERT|ALTER|CREATE|DROP|TRUNCATE|RENAME|OPTIMIZE|SYSTEM|GRANT|REVOKE|KILL|DELETE|UPDATE"
    r"|ATTACH|DETACH|EXCHANGE|SET\s+ROLE)\b",
    re.I,
)
# The team filter, on the owner looked up (o.team) or on a per-team view's column (m.team).
TEAM_FILTER = re.compile(
    r"\$__conditionalAll\(coalesce\(nullIf\((o|m)\.team, ''\), '\(unowned\)'\)"
    r" IN \(\$\{team:singlequote\}\), \$team\)"
)
# The owner lookup of sql/012, and when each kind of row is owned (docs/ownership.md).
OWNER_LOOKUP = re.compile(
    r"ASOF LEFT JOIN mttr\.service_owner_periods AS o\s+"
    r"ON o\.service = (\w+)\.service AND \1\.(\w+) >= o\.valid_from\b"
)
OWNED_AT = {  # alias: (what it must read, the time its owner is looked up at)
    "i": (r"mttr\.(open_)?incidents AS i\b", "started_at"),
    "e": (r"mttr\.events AS e FINAL\b", "occurred_at"),
    "d": (r"mttr\.events FINAL\s+WHERE type = 'deploy' AND status = 'succeeded'.*?\) AS d\b",
          "deployed_at"),
    "l": (r"mttr\.change_lead_times AS l\b", "landed_at"),
}  # fmt: skip
PER_TEAM_VIEW = re.compile(r"\bmttr\.dora_monthly_by_team AS m\b")


def by_dashboard() -> list[Any]:
    return [pytest.param(d, id=d["uid"]) for d in DASHBOARDS.values()]


def test_every_dashboard_is_provisioned() -> None:
    uids = [d["uid"] for d in DASHBOARDS.values()]
    assert sorted(uids) == sorted(EXPECTED_UIDS), f"dashboard uids {uids}"
    titles = [d["title"] for d in DASHBOARDS.values()]
    assert len(set(titles)) == len(titles), f"duplicate titles {titles}"


@pytest.mark.parametrize("dashboard", by_dashboard())
def test_dashboard_settings(dashboard: dict[str, Any]) -> None:
    assert dashboard["schemaVersion"] >= 41, "schemaVersion older than Grafana 12's"
    assert dashboard["timezone"] == "utc", "buckets are UTC: show UTC"
    assert "mttr" in dashboard["tags"], "the dashboards link each other by the tag mttr"
    assert dashboard.get("editable") is False, "provisioned read-only"
    assert {"from", "to"} <= set(dashboard["time"])


@pytest.mark.parametrize("dashboard", by_dashboard())
def test_panels_use_the_provisioned_datasource(dashboard: dict[str, Any]) -> None:
    ids = [p["id"] for p in panels(dashboard)]
    assert len(set(ids)) == len(ids), f"duplicate panel ids {ids}"
    for panel in panels(dashboard):
        if panel["type"] == "row":
            continue
        where = f"{dashboard['uid']}: {panel['title']!r}"
        assert panel.get("datasource") == DATASOURCE, f"{where}: panel datasource"
        assert panel.get("targets"), f"{where}: no query"
        refs = [t["refId"] for t in panel["targets"]]
        assert len(set(refs)) == len(refs), f"{where}: duplicate refIds {refs}"
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["w"] > 0 and grid["x"] + grid["w"] <= 24, where
        assert grid["h"] > 0 and grid["y"] >= 0, where


@pytest.mark.parametrize("query", panel_queries(DASHBOARDS), ids=lambda q: q.name)
def test_targets_follow_the_plugin_query_model(query: Any) -> None:
    target = query.target
    assert target.get("datasource") == DATASOURCE, f"{query.name}: target datasource"
    assert target.get("editorType") == "sql", f"{query.name}: editorType must be sql"
    assert target.get("format") in QUERY_TYPE, f"{query.name}: format 0 (series) or 1 (table)"
    assert target.get("queryType") == QUERY_TYPE[target["format"]], f"{query.name}: queryType"
    sql = target.get("rawSql", "")
    assert sql.strip(), f"{query.name}: empty rawSql"
    assert not WITHOUT_FINAL.search(sql), f"{query.name}: read mttr tables with FINAL"
    assert ";" not in sql, f"{query.name}: one statement, no trailing semicolon"
    assert sql.lstrip().upper().startswith(("SELECT", "WITH")), f"{query.name}: a SELECT"
    assert not WRITES.search(sql), f"{query.name}: read-only: {WRITES.search(sql)}"


@pytest.mark.parametrize("query", panel_queries(DASHBOARDS), ids=lambda q: q.name)
def test_every_panel_filters_by_the_owner_at_the_right_time(query: Any) -> None:
    sql = query.target["rawSql"]
    filters = TEAM_FILTER.findall(sql)
    assert len(filters) == 1, f"{query.name}: one team filter expected, found {filters}"
    lookups = OWNER_LOOKUP.findall(sql)
    if filters[0] == "m":  # the view already looked the owners up
        assert PER_TEAM_VIEW.search(sql) and not lookups, f"{query.name}: m is the per-team view"
        return
    assert len(lookups) == 1, f"{query.name}: one owner lookup expected, found {lookups}"
    alias, column = lookups[0]
    assert alias in OWNED_AT, f"{query.name}: owner looked up for {alias!r}"
    source, owned_at = OWNED_AT[alias]
    assert re.search(source, sql, re.S), f"{query.name}: {alias} must read {source}"
    assert column == owned_at, f"{query.name}: owner at {column}, expected {owned_at}"


@pytest.mark.parametrize("dashboard", by_dashboard())
def test_variables_are_multi_value_with_all(dashboard: dict[str, Any]) -> None:
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert tuple(variables) == EXPECTED_VARIABLES[dashboard["uid"]], dashboard["uid"]
    for name, variable in variables.items():
        where = f"{dashboard['uid']}: ${name}"
        if name in TEXT_VARIABLES:
            assert variable["type"] == "textbox", where
            assert variable["current"]["value"] == "" == variable["query"], f"{where}: empty"
            continue
        assert variable["multi"] is True and variable["includeAll"] is True, where
        # "All" must mean every option: a custom allValue would bypass the IN lists
        assert not variable.get("allValue"), f"{where}: no custom allValue"
        assert variable["current"]["value"] == ["$__all"], f"{where}: defaults to All"
        assert variable["type"] in ("query", "custom"), where
        if variable["type"] == "query":
            assert variable["datasource"] == DATASOURCE, where
            assert isinstance(variable["query"], str) and "SELECT" in variable["query"], where
            assert not WITHOUT_FINAL.search(variable["query"]), f"{where}: read with FINAL"
            assert not WRITES.search(variable["query"]), f"{where}: read-only"


def test_the_team_variable_is_the_same_everywhere() -> None:
    teams = [
        next(v for v in d["templating"]["list"] if v["name"] == "team") for d in DASHBOARDS.values()
    ]
    assert all(t == teams[0] for t in teams), "one definition of $team"
    assert "mttr.service_owner_periods" in teams[0]["query"], "teams from the ownership"
    assert teams[0]["sort"] == 0, "keep the query's order: teams, then (unowned)"


@pytest.mark.parametrize("dashboard", by_dashboard())
def test_queries_reference_only_defined_variables(dashboard: dict[str, Any]) -> None:
    defined = {v["name"] for v in dashboard["templating"]["list"]}
    used: set[str] = set()
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            sql = target["rawSql"]
            for match in VARIABLE.finditer(sql):
                name = match.group(1) or match.group(2) or match.group(4)
                if not name.startswith("__"):
                    used.add(name)
            for name in TEXT_VARIABLES & defined:
                # a textbox is only read inside $__conditionalAll(..., $name): empty means all
                outside = apply_conditional_all(sql, {name: textbox(name)})
                assert f"${name}" not in outside and f"{{{name}" not in outside, name
    assert used <= defined, f"{dashboard['uid']}: undefined variables {used - defined}"
    unused = defined - used
    assert not unused, f"{dashboard['uid']}: variables no panel uses: {unused}"
