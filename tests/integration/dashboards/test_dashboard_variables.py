"""The dashboards' template variables: their options come from the seeded data.

docs/dashboards.md. The database (seeded once, tests/support/dashboard_seed.py)
and the variables' options come from the package fixtures ``db`` and
``options`` in tests/integration/dashboards/conftest.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from schemas.events import SEVERITIES
from tests.support.dashboard_seed import ENVIRONMENTS, SERVICES, TEAMS, TIME, Database
from tests.support.grafana_dashboards import load_dashboards
from tests.support.grafana_queries import expand

pytestmark = pytest.mark.integration

TEAM_QUERY = next(
    v["query"] for v in next(iter(load_dashboards().values()))["templating"]["list"]
    if v["name"] == "team"
)  # fmt: skip


def test_variable_options_come_from_the_data(options: dict[str, Any]) -> None:
    for uid, dashboard_options in options.items():
        # teams from the ownership, then (unowned): search never has an owner
        assert dashboard_options["team"] == TEAMS, uid
        assert dashboard_options["environment"] == ENVIRONMENTS, uid
        if uid != "mttr-dora":
            assert dashboard_options["service"] == SERVICES, uid
            assert dashboard_options["severity"] == SEVERITIES, f"{uid}: severity order"
    assert options["mttr-incident-drilldown"]["status"] == ("open", "resolved")
    assert options["mttr-incident-drilldown"]["incident"] == ()  # a textbox


def owned_from(valid_from: str) -> str:
    """Return a stand-in for the ownership view: every service owned by core from then."""
    return (
        "(SELECT service, 'core' AS team, "
        f"toDateTime64('{valid_from}', 3, 'UTC') AS valid_from "
        "FROM (SELECT arrayJoin(['checkout', 'payments', 'search']) AS service))"
    )


@pytest.mark.parametrize(
    ("valid_from", "expected"),
    [
        ("1970-01-01 00:00:00", ("core",)),  # owned since the beginning: nobody unowned
        # checkout's first event: the deploy 10 minutes before its first incident (at START)
        ("2025-08-31 23:50:00", ("core",)),
        ("2025-08-31 23:50:00.001", ("core", "(unowned)")),
    ],
)
def test_unowned_is_offered_only_when_some_service_was_unowned(
    db: Database, valid_from: str, expected: tuple[str, ...]
) -> None:
    sql = expand(TEAM_QUERY, {}, TIME).replace("mttr.service_owner_periods", owned_from(valid_from))
    assert tuple(row[0] for row in db.client.query(sql).result_rows) == expected
