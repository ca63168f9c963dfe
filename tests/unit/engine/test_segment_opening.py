"""Which events open an incident, and a ticket's events before its own ``opened``.

docs/incident-model.md, "Which events form an incident" (the rows "no incident
open, not in a quiet period" and "A ticket's events before its own ``opened``").

Histories are fed through the engine (``tests.support.engine.run``) and the
expected rows are worked out by hand from the spec; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from streams.engine.incident import incident_id
from streams.engine.members import sort_key
from streams.engine.segment import segment
from tests.support.engine import Engine, clear, dep, fire, member, only, run, stable_rows, tkt

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
