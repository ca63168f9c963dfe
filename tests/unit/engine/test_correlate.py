"""The engine ``apply_event``: duplicates, lateness, versions, completion, identity, keys,
forgetting; and ``complete_idle``.

docs/incident-model.md, "Keys and order" and "Duplicates, lateness, identity
and versions". Expected values are worked out by hand; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``) unless written out. The property tests
at the end check order independence, duplicate insensitivity and row
invariants on random small histories of one key.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.events import SEVERITIES
from streams.engine.correlate import EngineConfig, apply_event, complete_idle, new_state
from streams.engine.incident import incident_id
from streams.engine.members import from_ms
from tests.support.engine import (
    DEFAULT_CONFIG,
    Engine,
    by_start,
    clear,
    dep,
    fire,
    member,
    only,
    run,
    stable,
    stable_rows,
    tkt,
)
from tests.support.strategies import PROPERTY, histories

DAY = 1440  # minutes

# --- duplicates ---------------------------------------------------------------------


def test_duplicate_changes_nothing_and_reemits_same_version() -> None:
    """A fires 10:00 (v1), T opened 10:01 (v2); the firing again -> duplicate, v2 re-emitted.

    The re-emitted row equals the last written one (version 2, same updated_at).
    """
    engine = Engine()
    first = fire("A", 0, event_id="dup-a1")
    engine.feed([first, tkt("T", "opened", 1)])
    before = copy.deepcopy(engine.state())
    last_row = only(engine.rows())
    assert last_row["version"] == 2
    outputs = engine.send(first)
    assert outputs.duplicate is True
    assert outputs.late is False
    assert outputs.rows == [last_row]
    assert engine.state() == before


def test_duplicate_with_different_payload_is_still_a_duplicate() -> None:
    """Same event_id 'dup-b1' sent again as 'resolved' 10:05 -> ignored, incident stays open."""
    engine = Engine()
    engine.send(fire("A", 0, event_id="dup-b1"))
    before = copy.deepcopy(engine.state())
    outputs = engine.send(clear("A", 5, event_id="dup-b1"))
    assert outputs.duplicate is True
    assert [r["version"] for r in outputs.rows] == [1]
    assert engine.state() == before
    assert only(engine.rows())["status"] == "open"


def test_duplicate_of_event_outside_incidents_emits_nothing() -> None:
    """A deploy with no incident, sent twice -> second is a duplicate with no rows."""
    engine = Engine()
    event = dep("d", 0, event_id="dup-d1")
    assert engine.send(event).rows == []
    before = copy.deepcopy(engine.state())
    outputs = engine.send(event)
    assert outputs.duplicate is True
    assert outputs.rows == []
    assert engine.state() == before


def test_duplicate_reemits_current_version_after_later_changes() -> None:
    """A fires 10:00 (v1), deploy 10:02 (v2), A resolved 10:05 (v3); the firing again -> v3."""
    engine = Engine()
    first = fire("A", 0)
    engine.feed([first, dep("d", 2, status="started"), clear("A", 5)])
    outputs = engine.send(first)
    assert outputs.duplicate is True
    assert len(outputs.rows) == 1
    assert outputs.rows[0]["version"] == 3
    assert outputs.rows[0]["status"] == "resolved"
    assert outputs.rows[0]["is_deleted"] == 0


def test_duplicate_more_than_the_lateness_behind_is_late() -> None:
    """The docs' example: a1 firing 10:00 and a2 resolved 11:01 are applied; a1 delivered
    again is 61 min behind 11:01 -> late (lateness is judged first), nothing changes.
    Delivered again before a2 arrived, it is a duplicate.
    """
    first = fire("A", 0, event_id="dl-a1")
    engine = Engine()
    engine.feed([first])
    assert engine.send(first).duplicate is True
    engine.send(clear("A", 61, event_id="dl-a2"))
    before = copy.deepcopy(engine.state())
    outputs = engine.send(first)
    assert (outputs.late, outputs.duplicate, outputs.rows) == (True, False, [])
    assert engine.state() == before


def test_duplicate_within_the_lateness_is_a_duplicate_even_if_far_behind_held_back() -> None:
    """During a catch-up (input watermark 0) a1 10:00 and a2 11:01 are applied: safe stays 0.
    a1 delivered again, still during the catch-up: max(0, min(11:01, 0)) = 0 -> not late,
    a duplicate. Delivered again once caught up: 61 min behind 11:01 -> late.
    """
    first = fire("A", 0, event_id="dh-a1")
    engine = Engine()
    engine.send(first, input_watermark=0)
    engine.send(clear("A", 61, event_id="dh-a2"), input_watermark=0)
    assert engine.send(first, input_watermark=0).duplicate is True
    assert engine.send(first).late is True


def test_same_event_id_in_another_key_is_not_a_duplicate() -> None:
    """event_id 'shared' on checkout and on payments: each opens its own incident."""
    rows = run(
        [fire("A", 0, event_id="shared"), fire("A", 0, event_id="shared", service="payments")]
    )
    assert sorted(r["service"] for r in rows.values()) == ["checkout", "payments"]


# --- lateness ---------------------------------------------------------------------------


def test_event_beyond_allowed_lateness_is_rejected() -> None:
    """Watermark 12:00 (A fires); T opened 10:59:59.999 is > 1 h behind -> late, no change."""
    engine = Engine()
    engine.send(fire("A", 120))
    before = copy.deepcopy(engine.state())
    late = tkt("T", "opened", 60, seconds=-0.001)
    outputs = engine.send(late)
    assert outputs.late is True
    assert outputs.duplicate is False
    assert outputs.rows == []
    assert engine.state() == before
    assert engine.send(late).late is True  # not remembered as seen: late again, not duplicate


def test_event_exactly_at_lateness_boundary_is_applied() -> None:
    """Watermark 12:00 (A fires); a release at 11:00:00.000 (exactly 1 h behind) is applied.

    It becomes A's cause (11:00 in [11:00, 12:00]) -> version 2. A release at
    10:59:59.999 would be late.
    """
    engine = Engine()
    engine.send(fire("A", 120))
    assert engine.send(dep("too-late", 60, seconds=-0.001)).late is True
    outputs = engine.send(dep("edge", 60))
    assert outputs.late is False
    assert [(r["version"], r["cause_deploy_id"]) for r in outputs.rows] == [(2, "edge")]


def test_allowed_lateness_is_configurable() -> None:
    """Lateness 5 min: watermark 10:10; 10:04:59.999 late, 10:05:00.000 applied."""
    engine = Engine(EngineConfig(allowed_lateness_ms=300_000))
    engine.send(fire("A", 10))
    assert engine.send(tkt("T", "acknowledged", 5, seconds=-0.001)).late is True
    assert engine.send(tkt("T", "acknowledged", 5)).late is False


def test_late_event_within_lateness_corrects_incident() -> None:
    """A fires 10:10, resolved 10:30 (v2); late: A also fired at 10:00 ('lc-a0').

    Started 10:00 -> ttr = 10:30 - 10:00 = 1800 s; the first event is now 'lc-a0'.
    """
    engine = Engine()
    engine.feed([fire("A", 10, event_id="lc-a1"), clear("A", 30)])
    outputs = engine.send(fire("A", 0, event_id="lc-a0"))
    assert outputs.late is False
    row = only(engine.rows())
    assert row["started_at"] == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert row["ttr_seconds"] == 1800.0
    assert row["incident_id"] == incident_id("checkout", "production", "lc-a0")
    assert row["event_count"] == 3


def test_watermark_is_per_key() -> None:
    """checkout at 12:00 does not make a payments event at 10:00 late."""
    engine = Engine()
    engine.send(fire("A", 120))
    assert engine.send(fire("A", 0, service="payments")).late is False
    assert engine.send(fire("A", 0, environment="staging")).late is False
    assert len(engine.rows()) == 3


# --- versions -----------------------------------------------------------------------------


def test_versions_increase_by_one_per_change_and_nothing_when_unchanged() -> None:
    """Steps and their rows (one incident X):

    A fires 10:00 -> v1 (open); T opened 10:01 -> v2; A resolved 10:05 -> v3 (resolved);
    deploy started 10:09 (quiet, joins) -> v4; deploy started 10:30 (outside X) moves
    the watermark past 10:05 + 10 min -> v5, only ``completed`` 0 -> 1; a succeeded
    release 10:31 (outside X, no later incident) -> no row; unknown resolved alert
    10:40 -> no row; T resolved 10:45 (member ticket, no reopen) -> v6, still completed.
    """
    engine = Engine()
    steps = [
        fire("A", 0),
        tkt("T", "opened", 1),
        clear("A", 5),
        dep("d1", 9, status="started"),
        dep("d2", 30, status="started"),
        dep("d2", 31),
        clear("Z", 40),
        tkt("T", "resolved", 45),
    ]
    versions = [[r["version"] for r in engine.send(e).rows] for e in steps]
    assert versions == [[1], [2], [3], [4], [5], [], [], [6]]
    row = only(engine.rows())
    assert row["status"] == "resolved"
    assert row["event_count"] == 5
    assert row["completed"] == 1
    v4, v5 = engine.emitted[3], engine.emitted[4]
    assert (v4["completed"], v5["completed"]) == (0, 1)
    assert stable(v5) == stable(v4) | {"completed": 1}  # nothing else changed


def test_rows_written_when_opened_and_when_resolved() -> None:
    """A fires 10:00 -> row 'open' (v1); A resolved 10:07 -> row 'resolved' (v2, ttr 420 s)."""
    engine = Engine()
    opened = engine.send(fire("A", 0)).rows
    resolved = engine.send(clear("A", 7)).rows
    assert [(r["status"], r["version"], r["is_deleted"]) for r in opened] == [("open", 1, 0)]
    assert [(r["status"], r["version"], r["ttr_seconds"]) for r in resolved] == [
        ("resolved", 2, 420.0)
    ]


def test_late_deploy_becoming_cause_writes_new_version() -> None:
    """A fires 10:00 (v1); a release 09:45 arrives later -> cause set, v2; a started deploy
    09:50 (not succeeded) -> no row."""
    engine = Engine()
    engine.send(fire("A", 0))
    assert [(r["version"], r["cause_deploy_id"]) for r in engine.send(dep("c", -15)).rows] == [
        (2, "c")
    ]
    assert engine.send(dep("s", -10, status="started")).rows == []


def test_updated_at_is_processing_time() -> None:
    """updated_at is the now_ms passed to apply_event (2027-01-15T08:00:00.123Z here)."""
    now_ms = 1_800_000_000_123
    state, outputs = apply_event(
        None, member(fire("A", 0)), "checkout", "production", EngineConfig(), now_ms
    )
    assert outputs.rows[0]["updated_at"] == datetime(2027, 1, 15, 8, 0, 0, 123000, tzinfo=UTC)
    assert outputs.rows[0]["version"] == 1
    assert state["watermark"] == 1_772_445_600_000  # 10:00Z in epoch ms


# --- completion -------------------------------------------------------------------------------


def test_watermark_past_resolved_plus_quiet_completes() -> None:
    """X: A 10:00-10:05 (v2, resolved_at R = 10:05, completed 0).

    A deploy started at exactly R + quiet = 10:15:00.000 is still in the quiet
    period: it joins X (v3, event_count 3) and does not complete it (not *past*).
    A deploy started 10:15:00.001 belongs to no incident but moves the watermark
    past 10:15 -> v4 with completed 1; every other field equals v3's.
    """
    engine = Engine()
    resolved = engine.feed([fire("A", 0), clear("A", 5)])[-1].rows
    assert [(r["version"], r["status"], r["completed"]) for r in resolved] == [(2, "resolved", 0)]
    edge = engine.send(dep("d1", 15, status="started")).rows
    assert [(r["version"], r["event_count"], r["completed"]) for r in edge] == [(3, 3, 0)]
    past = engine.send(dep("d2", 15, seconds=0.001, status="started")).rows
    assert [(r["version"], r["completed"]) for r in past] == [(4, 1)]
    assert stable(past[0]) == stable(edge[0]) | {"completed": 1}
    row = only(engine.rows())
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    assert row["ttr_seconds"] == 300.0
    # nothing changes any more: a later event of the key writes no row
    assert engine.send(dep("d3", 40, status="started")).rows == []


def test_watermark_completion_uses_configured_quiet_period() -> None:
    """Quiet 1 min: A 10:00-10:05; a release at 10:06:00.000 joins (not completed),
    one at 10:06:00.001 completes it (v4)."""
    engine = Engine(EngineConfig(quiet_ms=60_000))
    engine.feed([fire("A", 0), clear("A", 5)])
    assert [r["completed"] for r in engine.send(dep("d1", 6, status="started")).rows] == [0]
    rows = engine.send(dep("d2", 6, seconds=0.001, status="started")).rows
    assert [(r["version"], r["completed"]) for r in rows] == [(4, 1)]


def test_watermark_of_another_key_does_not_complete() -> None:
    """checkout A 10:00-10:05; payments and checkout/staging events at 11:00 leave
    checkout/production's incident uncompleted (watermarks are per key)."""
    engine = Engine()
    engine.feed([fire("A", 0), clear("A", 5)])
    engine.send(dep("p", 60, status="started", service="payments"))
    engine.send(dep("s", 60, status="started", environment="staging"))
    assert only(engine.rows())["completed"] == 0


