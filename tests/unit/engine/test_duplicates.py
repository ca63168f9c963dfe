"""The engine ``apply_event``: duplicates.

An ``event_id`` already applied to the key changes nothing and re-emits its
incident's current row (same version), unless it is late: lateness is judged
first. docs/incident-model.md, "Duplicates, lateness, identity and versions"
(points "Duplicates" and "A duplicate that is also late is late").

Expected values are worked out by hand; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``) unless written out.
"""

from __future__ import annotations

import copy

from tests.support.engine import Engine, clear, dep, fire, only, run, tkt

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
