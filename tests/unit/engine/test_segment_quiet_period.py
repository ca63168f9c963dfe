"""The quiet period: what reopens a resolved incident and what only joins it.

docs/incident-model.md, "Which events form an incident" (the rows "the last
incident resolved at ``R`` and ``t <= R + quiet period``") and "Reopen example".

Histories are fed through the engine (``tests.support.engine.run``) and the
expected rows are worked out by hand from the spec; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from streams.engine.correlate import EngineConfig
from tests.support.engine import Engine, by_start, clear, dep, fire, only, run, tkt

# --- quiet period --------------------------------------------------------------


def test_reopen_example_from_spec() -> None:
    """A fires 12:00, resolves 12:20, fires 12:25 (<= 12:20 + 10 min), resolves 12:40.

    One incident, reopen_count 1, resolved_at 12:40, ttr = 40 min = 2400 s.
    """
    row = only(run([fire("A", 120), clear("A", 140), fire("A", 145), clear("A", 160)]))
    assert row["reopen_count"] == 1
    assert row["resolved_at"] == datetime(2026, 3, 2, 12, 40, tzinfo=UTC)
    assert row["ttr_seconds"] == 2400.0
    assert row["event_count"] == 4
    assert row["alert_count"] == 1


def test_reopen_example_fired_at_1231_is_a_second_incident() -> None:
    """Same, but the second firing at 12:31 > 12:30: two incidents of 20 and 9 minutes."""
    first, second = by_start(
        run([fire("A", 120), clear("A", 140), fire("A", 151), clear("A", 160)])
    )
    assert first["resolved_at"] == datetime(2026, 3, 2, 12, 20, tzinfo=UTC)
    assert first["ttr_seconds"] == 1200.0  # 12:20 - 12:00
    assert first["reopen_count"] == 0
    assert second["started_at"] == datetime(2026, 3, 2, 12, 31, tzinfo=UTC)
    assert second["resolved_at"] == datetime(2026, 3, 2, 12, 40, tzinfo=UTC)
    assert second["ttr_seconds"] == 540.0  # 12:40 - 12:31
    assert second["reopen_count"] == 0


def test_firing_exactly_at_quiet_end_reopens() -> None:
    """A 10:00-10:05; B fires 10:15:00.000 = 10:05 + 600 s (inclusive) and resolves 10:20.

    One incident: reopen_count 1, resolved_at moves to 10:20, ttr 1200 s.
    """
    engine = Engine()
    engine.feed([fire("A", 0), clear("A", 5), fire("B", 15)])
    reopened = only(engine.rows())
    assert reopened["status"] == "open"
    assert reopened["resolved_at"] is None
    assert reopened["reopen_count"] == 1
    engine.send(clear("B", 20))
    row = only(engine.rows())
    assert row["reopen_count"] == 1
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 20, tzinfo=UTC)
    assert row["ttr_seconds"] == 1200.0
    assert row["alert_ids"] == ["A", "B"]


def test_firing_one_millisecond_after_quiet_opens_new_incident() -> None:
    """A 10:00-10:05; B fires 10:15:00.001 (> 10:15) -> second incident.

    First ttr 300 s; second started 10:15:00.001, resolved 10:20 -> ttr 299.999 s.
    """
    first, second = by_start(
        run([fire("A", 0), clear("A", 5), fire("B", 15, seconds=0.001), clear("B", 20)])
    )
    assert first["ttr_seconds"] == 300.0
    assert first["event_count"] == 2
    assert second["started_at"] == datetime(2026, 3, 2, 10, 15, 0, 1000, tzinfo=UTC)
    assert second["ttr_seconds"] == 299.999
    assert second["reopen_count"] == 0


def test_quiet_period_is_configurable() -> None:
    """Quiet 5 min: A 10:00-10:05; B at 10:10 reopens (<= 10:10), C at 10:20:00.001 does not."""
    config = EngineConfig(quiet_ms=300_000)
    events = [fire("A", 0), clear("A", 5), fire("B", 10), clear("B", 15)]
    events += [fire("C", 20, seconds=0.001), clear("C", 25)]
    first, second = by_start(run(events, config))
    assert first["reopen_count"] == 1
    assert first["resolved_at"] == datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
    assert second["started_at"] == datetime(2026, 3, 2, 10, 20, 0, 1000, tzinfo=UTC)


@pytest.mark.parametrize("status", ["opened", "reopened"])
def test_ticket_in_quiet_reopens_and_holds_until_resolved(status: str) -> None:
    """A 10:00-10:05; unknown T opened/reopened 10:08 (<= 10:15) reopens and holds.

    B fires 10:20 and resolves 10:25 while held: joins, no second reopen.
    T resolved 10:40 -> resolved_at 10:40, ttr 2400 s, reopen_count 1.
    """
    engine = Engine()
    engine.feed([fire("A", 0), clear("A", 5), tkt("T", status, 8)])
    held = only(engine.rows())
    assert held["status"] == "open"
    assert held["reopen_count"] == 1
    engine.feed([fire("B", 20), clear("B", 25)])
    assert only(engine.rows())["status"] == "open"
    engine.send(tkt("T", "resolved", 40))
    row = only(engine.rows())
    assert row["status"] == "resolved"
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 40, tzinfo=UTC)
    assert row["ttr_seconds"] == 2400.0
    assert row["reopen_count"] == 1
    assert row["event_count"] == 6
    assert row["ticket_ids"] == ["T"]


def test_ticket_opened_exactly_at_quiet_end_reopens() -> None:
    """A 10:00-10:05; T opened 10:15:00.000 reopens; T closed 10:30 -> ttr 1800 s."""
    row = only(run([fire("A", 0), clear("A", 5), tkt("T", "opened", 15), tkt("T", "closed", 30)]))
    assert row["reopen_count"] == 1
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert row["ttr_seconds"] == 1800.0


def test_ticket_opened_after_quiet_declares_new_incident() -> None:
    """A 10:00-10:05; T opened 10:15:00.001 -> a second (declared) incident."""
    first, second = by_start(
        run([fire("A", 0), clear("A", 5), tkt("T", "opened", 15, seconds=0.001)])
    )
    assert first["ticket_ids"] == []
    assert second["ticket_ids"] == ["T"]
    assert second["alert_count"] == 0
    assert second["started_at"] == datetime(2026, 3, 2, 10, 15, 0, 1000, tzinfo=UTC)


def test_other_events_in_quiet_join_without_reopen() -> None:
    """A 10:00-10:05; in quiet: deploy started 10:06, U acknowledged 10:07, B resolved 10:08,
    ticket W resolved 10:09 -> all join, no reopen, resolved_at stays 10:05 (ttr 300 s).

    acknowledged_at = 10:07 (U) -> tta = 420 s.
    """
    row = only(
        run(
            [
                fire("A", 0),
                clear("A", 5),
                dep("d1", 6, status="started"),
                tkt("U", "acknowledged", 7),
                clear("B", 8),
                tkt("W", "resolved", 9),
            ]
        )
    )
    assert row["event_count"] == 6
    assert row["reopen_count"] == 0
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    assert row["ttr_seconds"] == 300.0
    assert row["ticket_ids"] == ["U", "W"]
    assert row["alert_ids"] == ["A"]
    assert row["tta_seconds"] == 420.0


def test_ticket_resolved_in_quiet_does_not_move_alert_incident_resolution() -> None:
    """A 10:00; T opened 10:01 (joins); A resolved 10:05; T resolved 10:10 (in quiet).

    The ticket does not hold an alert incident open: resolved_at 10:05, ttr 300 s.
    """
    row = only(run([fire("A", 0), tkt("T", "opened", 1), clear("A", 5), tkt("T", "resolved", 10)]))
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    assert row["ttr_seconds"] == 300.0
    assert row["reopen_count"] == 0
    assert row["event_count"] == 4


def test_events_after_quiet_belong_to_no_incident() -> None:
    """A 10:00-10:05; deploy started 10:16 and unknown U acknowledged 10:20 join nothing.

    The deploy moves the watermark past 10:05 + 10 min, so its only row is the
    incident's completion (v3: completed 1, still 2 events); U writes no row.
    """
    engine = Engine()
    engine.feed([fire("A", 0), clear("A", 5)])
    rows = engine.send(dep("d1", 16, status="started")).rows
    assert [(r["version"], r["completed"], r["event_count"]) for r in rows] == [(3, 1, 2)]
    assert engine.send(tkt("U", "acknowledged", 20)).rows == []
    row = only(engine.rows())
    assert row["event_count"] == 2
    assert row["ticket_ids"] == []
