"""The DORA dashboard (mttr-dora) per team, computed by hand for October 2025, production.

The seed (tests/support/dashboard_seed.py): every service deploys to prod and
staging every five days at 10:00 (days 30-60 of the seed fall in October: Oct
1, 6, ..., 31); the deploys of every tenth day ship the change that landed at
08:00 that day, whose lead time is 2 h + (day/10 + 1) h + 15 min x (service
index). Owners: checkout shop until 2025-10-06 (SWITCH), then core; payments
core from 2025-09-21; search never owned. In October, prod:

- core: checkout's deploys of days 35-60 (6) and dep-checkout-prod-owner, which
  own-caused names (1 failed); payments' 7 deploys: 14 deployments. Changes:
  checkout days 40, 50, 60 (25200, 28800, 32400 s) and payments days 30-60
  (22500, 26100, 29700, 33300 s): 7; p50 at position 3 = 28800, p90 at 5.4 =
  32400 + 0.4 x 900 = 32760. Recovery: own-caused resolved 02:30, its deploy
  01:50: 2400 s.
- shop: checkout's deploy of Oct 1 and its change (21600 s), and chg-checkout-35,
  landed at SWITCH - 1 h (so shop's) but deployed by core's dep-checkout-prod-owner
  at SWITCH + 1 h 50 (first commit SWITCH - 4 h: 21000 s): 2 changes, p50 21300,
  p90 21000 + 0.9 x 600 = 21540.
- (unowned): search's 7 deploys, changes days 30-60 (23400, 27000, 30600,
  34200 s): p50 at 1.5 = 28800, p90 at 2.7 = 30600 + 0.7 x 3600 = 33120.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.dashboard_seed import TEAMS, Database, owner
from tests.support.grafana_dashboards import TimeRange, named_query, selection

pytestmark = pytest.mark.integration

DORA = "mttr-dora"
OCTOBER = TimeRange(datetime(2025, 10, 1, tzinfo=UTC), datetime(2025, 10, 31, 23, 59, tzinfo=UTC),
                    6 * 3600)  # fmt: skip
COLUMNS = ("deployments", "deploys_per_day", "failed_deployments", "change_failure_rate",
           "changes_deployed", "lead_time_p50_seconds", "lead_time_p90_seconds",
           "failed_deployment_recovery_p50_seconds")  # fmt: skip
OCTOBER_PROD = {
    "core": (14, 14 / 31, 1, 1 / 14, 7, 28800.0, 32760.0, 2400.0),
    "shop": (1, 1 / 31, 0, 0.0, 2, 21300.0, 21540.0, None),
    "(unowned)": (7, 7 / 31, 0, 0.0, 4, 28800.0, 33120.0, None),
}
CHANGES = {  # change_id: lead_time_seconds, deployed in October to prod
    "core": {"chg-checkout-40": 25200, "chg-checkout-50": 28800, "chg-checkout-60": 32400,
             "chg-payments-30": 22500, "chg-payments-40": 26100, "chg-payments-50": 29700,
             "chg-payments-60": 33300},
    "shop": {"chg-checkout-30": 21600, "chg-checkout-35": 21000},
    "(unowned)": {"chg-search-30": 23400, "chg-search-40": 27000, "chg-search-50": 30600,
                  "chg-search-60": 34200},
}  # fmt: skip


def rows(result: Any) -> list[dict[str, Any]]:
    return list(result.named_results())


@pytest.mark.parametrize("team", TEAMS)
def test_the_four_keys_of_one_team(db: Database, options: dict[str, Any], team: str) -> None:
    variables = selection(DORA, options[DORA], team=(team,), environment=("prod",))
    table = rows(db.run(named_query(DORA, "DORA by team and month"), variables, OCTOBER))
    assert [(r["month"].month, r["team"], r["environment"]) for r in table] == [(10, team, "prod")]
    assert tuple(table[0][c] for c in COLUMNS) == pytest.approx(OCTOBER_PROD[team])


def test_the_series_have_one_line_per_team_and_environment(
    db: Database, options: dict[str, Any]
) -> None:
    variables = selection(DORA, options[DORA], environment=("prod",))
    panels = {
        "Deployment frequency (deploys per day)": ("deploys_per_day",),
        "Lead time for changes (p50, p90)": ("lead_time_p50_seconds", "lead_time_p90_seconds"),
        "Change failure rate": ("change_failure_rate",),
        "Failed deployment recovery time (p50)": ("failed_deployment_recovery_p50_seconds",),
    }
    for title, measures in panels.items():
        series = rows(db.run(named_query(DORA, title), variables, OCTOBER))
        assert list(series[0])[:3] == ["time", "team", "environment"], title
        got = {r["team"]: tuple(r[m] for m in measures) for r in series}
        assert set(got) == set(OCTOBER_PROD), title
        for team, values in OCTOBER_PROD.items():
            expected = tuple(values[COLUMNS.index(m)] for m in measures)
            assert got[team] == pytest.approx(expected), f"{title}: {team}"
        assert all(r["time"].month == 10 and r["environment"] == "prod" for r in series), title


@pytest.mark.parametrize("teams", [(team,) for team in TEAMS] + [("core", "(unowned)")])
def test_the_changes_of_the_selected_teams(
    db: Database, options: dict[str, Any], teams: tuple[str, ...]
) -> None:
    variables = selection(DORA, options[DORA], team=teams, environment=("prod",))
    listed = rows(
        db.run(named_query(DORA, "Changes deployed in the time range"), variables, OCTOBER)
    )
    got = {r["change_id"]: (r["team"], r["lead_time_seconds"]) for r in listed}
    expected = {c: (team, float(lead)) for team in teams for c, lead in CHANGES[team].items()}
    assert got == expected


def test_changes_belong_to_the_owner_when_they_landed(
    db: Database, options: dict[str, Any]
) -> None:
    """Over the whole seed and both environments: the view's rows, by owner at landed_at."""
    time = TimeRange(datetime(2025, 8, 1, tzinfo=UTC), datetime(2025, 12, 1, tzinfo=UTC), 86400)
    view = db.client.query(
        "SELECT service, environment, change_id, landed_at FROM mttr.change_lead_times"
    )
    for team in TEAMS:
        variables = selection(DORA, options[DORA], team=(team,))
        listed = db.run(named_query(DORA, "Changes deployed in the time range"), variables, time)
        got = sorted((r["service"], r["environment"], r["change_id"]) for r in rows(listed))
        expected = sorted(
            (service, environment, change_id)
            for service, environment, change_id, landed_at in view.result_rows
            if owner(service, landed_at) == team
        )
        assert got == expected and expected, team
