"""The $team filter of the MTTR dashboards and the drill-down's $incident, computed by hand.

The seed (tests/support/dashboard_seed.py): checkout is owned by shop until
SWITCH (2025-10-06T00:00:00Z), by core from then on; payments is unowned until
2025-09-21, then core; search is never owned. Around SWITCH, checkout/prod/
critical has four incidents (ttr; target 3600 s):

=============  ====================  ======  ====  =====================================
id             started_at            ttr s   team  note
=============  ====================  ======  ====  =====================================
own-long       SWITCH - 1 h            7200  shop  resolved after the change: still shop
own-before     SWITCH - 1 ms            600  shop
own-at         SWITCH                  1200  core  a period includes its start
own-caused     SWITCH + 2 h            1800  core  caused by a deploy at SWITCH + 1 h 50
=============  ====================  ======  ====  =====================================

Quantiles are exact and interpolated (position q*(n-1)), as in docs/metrics.md.
The database and the variables' options come from the package fixtures in
tests/integration/dashboards/conftest.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.dashboard_seed import SWITCH, TEAMS, Database, owner
from tests.support.grafana_dashboards import TimeRange, named_query, selection

pytestmark = pytest.mark.integration

OVERVIEW, DRILLDOWN = "mttr-overview", "mttr-incident-drilldown"
AROUND = TimeRange(SWITCH - timedelta(days=1), SWITCH + timedelta(days=1), 3600)
OCTOBER = TimeRange(datetime(2025, 10, 1, tzinfo=UTC), datetime(2025, 10, 31, 23, 59, tzinfo=UTC),
                    6 * 3600)  # fmt: skip
WHOLE = TimeRange(datetime(2025, 8, 1, tzinfo=UTC), datetime(2025, 12, 1, tzinfo=UTC), 6 * 3600)
CHECKOUT = {"service": ("checkout",), "environment": ("prod",), "severity": ("critical",)}


def rows(result: Any) -> list[dict[str, Any]]:
    return list(result.named_results())


def listed(db: Database, variables: dict[str, Any], time: TimeRange) -> dict[str, str]:
    """Return incident_id -> team of the drill-down's list."""
    result = db.run(named_query(DRILLDOWN, "Incidents"), variables, time)
    return {row["incident_id"]: row["team"] for row in rows(result)}


@pytest.mark.parametrize(
    ("teams", "expected"),
    [
        (("shop",), {"own-long": "shop", "own-before": "shop"}),
        (("core",), {"own-at": "core", "own-caused": "core"}),
        (("(unowned)",), {}),  # checkout is owned from the beginning
        (("shop", "core"), {"own-long": "shop", "own-before": "shop", "own-at": "core",
                            "own-caused": "core"}),
    ],
)  # fmt: skip
def test_an_incident_belongs_to_the_owner_at_its_start(
    db: Database, options: dict[str, Any], teams: tuple[str, ...], expected: dict[str, str]
) -> None:
    variables = selection(DRILLDOWN, options[DRILLDOWN], team=teams, **CHECKOUT)
    assert listed(db, variables, AROUND) == expected
    summary = db.run(named_query(DRILLDOWN, "Incidents in the time range"), variables, AROUND)
    assert summary.first_item["incidents"] == len(expected)


@pytest.mark.parametrize(
    ("teams", "expected"),
    [
        # 600, 7200: p90 = 600 + 0.9 * 6600
        (("shop",), (3900.0, 3900.0, 6540.0)),
        # 1200, 1800: p90 = 1200 + 0.9 * 600
        (("core",), (1500.0, 1500.0, 1740.0)),
        # 600, 1200, 1800, 7200: p50 at 1.5 = 1500, p90 at 2.7 = 1800 + 0.7 * 5400
        (None, (2700.0, 1500.0, 5580.0)),
    ],
)
def test_mttr_per_team_around_the_owner_change(
    db: Database, options: dict[str, Any], teams: Any, expected: tuple[float, ...]
) -> None:
    variables = selection(OVERVIEW, options[OVERVIEW], team=teams, **CHECKOUT)
    result = db.run(named_query(OVERVIEW, "MTTR (mean, p50, p90)"), variables, AROUND)
    assert result.first_row == pytest.approx(expected)


