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

from streams.members import to_ms
from tests.engine_helpers import Engine, clear, dep, fire, member, only, run, stable_rows, tkt
from tests.factories import BASE_TIME

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