def test_open_incident_never_completes() -> None:
    """A fires 10:00 and never resolves. Events hours and days later join it (still
    open, completed 0), and complete_idle writes nothing for it."""
    engine = Engine()
    engine.send(fire("A", 0))
    later = [dep("d", 30, status="started"), dep("r", 300), tkt("T", "acknowledged", 2 * DAY)]
    for event in later:
        rows = engine.send(event).rows
        assert [(r["status"], r["completed"]) for r in rows] == [("open", 0)]
    assert engine.idle().rows == []
    row = only(engine.rows())
    assert (row["status"], row["completed"], row["event_count"]) == ("open", 0, 4)


def test_open_declared_incident_never_completes() -> None:
    """T opened 10:00 (declared, open until T resolves); a deploy 3 h later joins it."""
    engine = Engine()
    engine.send(tkt("T", "opened", 0))
    assert [r["completed"] for r in engine.send(dep("d", 180, status="started")).rows] == [0]
    assert engine.idle().rows == []
    assert only(engine.rows())["completed"] == 0


def test_complete_idle_completes_resolved_incidents_of_the_key_once() -> None:
    """checkout: X A 10:00-10:05; Y B 10:20 with T opened 10:21, B resolved 10:25.
    payments: P A 10:00-10:02.

    B's 10:20 firing completes X by watermark (X v3). Y (v3) and P (v2) are resolved
    but not completed (watermarks 10:25 and 10:02). complete_idle(checkout) returns
    only Y: v4, completed 1, updated_at = its now_ms, every other field as v3.
    A second call returns nothing; P is untouched until complete_idle(payments) (v3).
    """
    engine = Engine()
    engine.feed(
        [
            fire("A", 0, event_id="ci-a1"),
            clear("A", 5),
            fire("B", 20, event_id="ci-b1"),
            tkt("T", "opened", 21),
            clear("B", 25),
            fire("A", 0, service="payments", event_id="ci-p1"),
            clear("A", 2, service="payments"),
        ]
    )
    x = incident_id("checkout", "production", "ci-a1")
    y = incident_id("checkout", "production", "ci-b1")
    p = incident_id("payments", "production", "ci-p1")
    before = engine.rows()
    assert {i: (r["version"], r["completed"]) for i, r in before.items()} == {
        x: (3, 1),
        y: (3, 0),
        p: (2, 0),
    }
    outputs = engine.idle()
    assert outputs.late is False and outputs.duplicate is False
    assert [(r["incident_id"], r["version"], r["completed"]) for r in outputs.rows] == [(y, 4, 1)]
    row = outputs.rows[0]
    assert stable(row) == stable(before[y]) | {"completed": 1}
    assert row["updated_at"] == datetime(2027, 1, 15, 8, 0, 0, 8000, tzinfo=UTC)  # NOW_MS + 8
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 25, tzinfo=UTC)
    assert row["ttr_seconds"] == 300.0
    assert row["tta_seconds"] is None  # T only opened
    assert engine.idle().rows == []
    assert engine.rows()[p]["completed"] == 0
    assert [
        (r["incident_id"], r["version"], r["completed"]) for r in engine.idle("payments").rows
    ] == [(p, 3, 1)]
    assert engine.idle("payments").rows == []
    assert all(r["completed"] == 1 for r in engine.rows().values())


