"""``mttr report --section reviews|recurring`` on both engines, with hand-computed numbers.

Incidents (2026-03, UTC, production; the default review policy: critical and
high need a review within 7 days of resolved_at; fingerprints as sql/014):

==  =======  ========  ==========================  ==========================  =============
#   service  severity  started .. resolved         reviewed_at                 fingerprint
==  =======  ========  ==========================  ==========================  =============
1   api      critical  03-10 10:00 .. 10:30         03-12 10:30 (2 d, on time)  ApiDown
2   api      high      03-20 10:00 .. 11:00         -- (overdue since 03-27)    ApiDown
3   api      medium    03-21 08:00 .. 08:10         -- (none required)          ApiSlow
4   web      critical  03-05 12:00 .. 13:00         03-20 13:00 (15 d, late)    WebDown
==  =======  ========  ==========================  ==========================  =============

ApiDown recurs: 1 resolved 03-10 10:30, 2 started 03-20 10:00, a gap of
9 d 23 h 30 min = 862,200 s (within 30 days).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from streams.engine.incident import INCIDENT_COLUMNS
from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from streams.storage.learning import recurring_rows, review_rows
from streams.storage.report import ReportQuery
from tests.support.processes import mttr
from tests.support.report_history import incident_row

pytestmark = pytest.mark.integration


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def _incident(
    n: int, service: str, severity: str, span: tuple[datetime, datetime],
    reviewed: datetime | None, fingerprint: str,
) -> dict[str, Any]:  # fmt: skip
    started, resolved = span
    return incident_row(
        n, service, severity, started, status="resolved", resolved_at=resolved,
        ttr_seconds=(resolved - started).total_seconds(), reviewed_at=reviewed,
        time_to_review_seconds=None if reviewed is None else (reviewed - resolved).total_seconds(),
        fingerprint=fingerprint, completed=1,
    )  # fmt: skip


INCIDENTS = [
    _incident(1, "api", "critical", (at(10, 10), at(10, 10, 30)), at(12, 10, 30), "ApiDown"),
    _incident(2, "api", "high", (at(20, 10), at(20, 11)), None, "ApiDown"),
    _incident(3, "api", "medium", (at(21, 8), at(21, 8, 10)), None, "ApiSlow"),
    _incident(4, "web", "critical", (at(5, 12), at(5, 13)), at(20, 13), "WebDown"),
]
MARCH = "2026-03-01"
# (resolved, review_required, reviewed, reviewed_on_time, overdue, review_rate, median)
REVIEWS = {
    ("api", "critical"): (1, 1, 1, 1, 0, 1.0, 172_800.0),
    ("api", "high"): (1, 1, 0, 0, 1, 0.0, None),
    ("api", "medium"): (1, 0, 0, 0, 0, None, None),
    ("web", "critical"): (1, 1, 1, 0, 0, 1.0, 1_296_000.0),
}
REVIEW_MEASURES = ("resolved", "review_required", "reviewed", "reviewed_on_time", "overdue",
                   "review_rate", "median_time_to_review_seconds")  # fmt: skip


def _seed(settings: Settings) -> Settings:
    client = connect(settings)
    try:
        migrate(client, load_migrations())
        columns = list(INCIDENT_COLUMNS)
        client.insert(
            "mttr.incidents", [[r[c] for c in columns] for r in INCIDENTS], column_names=columns
        )
    finally:
        client.close()
    return settings


@pytest.fixture
def client(engine_settings: Settings):  # type: ignore[no-untyped-def]
    client = connect(_seed(engine_settings))
    yield client
    client.close()


def _reviews(rows: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[Any, ...]]:
    return {(r["service"], r["severity"]): tuple(r[m] for m in REVIEW_MEASURES) for r in rows}


def test_review_compliance_per_month_key_and_severity(client) -> None:  # type: ignore[no-untyped-def]
    rows = review_rows(client, ReportQuery(section="reviews"))
    assert [(str(r["month"]), r["service"], r["severity"]) for r in rows] == [
        (MARCH, "api", "critical"), (MARCH, "api", "high"), (MARCH, "api", "medium"),
        (MARCH, "web", "critical"),
    ]  # fmt: skip
    assert _reviews(rows) == REVIEWS
    high = review_rows(client, ReportQuery(service="api", severity="high", section="reviews"))
    assert _reviews(high) == {("api", "high"): REVIEWS[("api", "high")]}
    now = datetime(2026, 5, 10, tzinfo=UTC)  # 30 days before: April 10, the months from April
    assert review_rows(client, ReportQuery(timedelta(days=30), section="reviews"), now) == []
    assert len(review_rows(client, ReportQuery(timedelta(days=60), section="reviews"), now)) == 4


def test_recurring_failures_only_those_seen_more_than_once(client) -> None:  # type: ignore[no-untyped-def]
    rows = recurring_rows(client, ReportQuery(section="recurring"))
    got = [(r["service"], r["fingerprint"], r["incidents"], r["recurrences_30d"]) for r in rows]
    assert got == [("api", "ApiDown", 2, 1)]
    assert rows[0]["mttr_seconds"] == pytest.approx(2700.0)  # 1,800 and 3,600
    assert rows[0]["mean_time_between_seconds"] == pytest.approx(862_200.0)
    assert recurring_rows(client, ReportQuery(service="web", section="recurring")) == []
    now = datetime(2026, 3, 25, tzinfo=UTC)  # ApiDown last started 03-20
    assert (
        len(recurring_rows(client, ReportQuery(timedelta(days=7), section="recurring"), now)) == 1
    )
    assert recurring_rows(client, ReportQuery(timedelta(days=4), section="recurring"), now) == []


def test_the_command_prints_both_sections(engine_settings: Settings) -> None:
    settings = _seed(engine_settings)
    reviews = mttr("report", "--section", "reviews", "--via", "direct", settings=settings)
    assert reviews.returncode == 0, reviews.stderr
    line = next(x for x in reviews.stdout.splitlines() if "web" in x)
    cells = [cell.strip() for cell in line.strip("│ ").split("│")]
    assert cells == ["2026-03", "web", "production", "critical", "1", "1", "1", "0", "0",
                     "100%", "15d"]  # fmt: skip
    as_json = mttr("report", "--section", "reviews", "--format", "json", "--via", "direct",
                   settings=settings)  # fmt: skip
    assert _reviews(json.loads(as_json.stdout)) == REVIEWS
    recurring = mttr("report", "--section", "recurring", "--via", "direct", settings=settings)
    assert recurring.returncode == 0, recurring.stderr
    line = next(x for x in recurring.stdout.splitlines() if "ApiDown" in x)
    cells = [cell.strip() for cell in line.strip("│ ").split("│")]
    assert cells == ["api", "production", "ApiDown", "2", "1", "2026-03-20 10:00", "45m",
                     "9d 23h"]  # fmt: skip
    refused = mttr("report", "--section", "recurring", "--team", "x", settings=settings)
    assert refused.returncode == 2 and "--team does not apply" in refused.stderr
