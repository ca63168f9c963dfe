"""The engine's safe watermark: the key's newest event time held back to ingest's input watermark.

Worked examples: lateness, completion and pruning held back during a catch-up,
and the first caught-up event of a key judged against the key's newest event.
docs/incident-model.md, "Duplicates, lateness, identity and versions" (points
"Lateness" and "Catching up on a backlog"). The property tests are in
test_input_watermark_properties.py.

Times are minutes after BASE_TIME 2026-03-02T10:00:00Z; the allowed lateness
is 1 h, the quiet period 10 min, the retention 7 days (defaults).
"""

from __future__ import annotations

import copy
from datetime import timedelta

from tests.support.engine import DAY, Engine, clear, dep, fire, ms, only, run, stable_rows, tkt
from tests.support.factories import BASE_TIME


def test_event_far_behind_the_key_but_not_behind_the_input_is_applied() -> None:
    """A fires at day 2 10:00 while the tickets partition is still at 10:00 (input watermark).

    Safe watermark = min(day 2 10:00, 10:00) = 10:00, so T opened at 10:30 is
    applied (without the input watermark it is 2 days late): T declares the
    incident at 10:30 and A joins it, exactly as in time order.
    """
    opened, firing = tkt("T", "opened", 30), fire("A", 2 * DAY)
    engine = Engine()
    assert engine.send(firing, input_watermark=ms(0)).late is False
    assert engine.state()["watermark"] == ms(2 * DAY)
    assert engine.state()["safe_watermark"] == ms(0)
    assert engine.send(opened, input_watermark=ms(30)).late is False
    row = only(engine.rows())
    assert row["started_at"] == BASE_TIME + timedelta(minutes=30)
    assert (row["alert_ids"], row["ticket_ids"]) == (["A"], ["T"])
    assert stable_rows(engine.rows()) == stable_rows(run([opened, firing]))
    in_order = Engine()
    assert in_order.send(fire("A", 2 * DAY)).late is False
    assert in_order.send(tkt("T", "opened", 30)).late is True  # the bug this fixes


def test_unread_partition_holds_the_watermark_at_zero() -> None:
    """Input watermark 0 (a partition with messages not read yet): nothing is late."""
    engine = Engine()
    engine.send(fire("A", 300 * DAY), input_watermark=0)
    assert engine.state()["safe_watermark"] == 0
    assert engine.send(tkt("T", "opened", 0), input_watermark=0).late is False


def test_late_is_measured_against_the_safe_watermark() -> None:
    """Safe watermark 12:00 (input 12:00, key at day 1): 10:59:59.999 late, 11:00 applied."""
    engine = Engine()
    engine.send(fire("A", DAY), input_watermark=ms(120))
    assert engine.send(dep("d1", 60, seconds=-0.001), input_watermark=ms(120)).late is True
    assert engine.send(dep("d2", 60), input_watermark=ms(120)).late is False


def test_safe_watermark_never_moves_back() -> None:
    """Caught up at day 1 10:00 (no header): safe = day 1 10:00. A later header of 10:00
    (a partition fell behind again) does not lower it, so 10:30 stays late.
    """
    engine = Engine()
    engine.send(fire("A", DAY))
    assert engine.state()["safe_watermark"] == ms(DAY)
    engine.send(clear("A", DAY + 5), input_watermark=ms(0))
    assert engine.state()["safe_watermark"] == ms(DAY)  # max(day 1 10:00, min(day 1 10:05, 10:00))
    assert engine.send(tkt("T", "opened", 30), input_watermark=ms(0)).late is True


def test_safe_watermark_never_passes_the_key_watermark() -> None:
    """Input watermark day 5 but the key's newest event is 10:00: safe = 10:00."""
    engine = Engine()
    engine.send(fire("A", 0), input_watermark=ms(5 * DAY))
    assert engine.state()["safe_watermark"] == ms(0)


def test_completion_waits_for_the_input_watermark() -> None:
    """A 10:00-10:05 (resolved_at R = 10:05; complete once past R + 10 min = 10:15).

    A deploy at 10:20 with input 10:10 -> safe 10:10: not completed. A deploy at
    10:21 once caught up (no header) -> safe 10:21: completed (new version).
    """
    engine = Engine()
    engine.feed([fire("A", 0), clear("A", 5)])
    held = engine.send(dep("d1", 20, status="started"), input_watermark=ms(10))
    assert held.rows == []
    assert engine.state()["safe_watermark"] == ms(10)
    done = engine.send(dep("d2", 21, status="started"))
    assert [(row["version"], row["completed"]) for row in done.rows] == [(3, 1)]


