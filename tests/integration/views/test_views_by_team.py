"""The per-team views on the seeded history, against the independent model: every column
of every row of ``mttr.mttr_by_team`` and ``mttr.dora_monthly_by_team``, in every
snapshot state on both engines (both read live: docs/metrics.md, "Per team").

The ownership periods (tests/support/team_model.py) change search's owner in the middle
of November 2025 and leave auth unowned until mid-December, so several months hold one
service's numbers under two teams; the model (same module) attributes every incident,
deployment and change by the owner at its own time and aggregates the team's own values.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.support.team_model import expected_dora_by_team, expected_mttr_by_team, owner_at
from tests.support.view_database import Database, assert_same

pytestmark = pytest.mark.integration


def test_the_ownership_splits_months_between_teams(db: Database) -> None:
    """The history exercises what the views must get right: one service's month under two
    teams, unowned incidents, and teams made of several services."""
    incidents = [i for i in db.history.current if i["status"] == "resolved"]
    november = {
        owner_at("search", i["started_at"])
        for i in incidents
        if i["service"] == "search" and i["started_at"].date().replace(day=1) == date(2025, 11, 1)
    }
    assert november == {"discovery", "platform"}
    assert any(owner_at(i["service"], i["started_at"]) == "" for i in incidents)
    expected = expected_dora_by_team(db.history.current, db.history.events)
    assert {key[1] for key in expected} == {
        "payments-team",
        "discovery",
        "platform",
        "identity",
        "",
    }
    assert sum(row["changes_deployed"] > 0 for row in expected.values()) >= 10
    assert (
        sum(row["failed_deployment_recovery_p50_seconds"] is not None for row in expected.values())
        >= 5
    )


def test_mttr_by_team(db: Database) -> None:
    actual = db.rows("mttr_by_team", ("team", "environment", "severity"))
    assert_same(actual, expected_mttr_by_team(db.history.current))


def test_dora_monthly_by_team(db: Database) -> None:
    actual = db.rows("dora_monthly_by_team", ("month", "team", "environment"))
    assert_same(actual, expected_dora_by_team(db.history.current, db.history.events))
