"""``review_compliance`` and ``recurring_failures`` on the seeded history against the model.

docs/metrics.md, "Reviews (postmortems)" and "Recurring failures". Every
column of every row must equal tests/support/review_model.py, on both engines
and in every snapshot state (both views read live, so the state must not
matter). The history's fingerprints and postmortems come from
``add_reviews`` (older versions carry other values, so only ``FINAL`` gives
the right ones). ``overdue`` depends on the time of the query: the model is
computed at a time read from the server just before and just after it, and
the two must agree (every due time of the history lies months in the past).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.review_model import expected_compliance, expected_recurring, ms
from tests.support.view_database import Database, assert_same

pytestmark = pytest.mark.integration

COMPLIANCE_KEY = ("month", "service", "environment", "severity")
RECURRING_KEY = ("service", "environment", "fingerprint")


def test_the_history_covers_the_cases(db: Database) -> None:
    current = db.history.current
    rows = expected_recurring(current)
    assert any(r["fingerprint"] == "" for r in current)
    assert any(r["recurrences_30d"] == 0 for r in rows.values())
    assert any(r["mean_time_between_seconds"] is None for r in rows.values())
    assert any(r["recurrences_30d"] == 0 and r["incidents"] > 1 for r in rows.values())
    assert any(0 < r["recurrences_30d"] < r["incidents"] - 1 for r in rows.values())
    first = {r["incident_id"]: r for r in current if r["incident_id"] in ("inc-0000", "inc-0001")}
    assert first["inc-0001"]["started_at"] < first["inc-0000"]["resolved_at"]  # an overlap
    reviewed = [r for r in current if r["reviewed_at"] is not None and r["resolved_at"]]
    late = [ms(r["reviewed_at"]) - ms(r["resolved_at"]) for r in reviewed]
    assert 7 * 86_400_000 in late and 7 * 86_400_000 + 1 in late  # due exactly, 1 ms after
    assert any(r["time_to_review_seconds"] == 0.0 for r in reviewed)  # before the resolution
    older = [r for r in db.history.versions if r not in current]
    assert any(r["fingerprint"] != "" for r in older)


def test_review_compliance(db: Database) -> None:
    before = db.client.query("SELECT now64(3, 'UTC')").result_rows[0][0]
    actual = db.rows("review_compliance", COMPLIANCE_KEY)
    after = db.client.query("SELECT now64(3, 'UTC')").result_rows[0][0]
    expected = expected_compliance(db.history.current, before)
    assert expected == expected_compliance(db.history.current, after + timedelta(seconds=1))
    assert_same(actual, expected)
    totals = {c: sum(r[c] for r in expected.values()) for c in ("overdue", "reviewed_on_time")}
    assert totals["overdue"] > 0 and totals["reviewed_on_time"] > 0
    assert any(r["review_rate"] is None for r in expected.values())


def test_recurring_failures(db: Database) -> None:
    actual = db.rows("recurring_failures", RECURRING_KEY)
    assert_same(actual, expected_recurring(db.history.current))