def test_complete_idle_with_nothing_pending_returns_no_rows() -> None:
    """Nothing pending: an empty state, a key with only deploys, a key whose incident is
    already completed by watermark. No rows and the state is left as it was."""
    assert complete_idle(new_state(), "checkout", "production", EngineConfig(), 0).rows == []
    engine = Engine()
    engine.feed([dep("d", 0), dep("d", 5, status="started")])
    engine.feed([fire("A", 0, service="payments"), clear("A", 5, service="payments")])
    engine.send(dep("x", 20, status="started", service="payments"))
    assert only(engine.rows())["completed"] == 1
    for service in ("checkout", "payments"):
        before = copy.deepcopy(engine.state(service))
        assert engine.idle(service).rows == []
        assert engine.state(service) == before


def test_idle_completed_incident_stays_completed_when_joined_without_reopen() -> None:
    """A 10:00-10:05 with T opened 10:01; complete_idle -> v4 completed. In the quiet
    period a deploy started 10:08 and T acknowledged 10:09 only join (no reopen):
    v5, v6 stay completed; resolved_at/ttr unchanged, tta = 10:09 - 10:00 = 540 s.
    A duplicate then re-emits v6 as it is."""
    engine = Engine()
    first = fire("A", 0)
    engine.feed([first, tkt("T", "opened", 1), clear("A", 5)])
    assert [(r["version"], r["completed"]) for r in engine.idle().rows] == [(4, 1)]
    rows = [
        engine.send(e).rows for e in (dep("d", 8, status="started"), tkt("T", "acknowledged", 9))
    ]
    assert [[(r["version"], r["completed"]) for r in step] for step in rows] == [[(5, 1)], [(6, 1)]]
    row = only(engine.rows())
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    assert (row["ttr_seconds"], row["tta_seconds"], row["reopen_count"]) == (300.0, 540.0, 0)
    outputs = engine.send(first)
    assert outputs.duplicate is True
    assert outputs.rows == [row]


