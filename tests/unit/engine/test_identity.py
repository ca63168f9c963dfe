"""The engine ``apply_event``: incident identity and keys.

``incident_id`` hashes service, environment and the first event's id; a late
event that changes the first event or merges two incidents writes a delete
marker for the id that disappears. Keys (service, environment) are
independent. docs/incident-model.md, "Keys and order" and "Duplicates,
lateness, identity and versions" (point "Identity").

Expected values are worked out by hand; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``) unless written out.
"""

from __future__ import annotations

from datetime import UTC, datetime

from streams.engine.incident import incident_id
from tests.support.engine import Engine, clear, dep, fire, only, run, tkt

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
