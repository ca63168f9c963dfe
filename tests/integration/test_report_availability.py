"""``mttr report --section availability`` on both engines, with hand-computed numbers.

The history is tests/support/availability_cases.py (docs/metrics.md works
through the same months): ``shop``/``prod`` has 0.999 (high or worse) from
the beginning and 0.9995 (medium or worse) from 2026-09-01; ``search``/``prod``
has no objective. shop is owned by payments, by storefront from 2026-07-15
(the owner at a month's start: storefront from August); search by nobody.
Months after November 2026 depend on today's date and are checked by rule.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from streams.devtools.processes import stop_process
from streams.settings import Settings
from streams.storage.availability import availability_rows, objective_count
from streams.storage.clickhouse import connect, load_migrations, migrate
from streams.storage.report import ReportQuery
from streams.storage.sections import section_answer
from tests.support.availability_cases import seed_availability
from tests.support.processes import mttr, start_worker, wait_http

pytestmark = pytest.mark.integration

LOADED = datetime(2026, 6, 1, tzinfo=UTC)
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)
OBJECTIVES = [
    ("shop", "prod", 0.999, "high", BEGINNING),
    ("shop", "prod", 0.9995, "medium", datetime(2026, 9, 1, tzinfo=UTC)),
]
OWNERS = [
    ("shop", "payments", BEGINNING),
    ("shop", "storefront", datetime(2026, 7, 15, tzinfo=UTC)),
]
DAYS_30, DAYS_31 = 30 * 86_400, 31 * 86_400
# (team, downtime, availability, objective, budget, consumed, remaining, ratio)
EXPECTED = {
    # a and b overlap (10:00-10:50, 3,000 s); e's June part 23:00-24:00 (3,600 s); budget 0.1 %
    (date(2026, 6, 1), "shop"): ("payments", 6600.0, 1 - 6600 / DAYS_30, 0.999,
                                 2592.0, 6600.0, 2592.0 - 6600, 6600 / 2592),
    # s: one hour, no objective: no budget columns
    (date(2026, 6, 1), "search"): ("(unowned)", 3600.0, 1 - 3600 / DAYS_30, None,
                                   None, None, None, None),
    # e's July part 00:00-01:00:00.500 (f inside it); the owner at 07-01 is still payments
    (date(2026, 7, 1), "shop"): ("payments", 3600.5, 1 - 3600.5 / DAYS_31, 0.999,
                                 2678.4, 3600.5, 2678.4 - 3600.5, 3600.5 / 2678.4),
    (date(2026, 7, 1), "search"): ("(unowned)", 0.0, 1.0, None, None, None, None, None),
    (date(2026, 8, 1), "shop"): ("storefront", 0.0, 1.0, 0.999, 2678.4, 0.0, 2678.4, 0.0),
    # 0.9995 from 09-01 and medium counts: g's hour against 0.05 % of 30 days
    (date(2026, 9, 1), "shop"): ("storefront", 3600.0, 1 - 3600 / DAYS_30, 0.9995,
                                 1296.0, 3600.0, 1296.0 - 3600, 3600 / 1296),
    # h open since 10-01 00:00: the whole month down
    (date(2026, 10, 1), "shop"): ("storefront", float(DAYS_31), 0.0, 0.9995,
                                  1339.2, float(DAYS_31), 1339.2 - DAYS_31, 2000.0),
}  # fmt: skip
MEASURES = ("team", "downtime_seconds", "availability", "objective", "error_budget_seconds",
            "budget_consumed_seconds", "budget_remaining_seconds",
            "budget_consumed_ratio")  # fmt: skip


def _seed(settings: Settings, objectives: bool = True) -> Settings:
    client = connect(settings)
    try:
        migrate(client, load_migrations())
        seed_availability(client)
        if objectives:
            client.insert(
                "mttr.availability_objectives",
                [[s, e, o, m, at, "file", LOADED, 0] for s, e, o, m, at in OBJECTIVES],
                column_names=["service", "environment", "objective", "min_severity",
                              "valid_from", "source", "loaded_at", "is_deleted"],
            )  # fmt: skip
        client.insert(
            "mttr.service_owners",
            [[s, team, at, "file", LOADED, 0] for s, team, at in OWNERS],
            column_names=["service", "team", "valid_from", "source", "loaded_at", "is_deleted"],
        )
    finally:
        client.close()  # chDB: one process at a time; the CLI runs as another
    return settings


def _key(row: dict[str, Any]) -> tuple[date, str]:
    month = row["month"]
    return (month if isinstance(month, date) else date.fromisoformat(month), row["service"])


def _measures(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[name] for name in MEASURES)


def _approx(expected: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(pytest.approx(v) if isinstance(v, float) else v for v in expected)


@pytest.fixture
def client(engine_settings: Settings):  # type: ignore[no-untyped-def]
    client = connect(_seed(engine_settings))
    yield client
    client.close()


def test_every_month_service_and_environment_newest_first(client) -> None:  # type: ignore[no-untyped-def]
    rows = availability_rows(client, ReportQuery(section="availability"))
    keys = [_key(row) for row in rows]
    assert keys == sorted(keys, key=lambda k: (-k[0].toordinal(), k[1]))
    assert {row["environment"] for row in rows} == {"prod"}
    got = {_key(row): row for row in rows}
    for key, expected in EXPECTED.items():
        assert _measures(got[key]) == _approx(expected), key
    # from November on h keeps shop down: no availability, the budget overspent
    later = [row for (month, service), row in got.items()
             if service == "shop" and month >= date(2026, 11, 1)]  # fmt: skip
    assert later and all(row["availability"] == 0.0 for row in later)
    assert all(row["budget_remaining_seconds"] < 0 for row in later)
    assert objective_count(client) == 2


def test_service_team_and_since_filter_the_months(client) -> None:  # type: ignore[no-untyped-def]
    def keys(query: ReportQuery, now: datetime | None = None) -> set[tuple[date, str]]:
        return {_key(row) for row in availability_rows(client, query, now)}

    search = keys(ReportQuery(service="search", section="availability"))
    assert {service for _, service in search} == {"search"}
    assert (date(2026, 6, 1), "search") in search
    assert keys(ReportQuery(team="(unowned)", section="availability")) == search
    # storefront owns shop from 07-15: the months from August are its, July is payments'
    storefront = keys(ReportQuery(team="storefront", section="availability"))
    assert min(storefront) == (date(2026, 8, 1), "shop")
    assert keys(ReportQuery(team="payments", section="availability")) == {
        (date(2026, 6, 1), "shop"), (date(2026, 7, 1), "shop")
    }  # fmt: skip
    # 60 days before 09-15 is 07-17: the months from July overlap the window
    now = datetime(2026, 9, 15, tzinfo=UTC)
    since = keys(ReportQuery(since=timedelta(days=60), section="availability"), now)
    assert min(month for month, _ in since) == date(2026, 7, 1)
    assert (date(2026, 7, 1), "search") in since and (date(2026, 6, 1), "shop") not in since
    # the last full month and this one
    latest = {month for month, _ in keys(ReportQuery(section="availability"))}
    two = availability_rows(client, ReportQuery(section="availability"), months=2)
    assert {_key(row)[0] for row in two} == set(sorted(latest)[-2:])


def test_the_answer_is_the_same_json_through_either_path(client) -> None:  # type: ignore[no-untyped-def]
    answer = section_answer(client, ReportQuery(service="shop", section="availability"))
    assert answer["objectives"] == 2
    june = [row for row in answer["rows"] if row["month"] == "2026-06-01"]
    assert [_measures(row) for row in june] == [_approx(EXPECTED[(date(2026, 6, 1), "shop")])]
    json.dumps(answer)  # JSON as it is


def test_the_command_prints_the_table_json_and_refuses_what_does_not_apply(
    engine_settings: Settings,
) -> None:
    settings = _seed(engine_settings)
    args = ("report", "--section", "availability", "--via", "direct")
    table = mttr(*args, "--service", "shop", settings=settings)
    assert table.returncode == 0, table.stderr
    out = table.stdout
    assert "Availability and error budgets by month, service and environment" in out
    june = next(line for line in out.splitlines() if "2026-06" in line)
    # 6,600 s down: 1h 50m; 1 - 6600/2592000 = 99.745%; budget 43m 12s; 255% spent
    cells = [cell.strip() for cell in june.strip("│ ").split("│")]
    assert cells == ["2026-06", "shop", "prod", "payments", "1h 50m", "99.745%", "99.9%",
                     "43m 12s", "1h 50m (255%)", "-1h 6m"]  # fmt: skip
    assert "No availability objectives" not in out
    rows = json.loads(mttr(*args, "--format", "json", settings=settings).stdout)
    assert {_key(row): _measures(row) for row in rows if _key(row) in EXPECTED} == {
        key: _approx(expected) for key, expected in EXPECTED.items()
    }
    csv_out = mttr(*args, "--format", "csv", "--team", "payments", settings=settings).stdout
    assert csv_out.splitlines()[0].startswith("month,service,environment,team,downtime_seconds")
    assert len(csv_out.splitlines()) == 3  # June and July
    refused = mttr(*args, "--severity", "high", settings=settings)
    assert refused.returncode == 2 and "--severity does not apply" in refused.stderr
    refused = mttr(*args, "--html", "x.html", settings=settings)
    assert refused.returncode == 2 and "--html" in refused.stderr


def test_without_objectives_a_hint_and_empty_budgets(engine_settings: Settings) -> None:
    settings = _seed(engine_settings, objectives=False)
    args = ("report", "--section", "availability", "--via", "direct", "--service", "shop")
    table = mttr(*args, settings=settings)
    assert table.returncode == 0, table.stderr
    assert "No availability objectives loaded" in " ".join(table.stdout.split())
    as_json = mttr(*args, "--format", "json", settings=settings)
    assert "No availability objectives loaded" in as_json.stderr
    rows = json.loads(as_json.stdout)
    assert rows and all(row["objective"] is None for row in rows)
    june = next(row for row in rows if row["month"] == "2026-06-01")
    assert june["downtime_seconds"] == pytest.approx(6600.0)  # high or worse without objective


@pytest.mark.slow
def test_through_the_worker_the_same_rows_as_directly(
    storage_settings: Settings, tmp_path: Path
) -> None:
    settings = _seed(storage_settings)
    args = ("report", "--section", "availability", "--format", "json")
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        wait_http(f"http://{settings.web_host}:{settings.web_port}/mttr/status/")
        via_worker = mttr(*args, "--via", "worker", "--team", "storefront", settings=settings)
    finally:
        assert stop_process(worker) == 0
    assert via_worker.returncode == 0, via_worker.stderr
    direct = mttr(*args, "--via", "direct", "--team", "storefront", settings=settings)
    rows, directly = json.loads(via_worker.stdout), json.loads(direct.stdout)
    # the current month grows with the time of the query (h is open): the others are equal
    current = max(row["month"] for row in rows)
    assert [r for r in rows if r["month"] < current] == [
        r for r in directly if r["month"] < current
    ]
    assert [r["month"] for r in rows] == [r["month"] for r in directly]
    assert min(_key(row) for row in rows) == (date(2026, 8, 1), "shop")