@pytest.mark.parametrize(
    ("reopen", "resolve"),
    [
        (lambda: fire("A", 12), lambda: clear("A", 20)),
        (lambda: tkt("T", "reopened", 12), lambda: tkt("T", "resolved", 20)),
    ],
    ids=["alert-fires-again", "member-ticket-reopened"],
)
def test_reopen_after_idle_completion(reopen: Any, resolve: Any) -> None:
    """A 10:00-10:05 with T opened 10:01 (v3); complete_idle -> v4 completed 1.

    A firing of A (or T reopened) at 10:12 <= 10:15 reopens it: v5 open, completed 0,
    reopen_count 1, no resolved_at/ttr. A resolved (or T resolved) at 10:20: v6
    resolved 10:20, ttr 1200 s, still completed 0 (the idle completion was for
    resolved_at 10:05; the watermark 10:20 is not past 10:30). Then either
    complete_idle (v7), or the watermark rule: an event at 10:30:00.000 joins (v7,
    completed 0), one at 10:30:00.001 completes it (v8).
    """
    engine = Engine()
    engine.feed([fire("A", 0), tkt("T", "opened", 1), clear("A", 5)])
    assert [(r["version"], r["completed"]) for r in engine.idle().rows] == [(4, 1)]
    reopened = engine.send(reopen()).rows
    assert [
        (r["version"], r["status"], r["completed"], r["reopen_count"], r["resolved_at"])
        for r in reopened
    ] == [(5, "open", 0, 1, None)]
    assert reopened[0]["ttr_seconds"] is None
    again = engine.send(resolve()).rows
    assert [(r["version"], r["status"], r["completed"]) for r in again] == [(6, "resolved", 0)]
    assert again[0]["resolved_at"] == datetime(2026, 3, 2, 10, 20, tzinfo=UTC)
    assert again[0]["ttr_seconds"] == 1200.0
    assert again[0]["reopen_count"] == 1

    by_idle = copy.deepcopy(engine)
    rows = by_idle.idle().rows
    assert [(r["version"], r["completed"]) for r in rows] == [(7, 1)]
    assert stable(rows[0]) == stable(again[0]) | {"completed": 1}
    assert by_idle.idle().rows == []

    edge = engine.send(dep("d1", 30, status="started")).rows
    assert [(r["version"], r["completed"]) for r in edge] == [(7, 0)]
    past = engine.send(dep("d2", 30, seconds=0.001, status="started")).rows
    assert [(r["version"], r["completed"]) for r in past] == [(8, 1)]
    assert stable(past[0]) == stable(edge[0]) | {"completed": 1}


