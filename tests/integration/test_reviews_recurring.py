"""Reviews and recurring failures on real ClickHouse: the hand-computed examples of docs/metrics.md.

The incidents are tests/support/review_cases.py (a postmortem three weeks
after the resolution, one exactly at the due time and one 1 ms after it, an
overdue review, one not yet due; recurrences exactly 30 days and 30 days +
1 ms after the previous resolution, an overlap, an open predecessor, a single
incident, the empty fingerprint). Every expected number is computed by hand,
also by the model of the view tests (tests/support/review_model.py), on both
engines. The review policy's defaults survive and a changed policy is kept
across ``mttr migrate``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from clickhouse_connect.driver.client import Client

from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from tests.support.paths import ROOT
from tests.support.review_cases import (
    COMPLIANCE,
    MEDIUM_REQUIRED,
    RECURRING,
    review_incidents,
    seed_reviews,
)
from tests.support.review_model import expected_compliance, expected_recurring
from tests.support.view_database import assert_same, view_rows

pytestmark = pytest.mark.integration

COMPLIANCE_KEY = ("month", "service", "environment", "severity")
RECURRING_KEY = ("service", "environment", "fingerprint")
ORDER = (
    "recurrences_30d DESC, incidents DESC, last_started_at DESC, service, environment, fingerprint"
)


def _policy(client: Client) -> list[tuple[str, int, int]]:
    rows = client.query(
        "SELECT severity, review_required, due_days FROM mttr.review_policy FINAL ORDER BY severity"
    ).result_rows
    return [tuple(row) for row in rows]


def test_hand_computed_reviews_and_recurrences(engine_settings: Settings) -> None:
    client = connect(engine_settings)
    try:
        migrate(client, load_migrations())
        now = datetime.now(UTC)
        seed_reviews(client, now)
        compliance = view_rows(client, "review_compliance", COMPLIANCE_KEY)
        june = {key: row for key, row in compliance.items() if key[0] == date(2026, 6, 1)}
        assert_same(june, COMPLIANCE)
        recent = now - timedelta(days=1)
        v = compliance[(date(recent.year, recent.month, 1), "shop", "prod", "critical")]
        assert (v["review_required"], v["reviewed"], v["overdue"]) == (1, 0, 0)  # not yet due
        assert v["review_rate"] == 0.0 and v["median_time_to_review_seconds"] is None
        assert_same(view_rows(client, "recurring_failures", RECURRING_KEY), RECURRING)
        # the independent model agrees with the hand-computed numbers
        incidents = review_incidents(now)
        model = expected_compliance(incidents, now)
        assert_same({key: row for key, row in model.items() if key in COMPLIANCE}, COMPLIANCE)
        assert_same(expected_recurring(incidents), RECURRING)
        ordered = client.query(
            f"SELECT fingerprint FROM mttr.recurring_failures ORDER BY {ORDER}"
        ).result_rows
        assert [row[0] for row in ordered] == ["HighErrorRate", "psp timeout for order #"]
    finally:
        client.close()


def test_the_policy_has_defaults_and_a_change_survives_migrate(engine_settings: Settings) -> None:
    client = connect(engine_settings)
    try:
        migrate(client, load_migrations())
        migrate(client, load_migrations())  # re-run: still one row per severity
        assert _policy(client) == [
            ("critical", 1, 7),
            ("high", 1, 7),
            ("low", 0, 7),
            ("medium", 0, 7),
        ]
        seed_reviews(client, datetime.now(UTC))
        client.command("INSERT INTO mttr.review_policy VALUES ('medium', 1, 14, now64(3))")
        migrate(client, load_migrations())  # the defaults come again, the change stays
        assert ("medium", 1, 14) in _policy(client)
        rows = view_rows(client, "review_compliance", COMPLIANCE_KEY)
        assert_same(
            {"medium": rows[(date(2026, 6, 1), "shop", "prod", "medium")]},
            {"medium": MEDIUM_REQUIRED},
        )
    finally:
        client.close()


def test_every_column_is_defined_in_the_docs(engine_settings: Settings) -> None:
    text = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    sections = {
        "review_compliance": text.split("## Reviews (postmortems)")[1].split("\n## ")[0],
        "recurring_failures": text.split("## Recurring failures")[1].split("\n## ")[0],
        "review_policy": text.split("## Reviews (postmortems)")[1].split("\n## ")[0],
    }
    client = connect(engine_settings)
    try:
        migrate(client, load_migrations())
        for view, section in sections.items():
            columns = [row[0] for row in client.query(f"DESCRIBE mttr.{view}").result_rows]
            assert columns and [c for c in columns if f"`{c}`" not in section] == [], view
    finally:
        client.close()
