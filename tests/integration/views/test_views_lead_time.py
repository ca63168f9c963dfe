"""Lead time for changes: the worked example of docs/metrics.md, "Lead time for changes",
and the new ``dora_monthly`` columns of its month (failed deployment recovery included).

The events are real contract JSON decoded and turned into rows as the worker does
(tests/support/lead_time_cases.py, service ``api``; the other cases of that module
have services of their own and are checked in test_views_lead_time_cases.py). Every
expected value below is computed by hand from the docs, nothing is taken from the code
under test. Runs on both engines (embedded chDB, a ClickHouse server).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.clickhouse_engines import ENGINES
from tests.support.lead_time_cases import Reads, keyed, read_cases, stamped

pytestmark = pytest.mark.integration

KEY = ("service", "environment", "change_id")
LEAD_COLUMNS = (
    "commit_sha", "first_commit_at", "landed_at", "deployed_at", "deploy_id",
    "lead_time_seconds", "time_to_land_seconds", "landed_before_first_deploy",
)  # fmt: skip
DORA_COLUMNS = (
    "deployments", "deploys_per_day", "failed_deployments", "change_failure_rate",
    "median_time_to_restore_seconds", "changes_deployed", "lead_time_p50_seconds",
    "lead_time_p90_seconds", "failed_deployment_recovery_p50_seconds",
)  # fmt: skip


@pytest.fixture(scope="module", params=ENGINES)
def reads(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Reads:
    """Every view after the first delivery (the replay is checked with the other cases)."""
    directory: Path = tmp_path_factory.mktemp(f"lead-time-worked-{request.param}")
    return read_cases(request.param, directory)[0]


def api(rows: dict[tuple[str, ...], Any]) -> dict[tuple[str, ...], Any]:
    return {key: row for key, row in rows.items() if "api" in key[:2]}


def rounded(rows: dict[tuple[str, ...], tuple[Any, ...]]) -> dict[tuple[str, ...], Any]:
    return {
        k: tuple(round(v, 9) if isinstance(v, float) else v for v in r) for k, r in rows.items()
    }


def test_worked_example_change_lead_times(reads: Reads) -> None:
    """Staging: S1 (11:10) names bbbb2, so it reaches 11:00 (change 102) and ships 101 and
    102: 11:10 - 09:00 = 7800 s, 11:10 - 10:30 = 2400 s; both landed before S1, the first
    staging deploy. Production: D1 (10:30) names AAAA1 = aaaa1, reach 10:00 >= 101's
    landing: 5400 s, landed before D1. 102: D1 reaches 10:00 only, D2 is a rollback (ships
    nothing), D3 (12:30) reaches 11:00: 7200 s. 103 (landed 12:00): D3 deployed after it but
    reaches 11:00 only; D4 (13:00) names ffff9, no change's commit: reach 13:00: 5400 s.
    Time to land: 3600, 1800, 1800 s.
    """
    assert api(keyed(reads["change_lead_times"], KEY, LEAD_COLUMNS)) == stamped({
        ("api", "staging", "101"): ("aaaa1", "2026-11-02T09:00", "2026-11-02T10:00",
                                    "2026-11-02T11:10", "S1", 7800.0, 3600.0, 1),
        ("api", "staging", "102"): ("bbbb2", "2026-11-02T10:30", "2026-11-02T11:00",
                                    "2026-11-02T11:10", "S1", 2400.0, 1800.0, 1),
        ("api", "production", "101"): ("aaaa1", "2026-11-02T09:00", "2026-11-02T10:00",
                                       "2026-11-02T10:30", "D1", 5400.0, 3600.0, 1),
        ("api", "production", "102"): ("bbbb2", "2026-11-02T10:30", "2026-11-02T11:00",
                                       "2026-11-02T12:30", "D3", 7200.0, 1800.0, 0),
        ("api", "production", "103"): ("cccc3", "2026-11-02T11:30", "2026-11-02T12:00",
                                       "2026-11-02T13:00", "D4", 5400.0, 1800.0, 0),
    })  # fmt: skip


def test_worked_example_pending_changes(reads: Reads) -> None:
    """103 landed at 12:00, after S1's reach (11:00): pending in staging, and only there."""
    columns = ("commit_sha", "first_commit_at", "landed_at")
    assert api(keyed(reads["pending_changes"], KEY, columns)) == stamped(
        {("api", "staging", "103"): ("cccc3", "2026-11-02T11:30", "2026-11-02T12:00")}
    )


def test_worked_example_deploys_and_their_reach(reads: Reads) -> None:
    """The deploy table of the example: D2, a rollback, ships nothing (no row)."""
    key, columns = ("service", "environment", "deploy_id"), ("deployed_at", "commit_sha", "reach")
    assert api(keyed(reads["shipping_deploys"], key, columns)) == stamped({
        ("api", "staging", "S1"): ("2026-11-02T11:10", "bbbb2", "2026-11-02T11:00"),
        ("api", "production", "D1"): ("2026-11-02T10:30", "aaaa1", "2026-11-02T10:00"),
        ("api", "production", "D3"): ("2026-11-02T12:30", "bbbb2", "2026-11-02T11:00"),
        ("api", "production", "D4"): ("2026-11-02T13:00", "ffff9", "2026-11-02T13:00"),
    })  # fmt: skip


def test_worked_example_dora_monthly_november(reads: Reads) -> None:
    """November 2026. Production: deployments D1, D2 (a rollback is a deployment), D3, D4 =
    4, 4/30 a day; incidents caused by D1 and D3: failed 2, rate 0.5; their ttr 1800 and
    3600 s: median 2700. Changes deployed 3, lead times 5400, 5400, 7200: p50 5400, p90
    5400 + 0.8 x 1800 = 6840. Recovery: 14:00 - 12:30 (D3) = 5400 and 11:15 - 10:30 (D1)
    = 2700: p50 4050. Staging: S1 only, no incident (median and recovery NULL); lead times
    2400, 7800: p50 5100, p90 2400 + 0.9 x 5400 = 7260.
    """
    key = ("month", "service", "environment")
    assert rounded(api(keyed(reads["dora_monthly"], key, DORA_COLUMNS))) == rounded({
        ("2026-11-01", "api", "production"): (4, 4 / 30, 2, 0.5, 2700.0, 3, 5400.0, 6840.0,
                                              4050.0),
        ("2026-11-01", "api", "staging"): (1, 1 / 30, 0, 0.0, None, 2, 5100.0, 7260.0, None),
    })  # fmt: skip


def test_lead_time_columns_are_seconds_as_floats(reads: Reads) -> None:
    row = next(r for r in reads["change_lead_times"] if r["deploy_id"] == "D4")
    assert isinstance(row["lead_time_seconds"], float)
    assert isinstance(row["time_to_land_seconds"], float)
    assert row["landed_before_first_deploy"] == 0
