"""The MTTR views against the model: by service and severity, daily / weekly / monthly
buckets, the rolling 30 days, MTBF, and the open incidents.

Definitions: docs/metrics.md, one section per view.

Each test runs once per snapshot state of the views (``MODES``: live,
refreshed, changed, rebuilt), on the databases built by ``db`` in
tests/integration/views/conftest.py; expectations come from the Python model
(tests/support/view_model.py), never from ClickHouse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from tests.support.view_database import Database, assert_same
from tests.support.view_model import (
    day_of,
    expected_bucketed,
    expected_by_service_severity,
    expected_mtbf,
    expected_rolling_30d,
    monday_of,
    month_of,
)

pytestmark = pytest.mark.integration


def test_mttr_by_service_severity(db: Database) -> None:
    actual = db.rows("mttr_by_service_severity", ("service", "environment", "severity"))
    assert_same(actual, expected_by_service_severity(db.history.current))


@pytest.mark.parametrize(
    ("view", "bucket_column", "bucket"),
    [
        ("mttr_daily", "day", day_of),
        ("mttr_weekly", "week", monday_of),
        ("mttr_monthly", "month", month_of),
    ],
)
def test_bucketed_views(
    db: Database, view: str, bucket_column: str, bucket: Callable[[datetime], date]
) -> None:
    actual = db.rows(view, (bucket_column, "service", "environment", "severity"))
    assert_same(actual, expected_bucketed(db.history.current, bucket))


def test_mttr_rolling_30d(db: Database) -> None:
    actual = db.rows("mttr_rolling_30d", ("day", "service", "environment", "severity"))
    expected = expected_rolling_30d(db.history.current)
    assert len(expected) > 1000
    assert_same(actual, expected)


def test_mtbf_by_service(db: Database) -> None:
    actual = db.rows("mtbf_by_service", ("service", "environment"))
    assert_same(actual, expected_mtbf(db.history.current))


def test_open_incidents(db: Database) -> None:
    before = datetime.now(UTC)
    actual = db.rows("open_incidents", ("incident_id",))
    after = datetime.now(UTC)
    columns = (
        "service",
        "environment",
        "severity",
        "category",
        "title",
        "started_at",
        "detected_at",
        "acknowledged_at",
    )
    open_now = [i for i in db.history.current if i["status"] == "open"]
    expected = {(i["incident_id"],): {c: i[c] for c in columns} for i in open_now}
    ages = {key: row.pop("age_seconds") for key, row in actual.items()}
    assert_same(actual, expected)
    for (incident_id,), age in ages.items():
        started = next(i["started_at"] for i in open_now if i["incident_id"] == incident_id)
        low = (before - started).total_seconds() - 2
        high = (after - started).total_seconds() + 2
        assert low <= age <= high, (incident_id, age, low, high)
