"""``mttr.availability_monthly`` on the seeded history against the independent model.

Every column of every row of every month before the current one must equal
tests/support/availability_model.py, on both engines and in every snapshot
state (the view reads live, so the state must not matter). The seeded history
ends in February 2026 but holds open incidents, whose downtime runs until now:
the months after the history are whole months of downtime for some keys. The
current month depends on the time of the query, so it is checked against the
model at a time read from the server just before and just after the query.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.support.availability_model import OBJECTIVES, expected_availability
from tests.support.view_database import Database, assert_same, view_rows

pytestmark = pytest.mark.integration

KEY = ("month", "service", "environment")


def _read(db: Database) -> tuple[dict[Any, dict[str, Any]], Any, Any]:
    before = db.client.query("SELECT now64(3, 'UTC')").result_rows[0][0]
    rows = view_rows(db.client, "availability_monthly", KEY)
    after = db.client.query("SELECT now64(3, 'UTC')").result_rows[0][0]
    return rows, before, after


def test_the_history_covers_the_cases(db: Database) -> None:
    _, now, _ = _read(db)
    current = db.history.current
    expected = expected_availability(current, now)
    counted = [row for (month, _, _), row in expected.items() if month < date(2026, 3, 1)]
    assert sum(row["downtime_seconds"] > 0 for row in counted) >= 10
    assert any(row["budget_consumed_ratio"] and row["budget_consumed_ratio"] > 1 for row in counted)
    assert any(row["objective"] is None for row in counted)
    assert any(row["availability"] == 1.0 and row["objective"] for row in counted)
    # an incident across a month boundary, an open one, and an overlap within a key
    availability = [i for i in current if i["category"] == "availability"]
    assert any(
        i["resolved_at"] and i["resolved_at"].month != i["started_at"].month for i in availability
    )
    assert any(i["status"] == "open" for i in availability)
    assert {(s, e) for s, e, *_ in OBJECTIVES} >= {("ledger", "prod"), ("ledger", "staging")}


def test_availability_monthly(db: Database) -> None:
    actual, before, after = _read(db)
    this_month = date(before.year, before.month, 1)
    assert date(after.year, after.month, 1) == this_month, "the month turned during the test"
    early = expected_availability(db.history.current, before)
    late = expected_availability(db.history.current, after)
    assert set(actual) == set(early)
    past = {key: row for key, row in actual.items() if key[0] < this_month}
    assert_same(past, {key: row for key, row in early.items() if key[0] < this_month})
    for key in (key for key in actual if key[0] == this_month):
        got, low, high = actual[key], early[key], late[key]
        assert low["downtime_seconds"] <= got["downtime_seconds"] <= high["downtime_seconds"], key
        for column in ("team", "objective", "min_severity", "error_budget_seconds"):
            assert got[column] == low[column], (key, column)


def test_a_month_without_downtime_has_its_whole_budget(db: Database) -> None:
    actual, before, _ = _read(db)
    ledger = {key: row for key, row in actual.items() if key[1] == "ledger"}
    this_month = date(before.year, before.month, 1)
    assert min(key[0] for key in ledger if key[2] == "prod") == date(2026, 1, 1)
    assert [key[0] for key in ledger if key[2] == "staging"] == [this_month]
    january = ledger[(date(2026, 1, 1), "ledger", "prod")]
    assert january["downtime_seconds"] == 0.0
    assert january["availability"] == 1.0
    assert january["error_budget_seconds"] == pytest.approx(267.84)  # 0.01 % of 31 days
    assert january["budget_remaining_seconds"] == january["error_budget_seconds"]
    assert january["budget_consumed_ratio"] == 0.0
