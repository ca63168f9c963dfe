"""Which events join an incident, and when it is open or resolved; ``segment()`` directly.

docs/incident-model.md, "Which events form an incident" (the row "an incident
is open" and "When is an incident open?").

Histories are fed through the engine (``tests.support.engine.run``) and the
expected rows are worked out by hand from the spec; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``). The last test calls ``segment`` directly.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from streams.engine.incident import incident_id
from streams.engine.members import sort_key
from streams.engine.segment import segment
from tests.support.engine import Engine, clear, dep, fire, member, only, run, tkt

BASE_MS = 1_772_445_600_000  # 2026-03-02T10:00:00Z in epoch milliseconds
MIN = 60_000  # one minute in ms


# --- membership and open/resolved --------------------------------------------


def test_any_event_joins_an_open_incident() -> None:
    """A fires 10:00; deploy started 10:02, unknown T acknowledged 10:03, B resolved 10:04 join.

    event_count 4; B never fired so alert_ids stays [A]; still open (A fires).
    """
    row = only(
        run(
            [
                fire("A", 0),
                dep("d1", 2, status="started"),
                tkt("T", "acknowledged", 3),
                clear("B", 4),
            ]
        )
    )
    assert row["event_count"] == 4
    assert row["alert_ids"] == ["A"]
    assert row["ticket_ids"] == ["T"]
    assert row["status"] == "open"
    assert row["acknowledged_at"] == datetime(2026, 3, 2, 10, 3, tzinfo=UTC)


def test_alert_incident_open_while_any_alert_fires() -> None:
    """A 10:00-10:05 and B 10:03-10:12 overlap: open after A resolves; resolves 10:12.

    ttr = 10:12 - 10:00 = 720 s.
    """
    engine = Engine()
    engine.feed([fire("A", 0), fire("B", 3), clear("A", 5)])
    assert only(engine.rows())["status"] == "open"
    assert only(engine.rows())["resolved_at"] is None
    engine.send(clear("B", 12))
    row = only(engine.rows())
    assert row["status"] == "resolved"
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 12, tzinfo=UTC)
    assert row["ttr_seconds"] == 720.0
    assert row["alert_ids"] == ["A", "B"]
    assert row["alert_count"] == 2


def test_resolved_before_firing_delivered_out_of_order() -> None:
    """Arrival: A resolved 10:10, then A firing 10:00 -> A resolved at 10:10 by event time.

    The resolved alone forms nothing; then one incident, ttr = 600 s.
    """
    engine = Engine()
    assert engine.send(clear("A", 10)).rows == []
    engine.send(fire("A", 0))
    row = only(engine.rows())
    assert row["status"] == "resolved"
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 10, tzinfo=UTC)
    assert row["ttr_seconds"] == 600.0
    assert row["event_count"] == 2


@pytest.mark.parametrize("resolved_first", [False, True])
def test_same_millisecond_firing_and_resolved_resolved_wins(resolved_first: bool) -> None:
    """Firing and resolved of A both at 10:04:00.250 -> resolved wins: ttr 0."""
    events = [fire("A", 4, seconds=0.25), clear("A", 4, seconds=0.25)]
    if resolved_first:
        events.reverse()
    row = only(run(events))
    assert row["status"] == "resolved"
    assert row["started_at"] == datetime(2026, 3, 2, 10, 4, 0, 250000, tzinfo=UTC)
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 4, 0, 250000, tzinfo=UTC)
    assert row["ttr_seconds"] == 0.0


def test_firing_alert_sorts_before_opening_ticket_at_same_millisecond() -> None:
    """Ticket 'a-ticket' opened and alert 'z-alert' firing both at 10:00.

    The spec puts both "first"; the code ranks the firing alert before the
    opening ticket, so it is an alert incident whose id comes from the alert and
    the alert's resolution (10:05) resolves it although the ticket is open.
    """
    row = only(
        run(
            [
                tkt("T", "opened", 0, event_id="a-ticket"),
                fire("A", 0, event_id="z-alert"),
                clear("A", 5),
            ]
        )
    )
    assert row["incident_id"] == incident_id("checkout", "production", "z-alert")
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    assert row["event_count"] == 3


# --- segment() directly ------------------------------------------------------------


def test_segment_function_partitions_members() -> None:
    """A 10:00-10:05, deploy 10:30 (outside), T opened 10:40, T resolved 10:50.

    Two segments: [A firing, A resolved] resolved at 10:05 (BASE + 5 min) and the
    declared [T opened, T resolved] resolved at 10:50 (BASE + 50 min); the deploy
    belongs to none.
    """
    events = [
        fire("A", 0, event_id="s-a1"),
        clear("A", 5, event_id="s-a2"),
        dep("d", 30, event_id="s-d"),
        tkt("T", "opened", 40, event_id="s-t1"),
        tkt("T", "resolved", 50, event_id="s-t2"),
    ]
    segments = segment(sorted((member(e) for e in events), key=sort_key), 600_000)
    assert [[m["event_id"] for m in s.members] for s in segments] == [
        ["s-a1", "s-a2"],
        ["s-t1", "s-t2"],
    ]
    assert [s.declared for s in segments] == [False, True]
    assert [s.resolved_at for s in segments] == [BASE_MS + 5 * MIN, BASE_MS + 50 * MIN]
    assert [s.is_open for s in segments] == [False, False]
    assert [s.reopen_count for s in segments] == [0, 0]