def test_pruning_waits_for_the_input_watermark() -> None:
    """X: A 10:00-10:05. A deploy at day 8 10:00 would drop X (see the retention test in
    test_forgetting.py), but with input 10:00 X's events stay; once caught up they go.
    """
    engine = Engine()
    engine.feed([fire("A", 0, event_id="pw-a1"), clear("A", 5, event_id="pw-a2")])
    engine.send(dep("d1", 8 * DAY, status="started", event_id="pw-d1"), input_watermark=ms(0))
    kept = [m["event_id"] for m in engine.state()["members"]]
    assert kept == ["pw-a1", "pw-a2", "pw-d1"]
    engine.send(dep("d2", 8 * DAY + 1, status="started", event_id="pw-d2"))
    assert [m["event_id"] for m in engine.state()["members"]] == ["pw-d1", "pw-d2"]


def test_state_written_before_safe_watermark_existed_uses_the_watermark() -> None:
    """A state without ``safe_watermark`` (older changelog) judges lateness as before."""
    engine = Engine()
    engine.send(fire("A", 120))
    state = engine.state()
    del state["safe_watermark"]
    before = copy.deepcopy(state)
    assert engine.send(tkt("T", "opened", 60, seconds=-0.001)).late is True
    assert engine.state() == before
    assert engine.send(tkt("T", "opened", 60)).late is False


# --- after a catch-up: the first caught-up event of a key ---------------------------------


def test_first_event_after_catch_up_is_judged_against_the_key_newest_event() -> None:
    """Read during a catch-up (input watermark 0): A fires 12:00 and resolves 12:10, so the
    key's newest event is 12:10 and its safe watermark stays 0. Once every partition is
    caught up, B fires at 10:40: 90 min behind 12:10 and nothing is unread any more, so the
    safe watermark is 12:10 and B is late. The verdict is the one a worker that read A
    caught up would give.
    """
    engine = Engine()
    engine.send(fire("A", 120), input_watermark=0)
    engine.send(clear("A", 130), input_watermark=0)
    assert engine.state()["safe_watermark"] == 0
    before = copy.deepcopy(engine.state())
    assert engine.send(fire("B", 40)).late is True
    assert engine.state() == before
    live = Engine()
    live.feed([fire("A", 120), clear("A", 130)])
    assert live.send(fire("B", 40)).late is True


def test_first_event_after_catch_up_merging_two_incidents_is_late() -> None:
    """X = A 11:00-11:05 and Y = C 12:00-12:05, both read during a catch-up (input 0).
    Caught up, B fires at 10:45 and never resolves: applied, it would hold one incident
    open from 10:45 that swallows X and Y. It is 80 min behind 12:05: late, both stay.
    """
    engine = Engine()
    for event in (fire("A", 60), clear("A", 65), fire("C", 120), clear("C", 125)):
        engine.send(event, input_watermark=0)
    rows_before = stable_rows(engine.rows())
    assert len(rows_before) == 2
    assert engine.send(fire("B", 45)).late is True
    assert stable_rows(engine.rows()) == rows_before


def test_caught_up_event_within_lateness_of_the_key_is_applied() -> None:
    """Same catch-up as above; caught up, B fires at 11:10, exactly 1 h behind 12:10: applied."""
    engine = Engine()
    engine.send(fire("A", 120), input_watermark=0)
    engine.send(clear("A", 130), input_watermark=0)
    assert engine.send(fire("B", 70)).late is False
    assert engine.state()["safe_watermark"] == ms(130)


def test_held_back_input_watermark_above_the_old_safe_watermark_counts() -> None:
    """Still catching up: A 12:00 read with input 0 (safe 0). The next batch carries input
    11:30 (every partition has reached 11:30): safe for the next event = min(12:00, 11:30) =
    11:30, so a deploy at 10:29:59.999 is late, one at 10:30 is applied.
    """
    engine = Engine()
    engine.send(fire("A", 120), input_watermark=0)
    assert engine.send(dep("d1", 30, seconds=-0.001), input_watermark=ms(90)).late is True
    assert engine.send(dep("d2", 30), input_watermark=ms(90)).late is False
