"""Lead time for changes on the seeded history, against the independent model: every
column of every row of ``mttr.change_lead_times`` and ``mttr.pending_changes`` and the new
``dora_monthly`` columns, in every snapshot state on both engines.

docs/metrics.md ("Lead time for changes", "DORA: mttr.dora_monthly"). The change events
and deploy commits of the history come from tests/support/view_changes.py, the model
from tests/support/lead_time_model.py (docs in plain Python, change by change); the
databases are built by ``db`` in tests/integration/views/conftest.py.
``change_lead_times`` and ``pending_changes`` always read live; ``dora_monthly`` reads
its snapshot in the snapshot modes (all of its columns are also compared in
test_views_sla_dora.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

import pytest

from tests.support.lead_time_model import (
    NO_CHANGES,
    changes_of,
    commit_of,
    expected_lead_times,
    expected_pending,
    month_of,
    reach,
    sent,
    shipping_deploys,
)
from tests.support.view_database import Database, assert_same
from tests.support.view_history import HISTORY_START
from tests.support.view_model import expected_dora
from tests.support.view_worked_month import WORKED_MONTH

pytestmark = pytest.mark.integration

KEY = ("service", "environment", "change_id")


def test_history_covers_the_lead_time_cases(db: Database) -> None:
    events = db.history.events
    changes = [e for e in events if e["type"] == "change"]
    lead_times, pending = expected_lead_times(events), expected_pending(events)
    assert len(changes_of(events)) >= 150 and len(lead_times) >= 200
    assert Counter(r["landed_before_first_deploy"] for r in lead_times.values()).keys() == {0, 1}
    assert {k[1] for k in pending} >= {"prod", "staging", ""}  # '' : billing has no deploy
    # upper-case commits, sent by changes and by deploys
    upper = [e for e in events if commit_of(e) and sent(e)["commit_sha"] != commit_of(e)]
    assert {e["type"] for e in upper} == {"change", "deploy"}
    assert any("first_commit_at" not in sent(e) for e in changes)  # defaults to occurred_at
    # several events per change, and one defined by a tie on occurred_at
    per_change = defaultdict(list)
    for event in changes:
        per_change[(event["service"], event["subject_id"])].append(event)
    several = [group for group in per_change.values() if len(group) > 1]
    assert len(several) >= 10
    assert any(len({e["occurred_at"] for e in group}) == 1 for group in several)
    # deploys whose reach is a change's landing, their own time, or shipped nothing
    deploys, known = shipping_deploys(events), changes_of(events)
    reached = [reach(d, known) != d.deployed_at for d in deploys]
    assert 20 <= sum(reached) < len(deploys)
    shared = Counter((c.service, c.commit_sha) for c in known)  # a pull and a push, one commit
    assert any(shared[(d.service, d.commit_sha)] > 1 for d in deploys)
    shipping = {row["deploy_id"] for row in lead_times.values()}
    assert any(d.deploy_id not in shipping for d in deploys)
    ties = {d.deploy_id for d in deploys if "-tie-" in d.deploy_id and d.deploy_id in shipping}
    assert any(t.endswith("-a") for t in ties)  # the smaller id of two at the same instant
    kinds = {e["kind"] for e in events if e["type"] == "deploy" and commit_of(e)}
    assert kinds >= {"release", "config", "hotfix", "rollback", "remediation", None}
    # lead times that cross a month, and changes landed before the history's first deploy
    assert any(month_of(r["landed_at"]) != month_of(r["deployed_at"]) for r in lead_times.values())
    first_deploy = min(e["occurred_at"] for e in events if e["type"] == "deploy")
    assert any(r["landed_at"] < first_deploy for r in lead_times.values())
    # auth's recent events come after the snapshot in the modes "changed" and "rebuilt"
    # (conftest.py): among them change events that move auth's dora_monthly lead times
    recent = HISTORY_START + timedelta(days=90)
    held = [e for e in changes if e["service"] == "auth" and e["occurred_at"] >= recent]
    without = [e for e in events if e not in held]
    current = db.history.current
    assert held and expected_dora(current, without) != expected_dora(current, events)


def test_change_lead_times(db: Database) -> None:
    actual = db.rows("change_lead_times", KEY)
    assert_same(actual, expected_lead_times(db.history.events))


def test_pending_changes(db: Database) -> None:
    actual = db.rows("pending_changes", KEY)
    assert_same(actual, expected_pending(db.history.events))


def test_dora_monthly_lead_time_and_recovery_columns(db: Database) -> None:
    """The four new columns alone (the whole row: test_views_sla_dora.py)."""
    columns = tuple(NO_CHANGES)
    actual = db.rows("dora_monthly", ("month", "service", "environment"))
    expected = expected_dora(db.history.current, db.history.events)
    new = {key: {c: row[c] for c in columns} for key, row in expected.items()}
    assert sum(row["changes_deployed"] > 0 for row in new.values()) >= 20
    assert sum(row["changes_deployed"] == 0 for row in new.values()) >= 1
    recovered = [row for row in new.values() if row["failed_deployment_recovery_p50_seconds"]]
    assert len(recovered) >= 10
    assert_same({key: {c: row[c] for c in columns} for key, row in actual.items()}, new)


def test_worked_june_has_no_change_and_one_recovery(db: Database) -> None:
    """checkout/prod, June 2026 (tests/support/view_worked_month.py): no change is deployed
    that month (changes_deployed 0, lead times NULL); the one June incident naming a cause,
    started 06-03 09:30 with ttr 600 s (resolved 09:40), was caused by dep-worked-0603,
    succeeded 09:00: recovery 2400 s.
    """
    row = db.rows("dora_monthly", ("month", "service", "environment"))[
        (WORKED_MONTH.date(), "checkout", "prod")
    ]
    assert {c: row[c] for c in NO_CHANGES} == {
        "changes_deployed": 0,
        "lead_time_p50_seconds": None,
        "lead_time_p90_seconds": None,
        "failed_deployment_recovery_p50_seconds": 2400.0,
    }
