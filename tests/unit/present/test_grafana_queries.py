"""Dashboard query expansion (tests/support/grafana_queries.py) against the plugin's own examples.

The expected strings come from the grafana-clickhouse-datasource sources:
src/data/CHDatasource.test.ts (conditionalAll, multi-value format) and
pkg/macros/macros.go / the plugin's macro documentation (time macros); the
percentencode format from Grafana's formatRegistry.ts (encodeURIComponentStrict).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.grafana_dashboards import TimeRange, Variable, custom_options, textbox
from tests.support.grafana_queries import (
    UnsupportedQueryError,
    apply_conditional_all,
    expand,
    expand_backend_macros,
    replace_variables,
)

TIME = TimeRange(
    datetime.fromtimestamp(1415792726, UTC), datetime.fromtimestamp(1447328726, UTC), 30
)
SQL = "select stuff from table where $__conditionalAll(fieldVal in ($fieldVal), $fieldVal);"


def variable(name: str, selected: tuple[str, ...] | None) -> dict[str, Variable]:
    return {name: Variable(name, ("val1", "val2", "val3"), selected)}


def test_conditional_all_is_1_eq_1_when_all_is_selected() -> None:
    result = apply_conditional_all(SQL, variable("fieldVal", None))
    assert result == "select stuff from table where 1=1;"


def test_conditional_all_keeps_the_condition_for_a_selection() -> None:
    result = apply_conditional_all(SQL, variable("fieldVal", ("val1", "val2")))
    assert result == "select stuff from table where fieldVal in ($fieldVal);"


def test_conditional_all_handles_every_occurrence_and_braced_names() -> None:
    sql = (
        "WHERE $__conditionalAll(a IN (${a:singlequote}), $a)"
        " AND $__conditionalAll(b IN ($b), ${b})"
    )
    variables = {"a": Variable("a", ("x", "y"), None), "b": Variable("b", ("x", "y"), ("y",))}
    assert apply_conditional_all(sql, variables) == "WHERE 1=1 AND b IN ($b)"


def test_multi_value_formats() -> None:
    variables = variable("v", ("val1", "it's"))
    assert replace_variables("x IN ($v)", variables) == "x IN ('val1','it's')"  # plugin format
    assert replace_variables("x IN (${v:singlequote})", variables) == "x IN ('val1','it\\'s')"
    assert replace_variables("x IN (${v:sqlstring})", variables) == "x IN ('val1','it''s')"
    assert replace_variables("x IN ([[v]])", variables) == "x IN ('val1','it's')"
    all_selected = variable("v", None)
    assert replace_variables("${v:csv}", all_selected) == "val1,val2,val3"


def test_time_macros() -> None:
    assert expand_backend_macros("WHERE $__timeFilter(time)", TIME) == (
        "WHERE time >= toDateTime(1415792726) AND time <= toDateTime(1447328726)"
    )
    assert expand_backend_macros("($__fromTime), ($__toTime)", TIME) == (
        "(toDateTime(1415792726)), (toDateTime(1447328726))"
    )
    assert expand_backend_macros("$__timeInterval(t), $__interval_s", TIME) == (
        "toStartOfInterval(toDateTime(t), INTERVAL 30 second), 30"
    )
    assert expand_backend_macros("$__timeFilter_ms(t)", TIME) == (
        "t >= fromUnixTimestamp64Milli(1415792726000)"
        " AND t <= fromUnixTimestamp64Milli(1447328726000)"
    )


def test_expand_runs_the_three_steps_in_order() -> None:
    sql = "SELECT 1 WHERE $__conditionalAll(s IN (${s:singlequote}), $s) AND $__timeFilter(t)"
    variables = {"s": Variable("s", ("a", "b"), ("b",))}
    assert expand(sql, variables, TIME) == (
        "SELECT 1 WHERE s IN ('b') AND t >= toDateTime(1415792726) AND t <= toDateTime(1447328726)"
    )


@pytest.mark.parametrize(
    "sql",
    [
        "$__timeGroup(t, 1h)",  # an sqlds default macro the dashboards do not use
        "t >= $__toTime AND s IN ('a')",  # older sqlds would take ('a') as arguments
        "$__timeFilter(toDate(t))",  # bracketed argument
        "x = ${v:json}",  # a format not modelled
        "x = $__interval",  # a Grafana built-in
    ],
)
def test_unmodelled_constructs_are_rejected(sql: str) -> None:
    with pytest.raises(UnsupportedQueryError):
        expand(sql, variable("v", None), TIME)


def test_custom_variable_options() -> None:
    assert custom_options("open, resolved") == ("open", "resolved")
    assert custom_options("Open : open,Resolved : resolved") == ("open", "resolved")


def test_percentencode_is_grafanas_strict_uri_encoding() -> None:
    # encodeURIComponent, plus ! ' ( ) * encoded; - _ . ~ and ASCII letters and digits kept
    value = {"v": textbox("v", "it's a\\b (1)*!~_.-é")}
    assert replace_variables("${v:percentencode}", value) == (
        "it%27s%20a%5Cb%20%281%29%2A%21~_.-%C3%A9"
    )
    # a multi-value selection is formatted like glob ({a,b}) first
    assert replace_variables("${v:percentencode}", variable("v", ("a b", "c"))) == "%7Ba%20b%2Cc%7D"


def test_a_textbox_is_a_string_and_empty_means_all() -> None:
    sql = "WHERE $__conditionalAll(x = ${v:singlequote}, $v)"
    assert apply_conditional_all(sql, {"v": textbox("v")}) == "WHERE 1=1"
    assert expand(sql, {"v": textbox("v", "it's")}, TIME) == "WHERE x = 'it\\'s'"
    assert replace_variables("$v", {"v": textbox("v", "a,b")}) == "a,b"  # the plugin keeps it
    assert textbox("v").current_value == ""