def test_completed_incident_reopened_by_late_event() -> None:
    """X: A 10:00-10:05; a deploy started 10:20 completes it (v3). A late firing of B at
    10:10 (within lateness, <= 10:15) reopens it: v4 open, completed 0, reopen_count 1.
    B resolved 10:25 -> v5 resolved 10:25; watermark 10:25 is not past 10:35 -> not
    completed; a deploy at 10:36 completes it (v6)."""
    engine = Engine()
    engine.feed([fire("A", 0), clear("A", 5)])
    assert [r["completed"] for r in engine.send(dep("d", 20, status="started")).rows] == [1]
    rows = engine.send(fire("B", 10)).rows
    assert [(r["version"], r["status"], r["completed"], r["reopen_count"]) for r in rows] == [
        (4, "open", 0, 1)
    ]
    rows = engine.send(clear("B", 25)).rows
    assert [(r["version"], r["completed"], r["ttr_seconds"]) for r in rows] == [(5, 0, 1500.0)]
    rows = engine.send(dep("e", 36, status="started")).rows
    assert [(r["version"], r["completed"]) for r in rows] == [(6, 1)]


# --- identity -------------------------------------------------------------------------------


def test_incident_id_is_hash_of_key_and_first_event() -> None:
    """id = incident_id(service, environment, first event id); same events -> same id."""
    events = [fire("A", 0, event_id="id-a1"), tkt("T", "opened", 1, event_id="id-t1")]
    first = only(run(events))
    again = only(run(list(reversed(events))))
    assert first["incident_id"] == incident_id("checkout", "production", "id-a1")
    assert again["incident_id"] == first["incident_id"]
    staging = only(run([fire("A", 0, event_id="id-a1", environment="staging")]))
    assert staging["incident_id"] == incident_id("checkout", "staging", "id-a1")
    assert staging["incident_id"] != first["incident_id"]


def test_declared_incident_id_from_opening_ticket() -> None:
    """T opened 10:00 (event 'id-t2') declares the incident -> id from 'id-t2'."""
    row = only(run([tkt("T", "opened", 0, event_id="id-t2"), fire("A", 3)]))
    assert row["incident_id"] == incident_id("checkout", "production", "id-t2")


def test_late_first_event_changes_id_and_deletes_old_one() -> None:
    """A fires 10:05 ('nf-a') -> id X v1. Late B fires 10:00 ('nf-b') -> first event is now B.

    Rows of that step: new id Y (v1) and a delete marker for X (v2, is_deleted 1).
    """
    engine = Engine()
    old = engine.send(fire("A", 5, event_id="nf-a")).rows
    x = incident_id("checkout", "production", "nf-a")
    y = incident_id("checkout", "production", "nf-b")
    assert [(r["incident_id"], r["version"]) for r in old] == [(x, 1)]
    rows = engine.send(fire("B", 0, event_id="nf-b")).rows
    assert sorted((r["incident_id"], r["version"], r["is_deleted"]) for r in rows) == sorted(
        [(y, 1, 0), (x, 2, 1)]
    )
    assert list(engine.rows()) == [y]
    row = engine.rows()[y]
    assert row["started_at"] == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert row["event_count"] == 2


