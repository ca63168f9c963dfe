"""Static checks of the provisioned dashboards (no Grafana, no ClickHouse).

tests/integration/dashboards/ runs every query on chDB; this module
checks what needs no engine: the query model of the ClickHouse plugin (v4),
the datasource, the variables, the layout, and that incidents and events are
read with FINAL.
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
)
from tests.support.grafana_queries import VARIABLE

DASHBOARDS = load_dashboards()
EXPECTED_UIDS = {"mttr-overview", "mttr-incident-drilldown"}
FILTER_VARIABLES = ("service", "environment", "severity")
QUERY_TYPE = {FORMAT_TIME_SERIES: "timeseries", FORMAT_TABLE: "table"}
# A ReplacingMergeTree table read without FINAL would count re-written rows twice.
WITHOUT_FINAL = re.compile(
    r"\bmttr\.(incidents|events|severity_targets)\b(?!\s+(?:AS\s+\w+\s+)?FINAL\b)", re.I
)


def by_dashboard() -> list[Any]:
    return [pytest.param(d, id=d["uid"]) for d in DASHBOARDS.values()]


def test_both_dashboards_are_provisioned() -> None:
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


@pytest.mark.parametrize("dashboard", by_dashboard())
def test_variables_are_multi_value_with_all(dashboard: dict[str, Any]) -> None:
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert set(FILTER_VARIABLES) <= set(variables), f"{dashboard['uid']}: filter variables"
    for name, variable in variables.items():
        where = f"{dashboard['uid']}: ${name}"
        assert variable["multi"] is True and variable["includeAll"] is True, where
        # "All" must mean every option: a custom allValue would bypass the IN lists
        assert not variable.get("allValue"), f"{where}: no custom allValue"
        assert variable["current"]["value"] == ["$__all"], f"{where}: defaults to All"
        assert variable["type"] in ("query", "custom"), where
        if variable["type"] == "query":
            assert variable["datasource"] == DATASOURCE, where
            assert isinstance(variable["query"], str) and "SELECT" in variable["query"], where
            assert not WITHOUT_FINAL.search(variable["query"]), f"{where}: read with FINAL"


@pytest.mark.parametrize("dashboard", by_dashboard())
def test_queries_reference_only_defined_variables(dashboard: dict[str, Any]) -> None:
    defined = {v["name"] for v in dashboard["templating"]["list"]}
    used: set[str] = set()
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            for match in VARIABLE.finditer(target["rawSql"]):
                name = match.group(1) or match.group(2) or match.group(4)
                if not name.startswith("__"):
                    used.add(name)
    assert used <= defined, f"{dashboard['uid']}: undefined variables {used - defined}"
    unused = set(FILTER_VARIABLES) - used
    assert not unused, f"{dashboard['uid']}: variables no panel uses: {unused}"
