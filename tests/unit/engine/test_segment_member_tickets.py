"""Member tickets: a ticket already in incident X always updates X, and reopens it only
in the quiet period.

docs/incident-model.md, "Which events form an incident" (the row "the ticket is
already a member of incident X" and "When is an incident open?").

Histories are fed through the engine (``tests.support.engine.run``) and the
expected rows are worked out by hand from the spec; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.engine import Engine, by_start, clear, fire, only, run, tkt

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
