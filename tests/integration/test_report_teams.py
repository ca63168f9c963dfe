"""``report_rows`` per team and for one team, on both engines, with hand-computed numbers.

``api`` is owned by ``payments`` from the beginning and by ``platform`` from
2026-03-15 00:00 UTC; ``web`` is owned by nobody. An incident belongs to the
owner at its ``started_at`` (docs/metrics.md, "Per team"): api#3 started on
03-14 23:00 and resolved after the change of owner, so it stays ``payments``'.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from streams.engine.incident import INCIDENT_COLUMNS
from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from streams.storage.report import ReportQuery, report_rows
from tests.support.report_history import incident_row

pytestmark = pytest.mark.integration

T = datetime(2026, 3, 1, tzinfo=UTC)


def resolved(n: int, service: str, started: datetime, seconds: float) -> dict:
    return incident_row(
        n,
        service,
        "critical",
        started,
        status="resolved",
        resolved_at=started + timedelta(seconds=seconds),
        ttr_seconds=seconds,
    )


INCIDENTS = [
    resolved(1, "api", datetime(2026, 3, 10, 10, tzinfo=UTC), 1800),
    resolved(2, "api", datetime(2026, 3, 20, 10, tzinfo=UTC), 3600),
    resolved(3, "api", datetime(2026, 3, 14, 23, tzinfo=UTC), 7200),
    resolved(4, "web", datetime(2026, 3, 12, 8, tzinfo=UTC), 600),
]
OWNERS = [
    ("api", "payments", datetime(1970, 1, 1, tzinfo=UTC)),
    ("api", "platform", datetime(2026, 3, 15, tzinfo=UTC)),
]


@pytest.fixture
def client(engine_settings: Settings):  # type: ignore[no-untyped-def]
    client = connect(engine_settings)
    migrate(client, load_migrations())
    columns = list(INCIDENT_COLUMNS)
    client.insert(
        "mttr.incidents", [[r[c] for c in columns] for r in INCIDENTS], column_names=columns
    )
    client.insert(
        "mttr.service_owners",
        [[s, team, at, "file", T, 0] for s, team, at in OWNERS],
        column_names=["service", "team", "valid_from", "source", "loaded_at", "is_deleted"],
    )
    yield client
    client.close()


def test_by_team_groups_each_incident_under_its_owner_at_its_start(client) -> None:  # type: ignore[no-untyped-def]
    rows = report_rows(client, ReportQuery(by="team"))
    got = {
        row["team"]: (row["incidents"], row["mttr_seconds"], row["p50_seconds"], row["p90_seconds"])
        for row in rows
    }
    assert got == {
        "(unowned)": (1, 600.0, 600.0, 600.0),
        "payments": (2, 4500.0, 4500.0, pytest.approx(6660.0)),  # api#1, api#3: 1800 + 0.9 x 5400
        "platform": (1, 3600.0, 3600.0, 3600.0),
    }
    assert all("service" not in row for row in rows)
    assert {(row["environment"], row["severity"]) for row in rows} == {("production", "critical")}


def test_one_team_and_the_unowned_services(client) -> None:  # type: ignore[no-untyped-def]
    platform = report_rows(client, ReportQuery(team="platform"))
    assert [(r["service"], r["incidents"], r["mttr_seconds"]) for r in platform] == [
        ("api", 1, 3600.0)
    ]
    unowned = report_rows(client, ReportQuery(team="(unowned)"))
    assert [(r["service"], r["incidents"]) for r in unowned] == [("web", 1)]
    by_week = report_rows(client, ReportQuery(team="payments", by="week"))
    assert [(str(r["week"]), r["incidents"]) for r in by_week] == [
        ("2026-03-09", 2)  # api#1 resolved 03-10, api#3 on 03-15 01:00 (Sunday)
    ]
    assert report_rows(client, ReportQuery(team="nobody")) == []
