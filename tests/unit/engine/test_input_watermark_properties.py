"""Properties of the engine's safe watermark (the key's newest event time held back to
ingest's input watermark).

Skewed reads of time-ordered partitions give the incidents of the engine fed in
time order, and the verdicts do not depend on when the worker started.
docs/incident-model.md, "Duplicates, lateness, identity and versions" (points
"Lateness", "A duplicate that is also late is late" and "Catching up on a
backlog"). The worked examples are in test_input_watermark.py.

Times are minutes after BASE_TIME 2026-03-02T10:00:00Z; the allowed lateness
is 1 h, the quiet period 10 min, the retention 7 days (defaults).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.engine import DAY, Engine, clear, dep, fire, member, ms, run, tkt

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
