"""Remediation runs (deploy kind ``remediation``, contract v1.1): mitigation, never a cause.

docs/incident-model.md, "Remediation runs": a succeeded remediation after
``started_at`` mitigates exactly like a rollback or hotfix and can be the fix
(``repair_action`` ``remediation``); it is never ``cause_deploy_id``, and it does
not take one of the ``MAX_DEPLOYS`` places kept in state for cause links.

Expected values are worked out by hand; times are minutes after 10:00:00Z on
2026-03-02 (``BASE_TIME``) unless written out.
"""

from __future__ import annotations

from datetime import UTC, datetime

from streams.engine.correlate import EngineConfig
from tests.support.engine import DAY, Engine, clear, dep, fire, only, run

REMEDIATION = "remediation"


def test_worked_example_of_the_incident_model() -> None:
    """payments: release pay-88 ok 09:20; remediation rundeck-5102 ok 09:55; P fires 10:00
    (ttd 0); rundeck-5107 started 10:04, failed 10:06; awx-311 ok 10:09; release pay-89
    ok 10:15; P resolved 10:20.

    cause: latest succeeded deploy that can be a cause in [09:00, 10:00] -> pay-88
    (rundeck-5102 is later but a remediation). mitigated: first succeeded
    rollback/hotfix/remediation in (10:00, 10:20] -> awx-311 at 10:09, ttm 540 s (the
    failed run does not count). fix: first succeeded deploy in (10:00, 10:20] ->
    awx-311, repair_action remediation. ttr 1200 s. Members: the firing, the two
    events of rundeck-5107, awx-311, pay-89, the resolution -> event_count 6.
    """
    events = [
        dep("pay-88", -40, service="payments"),
        dep("rundeck-5102", -5, kind=REMEDIATION, service="payments"),
        fire("P", 0, service="payments"),
        dep("rundeck-5107", 4, kind=REMEDIATION, status="started", service="payments"),
        dep("rundeck-5107", 6, kind=REMEDIATION, status="failed", service="payments"),
        dep("awx-311", 9, kind=REMEDIATION, service="payments"),
        dep("pay-89", 15, service="payments"),
        clear("P", 20, service="payments"),
    ]
    row = only(run(events))
    assert row["started_at"] == row["detected_at"] == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert row["cause_deploy_id"] == "pay-88"
    assert row["mitigated_at"] == datetime(2026, 3, 2, 10, 9, tzinfo=UTC)
    assert row["ttm_seconds"] == 540.0
    assert (row["fix_deploy_id"], row["repair_action"]) == ("awx-311", REMEDIATION)
    assert row["ttr_seconds"] == 1200.0
    assert row["event_count"] == 6


def test_a_remediation_alone_in_the_suspect_window_is_no_cause() -> None:
    """Remediation r ok 09:50, A fires 10:00, resolved 10:10: window [09:00, 10:00] holds
    only r, which cannot be a cause -> no cause (a release there would be one).
    """
    row = only(run([dep("r", -10, kind=REMEDIATION), fire("A", 0), clear("A", 10)]))
    assert row["cause_deploy_id"] is None
    assert row["fix_deploy_id"] is None
    assert row["mitigated_at"] is None
    release = only(run([dep("r", -10), fire("A", 0), clear("A", 10)]))
    assert release["cause_deploy_id"] == "r"


def test_a_remediation_at_started_at_is_neither_cause_nor_repair() -> None:
    """A fires 10:00:00.000 (ttd 0); remediation r ok 10:00:00.000; A resolved 10:05.

    At started_at a deploy can only be the cause, and a remediation is never one;
    repairs need a time after started_at -> no cause, no fix, no mitigation. The
    same run 1 ms later mitigates (ttm 0.001 s) and is the fix.
    """
    at_start = only(run([fire("A", 0), dep("r", 0, kind=REMEDIATION), clear("A", 5)]))
    assert at_start["cause_deploy_id"] is None
    assert at_start["fix_deploy_id"] is None
    assert at_start["mitigated_at"] is None
    later = only(run([fire("A", 0), dep("r", 0, seconds=0.001, kind=REMEDIATION), clear("A", 5)]))
    assert later["mitigated_at"] == datetime(2026, 3, 2, 10, 0, 0, 1000, tzinfo=UTC)
    assert later["ttm_seconds"] == 0.001
    assert (later["fix_deploy_id"], later["repair_action"]) == ("r", REMEDIATION)


def test_release_first_is_the_fix_and_the_later_remediation_mitigates() -> None:
    """A 10:00-10:20; release d ok 10:05; remediation r ok 10:08.

    fix = first succeeded deploy in (10:00, 10:20] -> d (repair_action release); a
    release does not mitigate, r does -> mitigated 10:08, ttm 480 s.
    """
    row = only(run([fire("A", 0), dep("d", 5), dep("r", 8, kind=REMEDIATION), clear("A", 20)]))
    assert (row["fix_deploy_id"], row["repair_action"]) == ("d", "release")
    assert row["mitigated_at"] == datetime(2026, 3, 2, 10, 8, tzinfo=UTC)
    assert row["ttm_seconds"] == 480.0


def test_frequent_remediation_runs_do_not_push_a_release_out_of_state() -> None:
    """Config: suspect window 2 days. Release 'old' ok at day 0 10:00; 25 remediation runs
    hourly from day 0 11:00 to day 1 11:00; a deploy started at day 30 10:00 moves the
    horizon to day 30 09:00, far past them all.

    Kept: the last 20 succeeded deploys that can be a cause (only 'old') and the new
    event; the remediation runs are forgotten (counting them, 'old' would have been
    dropped). A fires at day 30 10:00 with starts_at day 1 12:00: cause window
    [day -1 12:00, day 1 12:00] -> cause 'old'.
    """
    engine = Engine(EngineConfig(suspect_ms=2 * 86_400_000))
    engine.send(dep("old", 0))
    for hour in range(1, 26):
        engine.send(dep(f"r{hour:02d}", hour * 60, kind=REMEDIATION))
    engine.send(dep("x", 30 * DAY, status="started"))
    assert [m["subject"] for m in engine.state()["members"]] == ["old", "x"]
    engine.send(fire("A", 30 * DAY, starts_at="2026-03-03T12:00:00Z"))
    row = only(engine.rows())
    assert row["started_at"] == datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    assert row["cause_deploy_id"] == "old"
