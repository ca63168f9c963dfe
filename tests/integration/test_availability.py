"""Availability and error budgets on real ClickHouse: `mttr objectives`, ``availability_monthly``.

The history is tests/support/availability_cases.py (overlapping incidents, one
across the June/July boundary, one contained in another, one below the
minimum severity, one of another category, a deleted one, an open one since
October 2026). Every expected number is computed by hand from its table
(docs/metrics.md works through the same months). The months after November
2026 depend on today's date: they are checked by rule, not by number.
"""

from __future__ import annotations

import calendar
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from streams.settings import Settings
from streams.storage.clickhouse import connect
from tests.support.availability_cases import (
    OBJECTIVES_CSV,
    OBJECTIVES_YAML,
    OWNERS_YAML,
    seed_availability,
)
from tests.support.processes import mttr
from tests.support.reference_loads import post_load, running_worker, seeded, write_file
from tests.support.view_database import assert_same, view_rows

pytestmark = pytest.mark.integration

COLUMNS = ("team", "downtime_seconds", "availability", "objective", "min_severity",
           "error_budget_seconds", "budget_consumed_seconds", "budget_remaining_seconds",
           "budget_consumed_ratio")  # fmt: skip
DAYS_30, DAYS_31 = 30 * 86_400, 31 * 86_400  # months of 30 and 31 days, in seconds
SHOP = {
    # a and b overlap: 10:00-10:50 is 3,000 s; e's June part 23:00-24:00 is 3,600 s
    date(2026, 6, 1): ("payments", 6600.0, 1 - 6600 / DAYS_30, 0.999, "high",
                       2592.0, 6600.0, 2592.0 - 6600, 6600 / 2592),
    # e's July part 00:00-01:00:00.500; f lies inside it; the owner at 07-01 is payments
    date(2026, 7, 1): ("payments", 3600.5, 1 - 3600.5 / DAYS_31, 0.999, "high",
                       2678.4, 3600.5, 2678.4 - 3600.5, 3600.5 / 2678.4),
    # no downtime: availability 1, the whole budget left
    date(2026, 8, 1): ("storefront", 0.0, 1.0, 0.999, "high", 2678.4, 0.0, 2678.4, 0.0),
    # 0.9995 from 09-01, medium counts: g's hour; budget 0.05 % of 30 days
    date(2026, 9, 1): ("storefront", 3600.0, 1 - 3600 / DAYS_30, 0.9995, "medium",
                       1296.0, 3600.0, 1296.0 - 3600, 3600 / 1296),
    # h open since 10-01 00:00: the whole month down
    date(2026, 10, 1): ("storefront", float(DAYS_31), 0.0, 0.9995, "medium",
                        1339.2, float(DAYS_31), 1339.2 - DAYS_31, 2000.0),
    date(2026, 11, 1): ("storefront", float(DAYS_30), 0.0, 0.9995, "medium",
                        1296.0, float(DAYS_30), 1296.0 - DAYS_30, 2000.0),
}  # fmt: skip
SEARCH_JUNE = ("", 3600.0, 1 - 3600 / DAYS_30, None, "high", None, None, None, None)


def _monthly(settings: Settings) -> tuple[dict[Any, dict[str, Any]], Any, Any]:
    client = connect(settings)
    try:
        before = client.query("SELECT now64(3, 'UTC')").result_rows[0][0]
        rows = view_rows(client, "availability_monthly", ("month", "service", "environment"))
        after = client.query("SELECT now64(3, 'UTC')").result_rows[0][0]
        return rows, before, after
    finally:
        client.close()


def _run(settings: Settings, command: str, *args: str) -> str:
    result = mttr(command, *args, settings=settings)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _check_months(settings: Settings) -> None:
    rows, before, after = _monthly(settings)
    this_month = date(before.year, before.month, 1)
    assert this_month >= date(2026, 12, 1), "the hand-computed months must lie in the past"
    shop = {k[0]: v for k, v in rows.items() if k[1:] == ("shop", "prod")}
    search = {k[0]: v for k, v in rows.items() if k[1:] == ("search", "prod")}
    assert set(rows) == {(m, *key) for key, months in (
        (("shop", "prod"), shop), (("search", "prod"), search)) for m in months}  # fmt: skip
    assert_same(
        {month: shop[month] for month in SHOP},
        {month: dict(zip(COLUMNS, values, strict=True)) for month, values in SHOP.items()},
    )
    june = date(2026, 6, 1)
    assert_same({june: search[june]}, {june: dict(zip(COLUMNS, SEARCH_JUNE, strict=True))})
    months = sorted(shop)
    assert months[0] == date(2026, 6, 1) and months[-1] == this_month
    assert sorted(search) == months  # every month through the current one
    for month in months[6:]:  # December 2026 on: h still open, the whole time down
        row = shop[month]
        assert row["availability"] == 0.0 and row["objective"] == 0.9995
        if month < this_month:
            continue
        # the current month: the budget is the whole month's, the downtime so far
        start = before.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        low, high = (before - start).total_seconds(), (after - start).total_seconds()
        assert low <= row["downtime_seconds"] <= high
        days = calendar.monthrange(month.year, month.month)[1]
        assert row["error_budget_seconds"] == pytest.approx(0.0005 * days * 86_400)
    for month in months[1:]:
        assert search[month]["downtime_seconds"] == 0.0
        assert search[month]["availability"] == 1.0


