"""The engine: completion by watermark (``apply_event``) and by idle partition (``complete_idle``).

A resolved incident is completed once the key's watermark passes
``resolved_at`` + quiet period, or when ``complete_idle`` is called for its key;
an open one never is, and a reopened one is completed again later.
docs/incident-model.md, "Duplicates, lateness, identity and versions" (point
"Completion").

Expected values are worked out by hand; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``) unless written out.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from streams.engine.correlate import EngineConfig, complete_idle, new_state
from streams.engine.incident import incident_id
from tests.support.engine import DAY, Engine, clear, dep, fire, only, stable, tkt

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