def test_late_event_merging_two_incidents_deletes_the_second() -> None:
    """X: A 10:00-10:05 ('mg-a1'). Y: B 10:20-10:25 ('mg-b1') (10:20 > 10:15: separate).

    B firing 10:20 moves the watermark past 10:05 + 10 min -> X completed (v3).
    Late C fires 10:12 (<= 10:05 + 10 min) -> reopens X; C still fires at 10:20,
    so B joins X: one incident. Y (v2 so far) gets a delete marker v3; X gets v4
    (completed 0 again). X: reopen_count 1, alerts A B C, event_count 5, open.
    C resolved 10:30 -> resolved 10:30, ttr 1800 s, not completed (watermark 10:30
    is not past 10:40).
    """
    engine = Engine()
    engine.feed(
        [
            fire("A", 0, event_id="mg-a1"),
            clear("A", 5),
            fire("B", 20, event_id="mg-b1"),
            clear("B", 25),
        ]
    )
    x = incident_id("checkout", "production", "mg-a1")
    y = incident_id("checkout", "production", "mg-b1")
    assert sorted(engine.rows()) == sorted([x, y])
    assert [(r["version"], r["completed"]) for r in (engine.rows()[x], engine.rows()[y])] == [
        (3, 1),
        (2, 0),
    ]
    rows = engine.send(fire("C", 12)).rows
    assert sorted((r["incident_id"], r["version"], r["is_deleted"]) for r in rows) == sorted(
        [(x, 4, 0), (y, 3, 1)]
    )
    merged = only(engine.rows())
    assert merged["incident_id"] == x
    assert merged["reopen_count"] == 1
    assert merged["alert_ids"] == ["A", "B", "C"]
    assert merged["event_count"] == 5
    assert merged["status"] == "open"
    assert merged["completed"] == 0
    engine.send(clear("C", 30))
    merged = only(engine.rows())
    assert merged["resolved_at"] == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert merged["ttr_seconds"] == 1800.0
    assert merged["completed"] == 0


# --- keys -----------------------------------------------------------------------------------


def test_keys_are_independent() -> None:
    """checkout/production: A 10:00-10:05, release 09:50. payments/production: A fires 10:08.
    checkout/staging: A 10:02-10:04.

    payments' 10:08 firing is in checkout's quiet period but another key: no reopen.
    Three incidents; only checkout/production has the cause deploy.
    """
    rows = run(
        [
            dep("co-rel", -10),
            fire("A", 0),
            fire("A", 2, environment="staging"),
            clear("A", 4, environment="staging"),
            clear("A", 5),
            fire("A", 8, service="payments"),
        ]
    )
    by_key = {(r["service"], r["environment"]): r for r in rows.values()}
    assert set(by_key) == {
        ("checkout", "production"),
        ("checkout", "staging"),
        ("payments", "production"),
    }
    prod = by_key[("checkout", "production")]
    assert prod["reopen_count"] == 0
    assert prod["ttr_seconds"] == 300.0
    assert prod["cause_deploy_id"] == "co-rel"
    staging = by_key[("checkout", "staging")]
    assert staging["ttr_seconds"] == 120.0
    assert staging["cause_deploy_id"] is None
    payments = by_key[("payments", "production")]
    assert payments["status"] == "open"
    assert payments["cause_deploy_id"] is None
    assert payments["started_at"] == datetime(2026, 3, 2, 10, 8, tzinfo=UTC)


# --- forgetting -----------------------------------------------------------------------------


def test_incident_kept_within_retention_still_updated_days_later() -> None:
    """X: A 10:00-10:05 with T opened 10:01 (v3). A deploy started 6 days later moves
    the watermark past 10:15 -> X completed (v4); X's last event 10:05 is 6 d < 7 d
    old: X is kept, and T closed at day 6 10:30 updates it (v5: event_count 4,
    acknowledged day 6 10:30; a closed ticket does not reopen, so still completed).
    """
    engine = Engine()
    engine.feed([fire("A", 0), tkt("T", "opened", 1), clear("A", 5)])
    completion = engine.send(dep("d", 6 * DAY, status="started"))
    assert [(r["version"], r["completed"]) for r in completion.rows] == [(4, 1)]
    assert len(engine.state()["members"]) == 4
    outputs = engine.send(tkt("T", "closed", 6 * DAY + 30))
    assert [r["version"] for r in outputs.rows] == [5]
    row = only(engine.rows())
    assert row["completed"] == 1
    assert row["event_count"] == 4
    assert row["acknowledged_at"] == datetime(2026, 3, 8, 10, 30, tzinfo=UTC)
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 5, tzinfo=UTC)


def test_finished_incident_is_forgotten_and_its_ticket_treated_as_unknown() -> None:
    """X: A 10:00-10:05 with T opened 10:01. At day 8 10:00 a deploy started arrives:
    horizon day 8 09:00 > 10:05 + 10 min and 10:05 + 7 d < day 8 10:00 -> X dropped.

    T resolved at day 8 10:10 is a ticket of no incident (no row); T reopened at day 8
    10:20 then declares a NEW incident (reopen_count 0).
    """
    engine = Engine()
    engine.feed([fire("A", 0, event_id="fg-a1"), tkt("T", "opened", 1), clear("A", 5)])
    x = incident_id("checkout", "production", "fg-a1")
    engine.send(dep("d", 8 * DAY, status="started", event_id="fg-d"))
    state = engine.state()
    assert [m["event_id"] for m in state["members"]] == ["fg-d"]
    assert x not in state["emitted"]
    assert engine.send(tkt("T", "resolved", 8 * DAY + 10)).rows == []
    rows = engine.send(tkt("T", "reopened", 8 * DAY + 20, event_id="fg-t3")).rows
    assert len(rows) == 1
    new = rows[0]
    assert new["incident_id"] == incident_id("checkout", "production", "fg-t3")
    assert new["reopen_count"] == 0
    assert new["started_at"] == datetime(2026, 3, 10, 10, 20, tzinfo=UTC)
    assert new["event_count"] == 1