def test_hand_computed_months_from_a_loaded_file(engine_settings: Settings, tmp_path: Path) -> None:
    settings = seeded(engine_settings, seed_availability)
    objectives = write_file(tmp_path, "objectives.yaml", OBJECTIVES_YAML)
    assert _run(settings, "objectives", "load", "--via", "direct", objectives).strip() == (
        "Loaded objectives.yaml as source 'file': 2 added, 0 changed, 0 removed, 0 unchanged"
    )
    owners = write_file(tmp_path, "owners.yaml", OWNERS_YAML)
    _run(settings, "owners", "load", "--via", "direct", owners)
    _check_months(settings)
    # the same objectives as CSV: nothing to write
    same = write_file(tmp_path, "objectives.csv", OBJECTIVES_CSV)
    assert "0 added, 0 changed, 0 removed, 2 unchanged" in _run(
        settings, "objectives", "load", "--via", "direct", same
    )
    listed = json.loads(_run(settings, "objectives", "list", "--via", "direct", "--format", "json"))
    periods = [(r["objective"], r["min_severity"], r["valid_from"], r["valid_until"])
               for r in listed]  # fmt: skip
    assert periods == [
        (0.999, "high", "1970-01-01T00:00:00Z", "2026-09-01T00:00:00Z"),
        (0.9995, "medium", "2026-09-01T00:00:00Z", "2100-01-01T00:00:00Z"),
    ]


def test_without_objectives_every_month_still_has_downtime_and_availability(
    engine_settings: Settings,
) -> None:
    settings = seeded(engine_settings, seed_availability)
    rows, _, _ = _monthly(settings)
    june = rows[(date(2026, 6, 1), "shop", "prod")]
    assert june["downtime_seconds"] == 6600.0  # min_severity defaults to high
    assert june["objective"] is None and june["budget_remaining_seconds"] is None
    assert june["team"] == ""


def test_an_invalid_file_loads_nothing(engine_settings: Settings, tmp_path: Path) -> None:
    settings = seeded(engine_settings, seed_availability)
    bad = write_file(
        tmp_path,
        "bad.csv",
        "service,environment,objective,valid_from\nshop,prod,99.9,\nshop,prod,0.999,\n",
    )
    result = mttr("objectives", "load", "--via", "direct", bad, settings=settings)
    assert result.returncode == 1
    assert f"error: {bad}:2: objective: must be a fraction between 0 and 1" in result.stderr
    assert "error: 1 problems in bad.csv; nothing loaded" in result.stderr
    rows, _, _ = _monthly(settings)
    assert rows[(date(2026, 6, 1), "shop", "prod")]["objective"] is None


@pytest.mark.slow
def test_loading_through_a_running_worker_that_holds_chdb(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    settings = seeded(isolated_settings, seed_availability)
    with running_worker(settings, tmp_path / "worker.log"):
        objectives = write_file(tmp_path, "objectives.yaml", OBJECTIVES_YAML)
        assert _run(settings, "objectives", "load", objectives).strip() == (
            "Loaded objectives.yaml as source 'file' through the worker: "
            "2 added, 0 changed, 0 removed, 0 unchanged"
        )
        listed = _run(settings, "objectives", "list", "--via", "worker", "--format", "csv")
        assert listed.splitlines()[1].startswith("shop,prod,0.999,high,1970-01-01T00:00:00Z,")
        body = b'{"source": "file", "rows": [{"service": "shop", "environment": "prod", '
        status, answer = post_load(settings, "/mttr/objectives/", body + b'"objective": 1}]}')
        assert status == 400
        assert answer["problems"] == [
            "rows[0]: objective: must be a fraction between 0 and 1 with at most 6 decimals, "
            "e.g. 0.999 for 99.9%"
        ]
        _run(settings, "owners", "load", write_file(tmp_path, "owners.yaml", OWNERS_YAML))
    _check_months(settings)
