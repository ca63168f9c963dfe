"""schemas.events.SEVERITIES is the one definition of the severity order.

Python imports it; what cannot (the ``Severity`` Literal, SQL in sql/*.sql
and in the Grafana dashboards, the simulator's per-severity tables) is
checked against it here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, get_args

import pytest

from schemas.events import SEVERITIES, SEVERITY_RANK, Severity
from streams.devtools.simulate import REPAIR, SEVERITY_MIX, TICKET_PROBABILITY
from streams.present.html_report import shape
from streams.storage.clickhouse import load_migrations
from streams.storage.measures import severity_order
from tests.support.grafana_dashboards import load_dashboards

_LITERAL = re.compile(r"'([^'\\]*)'")


def test_literal_spells_the_severities_in_order() -> None:
    assert get_args(Severity) == SEVERITIES


def test_rank_is_derived_from_the_order() -> None:
    assert SEVERITY_RANK == {"low": 0, "medium": 1, "high": 2, "critical": 3}
    assert sorted(SEVERITIES, key=SEVERITY_RANK.__getitem__, reverse=True) == list(SEVERITIES)


def test_python_users_share_the_tuple() -> None:
    assert shape.SEVERITIES is SEVERITIES


def test_simulator_tables_cover_every_severity_in_order() -> None:
    assert tuple(name for name, _ in SEVERITY_MIX) == SEVERITIES
    assert tuple(REPAIR) == SEVERITIES
    assert tuple(TICKET_PROBABILITY) == SEVERITIES


# --- SQL that names severities -------------------------------------------------------------


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def sql_texts() -> list[Any]:
    """Every SQL statement and every dashboard string that names two severities or more."""
    texts = [
        (f"{migration.name}#{n}", statement)
        for migration in load_migrations()
        for n, statement in enumerate(migration.statements, start=1)
    ]
    texts += [
        (f"{name}#{n}", text)
        for name, dashboard in load_dashboards().items()
        for n, text in enumerate(_strings(dashboard), start=1)
    ]
    return [
        pytest.param(text, id=where)
        for where, text in texts
        if len({s for s in _LITERAL.findall(text) if s in SEVERITIES}) >= 2
    ]


SQL_TEXTS = sql_texts()


def test_sql_naming_severities_is_found() -> None:
    """The severity targets (sql/006) and both dashboards' severity variables."""
    assert len(SQL_TEXTS) >= 5


@pytest.mark.parametrize("text", SQL_TEXTS)
def test_sql_names_severities_in_order(text: str) -> None:
    """A multiIf/CASE/indexOf (or any list) over severities follows SEVERITIES."""
    named = [s for s in _LITERAL.findall(text) if s in SEVERITIES]
    assert named == sorted(named, key=SEVERITIES.index), text


def test_every_severity_has_a_default_target() -> None:
    (statement,) = [
        s
        for migration in load_migrations()
        for s in migration.statements
        if s.startswith("INSERT INTO mttr.severity_targets")
    ]
    assert tuple(s for s in _LITERAL.findall(statement) if not s.startswith("1970")) == SEVERITIES


def test_dashboard_severity_variables_sort_most_severe_first() -> None:
    queries = [
        variable["query"]
        for dashboard in load_dashboards().values()
        for variable in dashboard["templating"]["list"]
        if variable["name"] == "severity"
    ]
    assert len(queries) == 2
    for query in queries:
        assert query.endswith(f"ORDER BY {severity_order()}"), query


def test_severity_order_key() -> None:
    assert severity_order() == "indexOf(['critical', 'high', 'medium', 'low'], severity), severity"
    assert severity_order("i.severity").startswith("indexOf(['critical', ")