def test_last_20_succeeded_deploys_are_always_kept() -> None:
    """25 succeeded releases hourly from 10:00 (dp-01..dp-25) plus failed/started ones, no
    incidents; then a deploy started 30 days later. Kept: dp-06..dp-25 (the last 20
    succeeded) and the new event; the failed/started deploys and dp-01..05 are gone.
    """
    engine = Engine()
    for i in range(1, 26):
        engine.send(dep(f"d{i}", (i - 1) * 60, event_id=f"dp-{i:02d}"))
        engine.send(dep(f"d{i}", (i - 1) * 60 + 1, status="failed", event_id=f"df-{i:02d}"))
    engine.send(dep("x", 30 * DAY, status="started", event_id="dp-new"))
    kept = [m["event_id"] for m in engine.state()["members"]]
    assert kept == [f"dp-{i:02d}" for i in range(6, 26)] + ["dp-new"]


def test_last_20_deploys_give_cause_to_long_running_condition() -> None:
    """Release 'old' at day 0 10:00; a deploy started at day 30 10:00 moves the watermark
    (horizon day 30 09:00, so 'old' is far outside the suspect window before it, but it is
    one of the last 20 succeeded deploys and is kept).

    A fires at day 30 10:00 with starts_at day 0 10:30: cause window [day 0 09:30,
    day 0 10:30] -> cause 'old'; ttd = 30 d - 30 min = 2_592_000 - 1_800 = 2_590_200 s.
    """
    engine = Engine()
    engine.send(dep("old", 0))
    engine.send(dep("x", 30 * DAY, status="started"))
    assert [m["subject"] for m in engine.state()["members"]] == ["old", "x"]
    engine.send(fire("A", 30 * DAY, starts_at="2026-03-02T10:30:00Z"))
    row = only(engine.rows())
    assert row["started_at"] == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert row["detected_at"] == datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
    assert row["ttd_seconds"] == 2_590_200.0
    assert row["cause_deploy_id"] == "old"


def test_member_deploy_of_forgotten_incident_still_links_as_cause() -> None:
    """Config: retention 1 h, suspect 24 h (quiet 10 min, lateness 1 h).

    X: A 10:00-10:05 with rollback 'rb' 10:03 (a member). A deploy started 14:00
    moves the watermark: horizon 13:00 > 10:15 and 10:05 + 1 h < 14:00 -> X is
    forgotten. B fires 14:10: cause window [03-01 14:10, 03-02 14:10] contains
    'rb' (the latest succeeded deploy, one of the last 20) -> cause 'rb'.
    (Without the 14:00 event the same B row gets cause 'rb'.)
    """
    config = EngineConfig(retention_ms=3_600_000, suspect_ms=86_400_000)
    events = [fire("A", 0), dep("rb", 3, kind="rollback"), clear("A", 5)]
    events += [dep("x", 240, status="started"), fire("B", 250)]
    rows = by_start(run(events, config))
    assert rows[-1]["started_at"] == datetime(2026, 3, 2, 14, 10, tzinfo=UTC)
    assert rows[-1]["cause_deploy_id"] == "rb"


def test_state_stays_bounded_over_long_history() -> None:
    """500 days, one incident a day: release 09:50, A fires 10:00, T<d> opened 10:01,
    A resolved 10:05, T<d> resolved 10:06 (joins in quiet).

    Every incident: ttr 300 s, cause = that day's release, 4 members.
    At the end (watermark day 499 10:06): incidents whose last event (10:06) is
    not older than 7 d are kept: days 492..499 -> 8 x 4 = 32 members; plus the
    last 20 succeeded releases (days 480..499) -> 52 members. 'seen' keeps back to
    the horizon (day 499 09:06): the 5 events of day 499. 'emitted': 8 live ids.
    """
    engine = Engine()
    for d in range(500):
        base = d * DAY
        engine.feed(
            [
                dep(f"rel-{d}", base - 10),
                fire("A", base),
                tkt(f"T{d}", "opened", base + 1),
                clear("A", base + 5),
                tkt(f"T{d}", "resolved", base + 6),
            ]
        )
    state = engine.state()
    assert len(state["members"]) == 52
    assert len(state["seen"]) == 5
    assert len(state["emitted"]) == 8
    rows = by_start(engine.rows())
    assert len(rows) == 500
    assert {r["ttr_seconds"] for r in rows} == {300.0}
    assert {r["event_count"] for r in rows} == {4}
    assert rows[0]["cause_deploy_id"] == "rel-0"
    assert rows[-1]["cause_deploy_id"] == "rel-499"
    assert rows[-1]["started_at"] == datetime(
        2027, 7, 14, 10, 0, tzinfo=UTC
    )  # day 499: +365 d = 2027-03-02, +134 d


