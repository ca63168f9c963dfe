"""Which events form an incident (docs/incident-model.md, "Which events form an incident").

Histories are fed through the engine (``tests.support.engine.run``) and the
expected rows are worked out by hand from the spec; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``). A few tests call ``segment`` directly.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from streams.engine.correlate import EngineConfig
from streams.engine.incident import incident_id
from streams.engine.members import sort_key
from streams.engine.segment import segment
from streams.settings import project_root
from tests.support.engine import (
    Engine,
    by_start,
    clear,
    dep,
    fire,
    member,
    only,
    run,
    stable_rows,
    tkt,
)

BASE_MS = 1_772_445_600_000  # 2026-03-02T10:00:00Z in epoch milliseconds
MIN = 60_000  # one minute in ms


# --- opening -----------------------------------------------------------------


def test_firing_alert_opens_an_incident() -> None:
    """A fires 10:00 -> one open incident started/detected 10:00, no resolution yet."""
    row = only(run([fire("A", 0)]))
    assert row["status"] == "open"
    assert row["started_at"] == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert row["detected_at"] == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert row["resolved_at"] is None
    assert row["ttr_seconds"] is None
    assert row["alert_ids"] == ["A"]
    assert row["alert_count"] == 1
    assert row["ticket_ids"] == []
    assert row["event_count"] == 1
    assert row["reopen_count"] == 0


@pytest.mark.parametrize("status", ["opened", "reopened"])
def test_opening_ticket_declares_an_incident(status: str) -> None:
    """T opened/reopened 10:03 with no incident -> declared incident started/detected 10:03.

    Severity comes from the ticket; category is availability (no alerts).
    """
    row = only(run([tkt("T", status, 3, severity="critical", title="Checkout down")]))
    assert row["status"] == "open"
    assert row["started_at"] == datetime(2026, 3, 2, 10, 3, tzinfo=UTC)
    assert row["detected_at"] == datetime(2026, 3, 2, 10, 3, tzinfo=UTC)
    assert row["ttd_seconds"] == 0.0
    assert row["severity"] == "critical"
    assert row["category"] == "availability"
    assert row["title"] == "Checkout down"
    assert row["ticket_ids"] == ["T"]
    assert row["alert_ids"] == []
    assert row["alert_count"] == 0


def test_declared_incident_without_ticket_severity_is_medium() -> None:
    """A ticket without severity -> severity medium (the default)."""
    row = only(run([tkt("T", "opened", 0)]))
    assert row["severity"] == "medium"
    assert row["category"] == "availability"


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(clear("A", 0), id="resolved-alert"),
        pytest.param(dep("d1", 0), id="succeeded-deploy"),
        pytest.param(dep("d1", 0, status="started"), id="started-deploy"),
        pytest.param(dep("d1", 0, status="failed", kind="rollback"), id="failed-deploy"),
        pytest.param(tkt("T", "acknowledged", 0), id="ticket-acknowledged"),
        pytest.param(tkt("T", "identified", 0), id="ticket-identified"),
        pytest.param(tkt("T", "mitigated", 0), id="ticket-mitigated"),
        pytest.param(tkt("T", "resolved", 0), id="ticket-resolved"),
        pytest.param(tkt("T", "closed", 0), id="ticket-closed"),
    ],
)
def test_non_opening_event_without_incident_forms_none(event: dict[str, object]) -> None:
    """Resolved alert, deploy, non-opening ticket of an unknown ticket: no incident, no row."""
    engine = Engine()
    outputs = engine.send(event)
    assert outputs.rows == []
    assert engine.rows() == {}


def test_segment_function_ignores_non_opening_events() -> None:
    """segment() on [resolved A 10:00, deploy 10:01, T acknowledged 10:02] -> no segment."""
    members = sorted(
        [member(clear("A", 0)), member(dep("d", 1)), member(tkt("T", "acknowledged", 2))],
        key=sort_key,
    )
    assert segment(members, 600_000) == []


def test_ticket_event_before_incident_is_not_a_member() -> None:
    """T acknowledged 10:00 (no incident) is dropped; A fires 10:01, T opened 10:02 joins.

    Members: A firing, T opened -> event_count 2; the 10:00 ack does not count, so
    acknowledged_at stays empty.
    """
    row = only(run([tkt("T", "acknowledged", 0), fire("A", 1), tkt("T", "opened", 2)]))
    assert row["event_count"] == 2
    assert row["ticket_ids"] == ["T"]
    assert row["acknowledged_at"] is None
    assert row["started_at"] == datetime(2026, 3, 2, 10, 1, tzinfo=UTC)


# --- a ticket's events before its own opened (incident-model.md) --------------


@pytest.mark.parametrize("status", ["acknowledged", "identified", "mitigated"])
def test_ticket_event_before_its_own_opened_belongs_to_no_incident(status: str) -> None:
    """T <status> 10:00 (nothing open), T opened 10:02 (declares), T resolved 10:30.

    The 10:00 event is placed by its own time: no member. event_count 2;
    started = detected = 10:02; acknowledged_at = resolved_at = 10:30 (resolved
    counts as acknowledgement) -> tta = ttr = 1680 s; identified/mitigated empty;
    no quality flag. The same rows in reverse arrival order.
    """
    events = [tkt("T", status, 0), tkt("T", "opened", 2), tkt("T", "resolved", 30)]
    row = only(run(events))
    assert row["event_count"] == 2
    assert row["incident_id"] == incident_id("checkout", "production", events[1]["event_id"])
    assert row["started_at"] == datetime(2026, 3, 2, 10, 2, tzinfo=UTC)
    assert row["detected_at"] == datetime(2026, 3, 2, 10, 2, tzinfo=UTC)
    assert row["acknowledged_at"] == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert row["tta_seconds"] == 1680.0
    assert row["ttr_seconds"] == 1680.0
    assert row["identified_at"] is None
    assert row["mitigated_at"] is None
    assert row["quality_flags"] == []
    assert stable_rows(run(list(reversed(events)))) == stable_rows(run(events))


def test_ticket_event_before_its_own_opened_joins_the_incident_open_at_its_time() -> None:
    """A fires 09:58; T acknowledged 10:00 joins; T opened 10:02 (a member now) declares
    nothing; A resolved 10:10.

    One incident: acknowledged 10:00 -> tta 120 s; ttr 720 s; event_count 4. Same
    rows in reverse arrival order.
    """
    events = [fire("A", -2), tkt("T", "acknowledged", 0), tkt("T", "opened", 2), clear("A", 10)]
    row = only(run(events))
    assert row["acknowledged_at"] == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert row["tta_seconds"] == 120.0
    assert row["ttr_seconds"] == 720.0
    assert row["ticket_ids"] == ["T"]
    assert row["event_count"] == 4
    assert row["reopen_count"] == 0
    assert stable_rows(run(list(reversed(events)))) == stable_rows(run(events))


@pytest.mark.parametrize(
    ("opened_minute", "reopen_count", "status"),
    [(20, 0, "resolved"), (12, 1, "open")],
    ids=["opened-after-quiet-updates", "opened-in-quiet-reopens"],
)
def test_ticket_event_in_quiet_before_its_own_opened_makes_it_a_member(
    opened_minute: int, reopen_count: int, status: str
) -> None:
    """X: A 10:00-10:05. T acknowledged 10:08 joins X in its quiet period (no reopen).

    T opened 10:20 (> 10:15): T is X's member, so it only updates X (no new
    incident; X stays resolved at 10:05). T opened 10:12 (<= 10:15) reopens X
    and holds it open. Either way one incident with 4 events, tta 480 s.
    """
    events = [fire("A", 0), clear("A", 5), tkt("T", "acknowledged", 8)]
    events.append(tkt("T", "opened", opened_minute))
    row = only(run(events))
    assert row["event_count"] == 4
    assert row["reopen_count"] == reopen_count
    assert row["status"] == status
    assert row["acknowledged_at"] == datetime(2026, 3, 2, 10, 8, tzinfo=UTC)
    assert row["tta_seconds"] == 480.0
    assert stable_rows(run(list(reversed(events)))) == stable_rows(run(events))


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


# --- member tickets ------------------------------------------------------------


def test_member_ticket_updates_its_incident_a_day_later() -> None:
    """A 10:00; T opened 10:01, acknowledged 10:02; A resolved 10:05; T closed next day 10:00.

    The close joins (event_count 5) but acknowledged_at stays 10:02 (tta 120 s)
    and resolved_at 10:05 (ttr 300 s); no reopen.
    """
    engine = Engine()
    engine.feed([fire("A", 0), tkt("T", "opened", 1), tkt("T", "acknowledged", 2), clear("A", 5)])
    assert only(engine.rows())["event_count"] == 4
    outputs = engine.send(tkt("T", "closed", 1440))
    assert len(outputs.rows) == 1
    row = only(engine.rows())
    assert row["event_count"] == 5
    assert row["acknowledged_at"] == datetime(2026, 3, 2, 10, 2, tzinfo=UTC)
    assert row["tta_seconds"] == 120.0
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    assert row["ttr_seconds"] == 300.0
    assert row["reopen_count"] == 0
    assert row["status"] == "resolved"


def test_member_ticket_first_acknowledgement_a_day_later() -> None:
    """A 10:00; T opened 10:01; A resolved 10:05; T resolved 2026-03-03 10:01.

    'resolved' counts as acknowledgement: acknowledged_at next day 10:01,
    tta = 24 h + 60 s = 86460 s; resolved_at stays 10:05.
    """
    row = only(
        run([fire("A", 0), tkt("T", "opened", 1), clear("A", 5), tkt("T", "resolved", 1441)])
    )
    assert row["acknowledged_at"] == datetime(2026, 3, 3, 10, 1, tzinfo=UTC)
    assert row["tta_seconds"] == 86460.0
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 5, tzinfo=UTC)


def test_declared_incident_closed_a_day_later_keeps_first_resolution() -> None:
    """T opened 10:00, resolved 10:30, closed next day 09:00 -> resolved_at 10:30, ttr 1800 s.

    acknowledged_at = 10:30 (resolved counts) -> tta 1800 s; event_count 3.
    """
    row = only(run([tkt("T", "opened", 0), tkt("T", "resolved", 30), tkt("T", "closed", 1380)]))
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert row["ttr_seconds"] == 1800.0
    assert row["acknowledged_at"] == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert row["tta_seconds"] == 1800.0
    assert row["event_count"] == 3
    assert row["status"] == "resolved"


def test_member_ticket_reopened_outside_quiet_does_not_reopen_declared() -> None:
    """T opened 10:00, resolved 10:30; T reopened 10:50 (> 10:40): joins, no reopen."""
    row = only(run([tkt("T", "opened", 0), tkt("T", "resolved", 30), tkt("T", "reopened", 50)]))
    assert row["reopen_count"] == 0
    assert row["status"] == "resolved"
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert row["event_count"] == 3


def test_member_ticket_reopened_outside_quiet_does_not_reopen_alert_incident() -> None:
    """A 10:00-10:05 with T opened 10:01; T reopened 10:20 (> 10:15): joins, no new incident."""
    row = only(run([fire("A", 0), tkt("T", "opened", 1), clear("A", 5), tkt("T", "reopened", 20)]))
    assert row["reopen_count"] == 0
    assert row["status"] == "resolved"
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    assert row["event_count"] == 4


def test_member_ticket_reopened_in_quiet_reopens_declared() -> None:
    """T opened 10:00, resolved 10:30, reopened 10:35 (<= 10:40), resolved 10:50.

    reopen_count 1, resolved_at 10:50, ttr 3000 s.
    """
    engine = Engine()
    engine.feed([tkt("T", "opened", 0), tkt("T", "resolved", 30), tkt("T", "reopened", 35)])
    assert only(engine.rows())["status"] == "open"
    engine.send(tkt("T", "resolved", 50))
    row = only(engine.rows())
    assert row["reopen_count"] == 1
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 50, tzinfo=UTC)
    assert row["ttr_seconds"] == 3000.0


def test_member_ticket_of_older_incident_updates_it_not_the_open_one() -> None:
    """X: A 10:00-10:05 with T opened 10:01. Y: B fires 10:30. T resolved 10:32 -> updates X.

    X event_count 4, acknowledged 10:32; Y keeps event_count 1 and no tickets.
    """
    x, y = by_start(
        run(
            [
                fire("A", 0),
                tkt("T", "opened", 1),
                clear("A", 5),
                fire("B", 30),
                tkt("T", "resolved", 32),
            ]
        )
    )
    assert x["event_count"] == 4
    assert x["ticket_ids"] == ["T"]
    assert x["acknowledged_at"] == datetime(2026, 3, 2, 10, 32, tzinfo=UTC)
    assert y["event_count"] == 1
    assert y["ticket_ids"] == []
    assert y["status"] == "open"


# --- declared incidents ----------------------------------------------------------


@pytest.mark.parametrize("final", ["resolved", "closed"])
def test_declared_incident_resolved_by_its_ticket(final: str) -> None:
    """T opened 10:00 (high, "Checkout 500s"), acknowledged 10:04, resolved/closed 10:30.

    started = detected = 10:00; tta 240 s; ttr 1800 s.
    """
    row = only(
        run(
            [
                tkt("T", "opened", 0, severity="high", title="Checkout 500s"),
                tkt("T", "acknowledged", 4),
                tkt("T", final, 30),
            ]
        )
    )
    assert row["started_at"] == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert row["detected_at"] == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert row["acknowledged_at"] == datetime(2026, 3, 2, 10, 4, tzinfo=UTC)
    assert row["tta_seconds"] == 240.0
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert row["ttr_seconds"] == 1800.0
    assert row["status"] == "resolved"
    assert row["severity"] == "high"
    assert row["title"] == "Checkout 500s"


def test_declared_incident_open_while_any_opened_ticket_unresolved() -> None:
    """T opened 10:00, U opened 10:05 (joins); T resolved 10:10 -> still open; U closed 10:20.

    resolved_at 10:20, ttr 1200 s.
    """
    engine = Engine()
    engine.feed([tkt("T", "opened", 0), tkt("U", "opened", 5), tkt("T", "resolved", 10)])
    assert only(engine.rows())["status"] == "open"
    engine.send(tkt("U", "closed", 20))
    row = only(engine.rows())
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 20, tzinfo=UTC)
    assert row["ttr_seconds"] == 1200.0
    assert row["ticket_ids"] == ["T", "U"]


def test_declared_incident_open_while_joined_acknowledged_ticket_unresolved() -> None:
    """T opened 10:00; U acknowledged 10:05 (joins); T resolved 10:10; U resolved 10:20.

    Spec: open while any of its tickets is not resolved/closed. At 10:10 U is
    'acknowledged' -> still open; resolves at 10:20, ttr 1200 s.
    """
    engine = Engine()
    engine.feed([tkt("T", "opened", 0), tkt("U", "acknowledged", 5), tkt("T", "resolved", 10)])
    assert only(engine.rows())["status"] == "open"
    engine.send(tkt("U", "resolved", 20))
    row = only(engine.rows())
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 20, tzinfo=UTC)
    assert row["ttr_seconds"] == 1200.0


def test_alert_joining_declared_incident_resolves_it_by_alerts() -> None:
    """T opened 10:00 (declares); A fires 10:05 (joins); A resolved 10:20 -> resolved 10:20.

    With member alerts the incident is open while an alert fires; the opening
    ticket (not a reopener) no longer holds it. started = detected = 10:00
    (ticket time counts) -> ttr 1200 s. T resolved 10:25 (quiet) changes nothing.
    """
    engine = Engine()
    engine.feed([tkt("T", "opened", 0), fire("A", 5, category="performance"), clear("A", 20)])
    row = only(engine.rows())
    assert row["status"] == "resolved"
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 20, tzinfo=UTC)
    engine.send(tkt("T", "resolved", 25))
    row = only(engine.rows())
    assert row["started_at"] == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert row["detected_at"] == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 20, tzinfo=UTC)
    assert row["ttr_seconds"] == 1200.0
    assert row["event_count"] == 4
    assert row["category"] == "performance"


def _sample_events(service: str) -> list[dict[str, Any]]:
    """Return the valid events of ``service`` in samples/events.jsonl (it has invalid lines)."""
    events = []
    for line in (project_root() / "samples" / "events.jsonl").read_text().splitlines():
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(event, dict) and event.get("service") == service:
            events.append(event)
    return events


def test_declared_incident_with_alerts_resolves_with_its_last_alert_sample_auth() -> None:
    """The sample's auth incident (incident-model.md, "A declared incident that alerts joined").

    SEC-7 opened 14:00 (declares), sec01 fires 14:02, SEC-7 mitigated 14:40,
    sec01 resolved 15:05, SEC-7 closed 15:30 (after the quiet period; a member).
    resolved_at 15:05 although SEC-7 was still open: ttr = 3900 s; acknowledged =
    mitigated = 14:40 -> tta = ttm = 2400 s; security, high; 5 events. Same rows
    in reverse arrival order (with lateness covering the 90 minutes).
    """
    events = _sample_events("auth")
    assert [e["event_id"] for e in events] == [
        "jira-SEC-7-open",
        "am-sec-01-firing",
        "jira-SEC-7-mitigated",
        "am-sec-01-resolved",
        "jira-SEC-7-closed",
    ]
    rows = run(events)
    row = only(rows)
    assert row["incident_id"] == incident_id("auth", "production", "jira-SEC-7-open")
    assert row["status"] == "resolved"
    assert row["started_at"] == datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
    assert row["detected_at"] == datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
    assert row["acknowledged_at"] == datetime(2026, 3, 4, 14, 40, tzinfo=UTC)
    assert row["mitigated_at"] == datetime(2026, 3, 4, 14, 40, tzinfo=UTC)
    assert row["resolved_at"] == datetime(2026, 3, 4, 15, 5, tzinfo=UTC)
    assert row["ttr_seconds"] == 3900.0
    assert row["tta_seconds"] == 2400.0
    assert row["ttm_seconds"] == 2400.0
    assert row["category"] == "security"
    assert row["severity"] == "high"
    assert row["event_count"] == 5
    assert row["reopen_count"] == 0
    # newest first spans 90 min: allow 2 h of lateness so the 14:00 opening is applied
    config = EngineConfig(allowed_lateness_ms=7_200_000)
    assert stable_rows(run(list(reversed(events)), config)) == stable_rows(run(events, config))


@pytest.mark.parametrize("alert_first", [False, True], ids=["ticket-first", "alert-first"])
def test_declared_incident_with_alerts_resolves_like_an_alert_incident(alert_first: bool) -> None:
    """T opened 10:00; A fires 10:00:01 (declared) or 09:59:59 (alert incident);
    U acknowledged 10:03; A resolved 10:20; T and U are never resolved.

    Either way the tickets do not hold it: resolved_at 10:20. ttr 1200 s
    (declared, started 10:00) or 1201 s (started 09:59:59).
    """
    events = [
        tkt("T", "opened", 0),
        fire("A", 0, seconds=-1 if alert_first else 1),
        tkt("U", "acknowledged", 3),
        clear("A", 20),
    ]
    row = only(run(events))
    assert row["status"] == "resolved"
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 20, tzinfo=UTC)
    assert row["ttr_seconds"] == (1201.0 if alert_first else 1200.0)
    assert row["ticket_ids"] == ["T", "U"]


def test_declared_incident_with_alerts_reopened_by_its_ticket_is_held_by_it() -> None:
    """T opened 10:00 (declares); A fires 10:05, resolved 10:20 -> resolved 10:20.

    T reopened 10:25 (<= 10:30) reopens it and holds it although alerts fired
    in it; T resolved 10:40 -> resolved_at 10:40, ttr 2400 s, reopen_count 1.
    """
    engine = Engine()
    engine.feed([tkt("T", "opened", 0), fire("A", 5), clear("A", 20)])
    assert only(engine.rows())["resolved_at"] == datetime(2026, 3, 2, 10, 20, tzinfo=UTC)
    engine.send(tkt("T", "reopened", 25))
    held = only(engine.rows())
    assert held["status"] == "open"
    assert held["reopen_count"] == 1
    engine.send(tkt("T", "resolved", 40))
    row = only(engine.rows())
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 40, tzinfo=UTC)
    assert row["ttr_seconds"] == 2400.0
    assert row["reopen_count"] == 1


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
