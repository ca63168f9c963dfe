"""The engine's safe watermark: the key's newest event time held back to ingest's input watermark.

Times are minutes after BASE_TIME 2026-03-02T10:00:00Z; the allowed lateness
is 1 h, the quiet period 10 min, the retention 7 days (defaults).
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.engine.members import to_ms
from tests.support.engine import Engine, clear, dep, fire, member, only, run, stable_rows, tkt
from tests.support.factories import BASE_TIME

DAY = 1440  # minutes


def ms(minutes: float) -> int:
    """Epoch milliseconds of BASE_TIME + ``minutes``."""
    return to_ms(BASE_TIME + timedelta(minutes=minutes))


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
    test_correlate.py), but with input 10:00 X's events stay; once caught up they go.
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


# --- property: skewed reading of time-ordered partitions ---------------------------------

SPAN_DAYS = 6  # below the 7-day retention: every incident is still remembered at the end

_event_specs = st.lists(
    st.tuples(
        st.sampled_from(("alert", "alert", "ticket", "deploy")),
        st.integers(0, SPAN_DAYS - 1),  # day
        st.integers(0, 180),  # minute of that day's busy period
        st.sampled_from(("x1", "x2")),  # subject
        st.booleans(),  # opening / closing status
    ),
    min_size=2,
    max_size=30,
)


def _event(index: int, spec: tuple[str, int, int, str, bool]) -> dict[str, Any]:
    kind, day, minute, subject, opening = spec
    event_id, minutes = f"sk{index:02d}", day * DAY + minute
    if kind == "alert":
        make = fire if opening else clear
        return make(subject, minutes, event_id=event_id)
    if kind == "ticket":
        return tkt(subject, "opened" if opening else "resolved", minutes, event_id=event_id)
    status = "succeeded" if opening else "started"
    return dep(subject, minutes, status=status, kind="rollback", event_id=event_id)


def _comparable(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    arrival = ("version", "updated_at", "completed")
    return {i: {k: v for k, v in row.items() if k not in arrival} for i, row in rows.items()}


@settings(max_examples=200, deadline=None, derandomize=True)
@given(data=st.data())
def test_skewed_reads_of_time_ordered_partitions_give_in_order_incidents(
    data: st.DataObject,
) -> None:
    """Alerts, tickets and deploys each come from one time-ordered partition, read in any
    interleaving and in batches spanning days of event time. Each batch is forwarded with
    the input watermark as ingest computes it before the batch: the lowest newest event
    time of the partitions with unread events (0 before a partition's first read).
    Nothing is late and the incidents equal those of feeding all events in time order.
    """
    events = [_event(i, spec) for i, spec in enumerate(data.draw(_event_specs))]
    partitions = {
        kind: sorted((e for e in events if e["type"] == kind), key=lambda e: member(e)["at"])
        for kind in ("alert", "ticket", "deploy")
    }
    newest: dict[str, int] = {}
    engine = Engine()
    remaining = {kind: list(queue) for kind, queue in partitions.items() if queue}
    while remaining:
        behind = [newest.get(kind, 0) for kind in remaining]
        watermark = min(behind)
        batch_size = data.draw(st.integers(1, 6), label="batch")
        for _ in range(batch_size):
            if not remaining:
                break
            kind = data.draw(st.sampled_from(sorted(remaining)), label="partition")
            event = remaining[kind].pop(0)
            if not remaining[kind]:
                del remaining[kind]
            newest[kind] = member(event)["at"]
            assert engine.send(event, input_watermark=watermark).late is False, event
    in_time_order = sorted(events, key=lambda e: member(e)["at"])
    assert _comparable(engine.rows()) == _comparable(run(in_time_order))


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


# --- property: the verdict does not depend on when the worker started ----------------------

LATENESS = 60  # minutes, the default
_arrivals = st.lists(
    st.tuples(
        st.sampled_from(("alert", "ticket", "deploy")),
        st.integers(0, 8 * 60),  # minute of event time
        st.sampled_from(("x1", "x2", "x3")),
        st.booleans(),
    ),
    min_size=1,
    max_size=25,
)


def _arrival_events(data: st.DataObject) -> list[dict[str, Any]]:
    """Draw arrivals of one key, with some events delivered again later (duplicates)."""
    specs = data.draw(_arrivals)
    events = [
        _event(i, (kind, 0, minute, subject, opening))
        for i, (kind, minute, subject, opening) in enumerate(specs)
    ]
    for _ in range(data.draw(st.integers(0, 4), label="duplicates")):
        again = data.draw(st.sampled_from(events), label="delivered again")
        position = data.draw(st.integers(events.index(again) + 1, len(events)), label="at")
        events.insert(position, again)
    return events


def _live_verdicts(events: list[dict[str, Any]]) -> list[bool]:
    """Late iff more than the allowed lateness behind the newest applied event before it."""
    newest: int | None = None
    verdicts = []
    for event in events:
        at_ms = member(event)["at"]
        late = newest is not None and at_ms < newest - LATENESS * 60_000
        verdicts.append(late)  # a duplicate within the lateness is not late (dropped)
        if not late:
            newest = at_ms if newest is None else max(newest, at_ms)
    return verdicts


@settings(max_examples=300, deadline=None, derandomize=True)
@given(data=st.data())
def test_verdict_is_the_documented_one_for_any_catch_up_interleaving(
    data: st.DataObject,
) -> None:
    """Events of one key arrive in any order; each is forwarded either caught up (no input
    watermark) or during a catch-up with any held-back input watermark. An event is late
    iff it is more than the allowed lateness behind max(safe watermark so far,
    min(newest event time of the key before it, its input watermark)), where the safe
    watermark so far is the largest such value of the events applied before it, and the
    input watermark of a caught-up event counts as no limit. Caught up, that is exactly the
    newest event time of the key before it. An event that is not late and was applied
    before is a duplicate (whatever its time) and changes nothing.
    """
    events = _arrival_events(data)
    engine = Engine()
    newest: int | None = None
    safe: int | None = None
    applied: set[str] = set()
    for event in events:
        held = data.draw(st.none() | st.integers(0, ms(9 * 60)), label="input watermark")
        at_ms = member(event)["at"]
        reference = None
        if newest is not None:
            reached = newest if held is None else min(newest, held)
            reference = reached if safe is None else max(safe, reached)
        late = reference is not None and at_ms < reference - LATENESS * 60_000
        duplicate = not late and event["event_id"] in applied
        outputs = engine.send(event, input_watermark=held)
        assert (outputs.late, outputs.duplicate) == (late, duplicate), (event, reference)
        if not late and not duplicate:
            applied.add(event["event_id"])
            newest = at_ms if newest is None else max(newest, at_ms)
            reached = newest if held is None else min(newest, held)
            safe = reached if safe is None else max(safe, reached)
            assert engine.state()["safe_watermark"] == safe


@settings(max_examples=300, deadline=None, derandomize=True)
@given(data=st.data())
def test_same_verdicts_and_incidents_whatever_the_worker_start_time(
    data: st.DataObject,
) -> None:
    """The same arrivals, read by a worker that started late: the events before its start
    (up to the first event that is late when processed live) are read during a catch-up
    with any held-back input watermarks, the rest caught up. Every event gets the verdict
    of live processing, and the incidents are the same.
    """
    events = _arrival_events(data)
    verdicts = _live_verdicts(events)
    first_late = verdicts.index(True) if True in verdicts else len(events)
    start = data.draw(st.integers(0, first_late), label="worker start")
    engine, live = Engine(), Engine()
    for index, event in enumerate(events):
        held = None
        if index < start:
            held = data.draw(st.integers(0, ms(9 * 60)), label="input watermark")
        assert engine.send(event, input_watermark=held).late is verdicts[index], event
        assert live.send(event).late is verdicts[index], event
    assert _comparable(engine.rows()) == _comparable(live.rows())