# --- property tests ---------------------------------------------------------------------------

DURATIONS = ("ttd_seconds", "tta_seconds", "tti_seconds", "ttm_seconds", "ttr_seconds")


def check_row(row: dict[str, Any]) -> None:
    """Invariants every emitted (non-deleted) row satisfies."""
    flags = row["quality_flags"]
    for name in DURATIONS:
        assert row[name] is None or row[name] >= 0.0, (name, row)
    assert (row["status"] == "resolved") == (row["resolved_at"] is not None)
    assert row["status"] in ("open", "resolved")
    if row["started_at"] > row["detected_at"]:
        assert "ttd_negative_clamped" in flags
        assert row["ttd_seconds"] == 0.0
    else:
        assert row["ttd_seconds"] == (row["detected_at"] - row["started_at"]).total_seconds()
    if row["resolved_at"] is None:
        assert row["ttr_seconds"] is None
    elif "ttr_negative_clamped" in flags:
        assert row["ttr_seconds"] == 0.0
        assert row["resolved_at"] < row["started_at"]
    else:
        assert row["ttr_seconds"] == (row["resolved_at"] - row["started_at"]).total_seconds()
    assert row["alert_count"] == len(row["alert_ids"])
    assert row["alert_ids"] == sorted(set(row["alert_ids"]))
    assert row["ticket_ids"] == sorted(set(row["ticket_ids"]))
    assert row["event_count"] >= 1
    assert row["alert_count"] + len(row["ticket_ids"]) >= 1  # opened by an alert or a ticket
    assert row["severity"] in SEVERITIES
    assert row["completed"] in (0, 1)
    assert not row["completed"] or row["status"] == "resolved"  # only resolved ones complete


@PROPERTY
@given(data=st.data())
def test_any_arrival_order_gives_same_incidents(data: st.DataObject) -> None:
    """A permutation of a history (all within the lateness) yields the same incidents,
    ``completed`` included: watermark completion depends only on the final watermark
    (the newest event time, the same for every order), so a final row is completed
    iff it resolved and the newest event is past resolved_at + quiet. After
    complete_idle both orders agree again and every resolved incident is completed.
    """
    events = data.draw(histories)
    shuffled = data.draw(st.permutations(events))
    engines = [Engine(), Engine()]
    engines[0].feed(events)
    engines[1].feed(shuffled)
    assert stable_rows(engines[1].rows()) == stable_rows(engines[0].rows())
    watermark = from_ms(max(member(e)["at"] for e in events))
    quiet = timedelta(milliseconds=DEFAULT_CONFIG.quiet_ms)
    for row in engines[0].rows().values():
        resolved = row["resolved_at"]
        assert row["completed"] == int(resolved is not None and watermark > resolved + quiet)
    for engine in engines:
        engine.idle()
    assert stable_rows(engines[1].rows()) == stable_rows(engines[0].rows())
    for row in engines[0].rows().values():
        assert row["completed"] == int(row["status"] == "resolved")


@PROPERTY
@given(data=st.data())
def test_duplicates_change_nothing(data: st.DataObject) -> None:
    """Re-sending random events (after their first delivery) changes no row, no version."""
    events = data.draw(histories)
    sequence = list(events)
    picks = data.draw(
        st.lists(st.tuples(st.integers(0, 24), st.integers(0, 99)), min_size=1, max_size=8)
    )
    for which, where in picks:
        original = events[which % len(events)]
        first = sequence.index(original)
        # somewhere after the first delivery (possibly right at the end)
        position = first + 1 + where * (len(sequence) - first) // 100
        sequence.insert(position, dict(original))
    plain = Engine()
    plain.feed(events)
    engine = Engine()
    seen: set[str] = set()
    for event in sequence:
        previous = dict(engine.latest)
        outputs = engine.send(event)
        if event["event_id"] in seen:
            assert outputs.duplicate is True
            for row in outputs.rows:
                assert row == previous[row["incident_id"]]
        seen.add(event["event_id"])
    assert {iid: stable(r) | {"version": r["version"]} for iid, r in engine.rows().items()} == {
        iid: stable(r) | {"version": r["version"]} for iid, r in plain.rows().items()
    }


@PROPERTY
@given(data=st.data())
def test_every_emitted_row_satisfies_invariants(data: st.DataObject) -> None:
    """Durations >= 0 or None; started <= detected unless flagged; status resolved iff
    resolved_at; completed only if resolved; ttr == resolved - started; versions per id
    go up by exactly 1 (completion versions from complete_idle included)."""
    events = data.draw(histories)
    for order in (events, data.draw(st.permutations(events))):
        engine = Engine()
        engine.feed(order)
        engine.idle()  # completion versions follow the same rules
        versions: dict[str, list[int]] = {}
        for row in engine.emitted:
            versions.setdefault(row["incident_id"], []).append(row["version"])
            if not row["is_deleted"]:
                check_row(row)
        for iid, seq in versions.items():
            assert seq == list(range(1, len(seq) + 1)), (iid, seq)