@pytest.mark.parametrize(
    ("teams", "cfr", "sla"),
    [
        # deploys of checkout/prod in October: day 30 (Oct 1, shop); days 35..60 and the
        # failed dep-checkout-prod-owner (core). SLA: own-long breaches; inc-00-3 (Oct 19,
        # 7560 s) breaches, own-at and own-caused do not.
        (("shop",), 0.0, 1 / 2),
        (("core",), 1 / 7, 1 / 3),
        (None, 1 / 8, 2 / 5),
    ],
)
def test_change_failure_and_sla_breach_rates_per_team(
    db: Database, options: dict[str, Any], teams: Any, cfr: float, sla: float
) -> None:
    variables = selection(OVERVIEW, options[OVERVIEW], team=teams, **CHECKOUT)
    stat = db.run(named_query(OVERVIEW, "Change failure rate"), variables, OCTOBER)
    assert stat.first_item["change_failure_rate"] == pytest.approx(cfr)
    stat = db.run(named_query(OVERVIEW, "SLA breach rate"), variables, OCTOBER)
    assert stat.first_item["sla_breach_rate"] == pytest.approx(sla)
    title = "Change failure rate and SLA breach rate by month"
    for ref_id, column, value in (("A", "change_failure_rate", cfr), ("B", "sla_breach_rate", sla)):
        series = rows(db.run(named_query(OVERVIEW, title, ref_id), variables, OCTOBER))
        assert [(r["time"].month, r[column]) for r in series] == [(10, pytest.approx(value))]


def test_events_belong_to_the_owner_at_their_time(db: Database, options: dict[str, Any]) -> None:
    # checkout before SWITCH in October: the deploys of Oct 1 10:00, the change of 08:00 and
    # chg-checkout-35 (SWITCH - 1 h); the deploys from SWITCH on are core's
    variables = selection(OVERVIEW, options[OVERVIEW], team=("shop",), service=("checkout",))
    result = db.run(named_query(OVERVIEW, "Events by service and environment"), variables, OCTOBER)
    assert sorted(tuple(r) for r in result.result_rows) == [
        ("checkout", "prod", "change", 2),
        ("checkout", "prod", "deploy", 1),
        ("checkout", "staging", "deploy", 1),
    ]


@pytest.mark.parametrize("team", TEAMS)
def test_each_team_sees_exactly_its_incidents(
    db: Database, options: dict[str, Any], team: str
) -> None:
    variables = selection(DRILLDOWN, options[DRILLDOWN], team=(team,))
    expected = {
        r["incident_id"] for r in db.seed.current if owner(r["service"], r["started_at"]) == team
    }
    got = listed(db, variables, WHOLE)  # every incident is active in WHOLE
    assert set(got) == expected and set(got.values()) <= {team}
    # open at the end: checkout (c 0-7) and payments (c 8-15) are core's, search's unowned
    overview = selection(OVERVIEW, options[OVERVIEW], team=(team,))
    open_count = db.run(named_query(OVERVIEW, "Open incidents"), overview)
    assert open_count.first_item["open_incidents"] == {"core": 16, "shop": 0, "(unowned)": 8}[team]
    open_list = rows(db.run(named_query(OVERVIEW, "Open incidents, oldest first"), overview))
    assert {r["team"] for r in open_list} <= {team}


# --- $incident: the Slack/Teams link ?var-incident=<id> -----------------------------------

FAR_AWAY = TimeRange(datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 1, 2, tzinfo=UTC), 3600)


@pytest.mark.parametrize(
    ("incident", "time", "others", "expected"),
    [
        ("own-at", AROUND, {}, {"own-at"}),
        ("own-at", FAR_AWAY, {}, {"own-at"}),  # the time range does not hide it
        ("  own-at ", AROUND, {}, {"own-at"}),  # pasted with blanks
        ("open-03", FAR_AWAY, {"status": ("open",)}, {"open-03"}),
        ("own-at", AROUND, {"service": ("payments",)}, set()),  # other filters still apply
        ("own-at", AROUND, {"team": ("shop",)}, set()),
        ("no-such-incident", AROUND, {}, set()),
        ("x' OR 1=1 OR 'a'='a\\", AROUND, {}, set()),  # percent-encoded: no way out of the string
        ("", AROUND, {}, {"own-long", "own-before", "own-at", "own-caused"}),  # empty: all
    ],
)
def test_the_incident_variable_shows_one_incident(
    db: Database,
    options: dict[str, Any],
    incident: str,
    time: TimeRange,
    others: dict[str, Any],
    expected: set[str],
) -> None:
    chosen = dict(CHECKOUT) if not incident else {}  # empty: the four own-* incidents
    chosen |= others
    variables = selection(DRILLDOWN, options[DRILLDOWN], incident=incident, **chosen)
    assert set(listed(db, variables, time)) == expected
    summary = db.run(named_query(DRILLDOWN, "Incidents in the time range"), variables, time)
    assert summary.first_item["incidents"] == len(expected)
