"""The chDB of the view tests, and the comparison of a view's rows with the model's.

``Database`` holds one client with the seeded history (tests/support/view_history.py)
loaded in one snapshot mode; ``rows()`` (``view_rows()`` on any client) reads a view
keyed by its group columns.
``assert_same()`` compares two result sets keyed by group: same groups, same
columns, same values (floats to 1e-9 relative).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client

from tests.support.view_history import History


@dataclass
class Database:
    client: Client
    history: History
    mode: str

    def rows(self, view: str, key: tuple[str, ...]) -> dict[tuple[Any, ...], dict[str, Any]]:
        return view_rows(self.client, view, key)


def view_rows(
    client: Client, view: str, key: tuple[str, ...]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Return the rows of ``mttr.VIEW`` keyed by the ``key`` columns (each group once)."""
    result = client.query(f"SELECT * FROM mttr.{view}")
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in result.named_results():
        group = tuple(row.pop(k) for k in key)
        assert group not in rows, f"{view}: duplicate group {group}"
        rows[group] = row
    return rows


# --- comparison ----------------------------------------------------------------


def assert_same(actual: dict[Any, dict[str, Any]], expected: dict[Any, dict[str, Any]]) -> None:
    """Compare two result sets keyed by group: same groups, same columns, same values."""
    assert expected, "the model produced no rows: the test data is broken"
    missing = sorted(set(expected) - set(actual), key=str)
    extra = sorted(set(actual) - set(expected), key=str)
    assert not missing and not extra, f"missing groups {missing[:5]}, extra groups {extra[:5]}"
    problems = []
    for key, want in expected.items():
        got = actual[key]
        assert set(got) == set(want), f"{key}: columns {sorted(got)} != {sorted(want)}"
        for column, value in want.items():
            if isinstance(value, float):
                ok = isinstance(got[column], float) and got[column] == pytest.approx(
                    value, rel=1e-9, abs=1e-6
                )
            else:
                ok = got[column] == value
            if not ok:
                problems.append(f"{key} {column}: got {got[column]!r}, expected {value!r}")
    assert not problems, f"{len(problems)} mismatches:\n" + "\n".join(problems[:20])
