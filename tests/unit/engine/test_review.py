"""The review (ticket ``postmortem``) in state: ``reviewed_at`` and ``time_to_review_seconds``.

A postmortem joins only its ticket's incident, never opens, reopens, holds or
acknowledges one, and sets only the review fields. docs/incident-model.md,
"Review (postmortem)", rules 1-3; the ledger of dropped incidents:
``test_review_ledger.py``.

Expected values are worked out by hand; times are minutes after 10:00:00Z on
2026-03-02 (``BASE_TIME``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.support.engine import Engine, by_start, clear, fire, only, run, tkt


def _resolved_x() -> list[dict[str, Any]]:
    """X: alert A fires 10:00, ticket T opened 10:01, A resolved 10:05 (v1-v3)."""
    return [fire("A", 0, event_id="rv-a1"), tkt("T", "opened", 1), clear("A", 5)]


# --- in state: never opens, reopens, holds or acknowledges ------------------------------------


def test_postmortem_in_the_quiet_period_never_reopens() -> None:
    """X resolved 10:05; T postmortem 10:08 (<= 10:15) joins X without reopening it:
    resolved_at 10:05, reopen_count 0, reviewed_at 10:08, time_to_review 180 s, no ack."""
    row = only(run([*_resolved_x(), tkt("T", "postmortem", 8)]))
    assert (row["status"], row["reopen_count"]) == ("resolved", 0)
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    assert row["reviewed_at"] == datetime(2026, 3, 2, 10, 8, tzinfo=UTC)
    assert row["time_to_review_seconds"] == 180.0
    assert row["acknowledged_at"] is None
    assert row["event_count"] == 3


def test_postmortem_of_a_declared_incident_in_its_quiet_period_never_reopens() -> None:
    """T opened 10:00, resolved 10:10, postmortem 10:12: one incident, resolved 10:10,
    reviewed 10:12 (120 s); a ``reopened`` at 10:12 would have reopened it instead."""
    row = only(run([tkt("T", "opened", 0), tkt("T", "resolved", 10), tkt("T", "postmortem", 12)]))
    assert (row["status"], row["reopen_count"], row["ttr_seconds"]) == ("resolved", 0, 600.0)
    assert row["time_to_review_seconds"] == 120.0
    reopened = only(
        run([tkt("T", "opened", 0), tkt("T", "resolved", 10), tkt("T", "reopened", 12)])
    )
    assert (reopened["status"], reopened["reopen_count"]) == ("open", 1)


def test_postmortem_ends_a_tickets_hold_but_is_no_acknowledgement() -> None:
    """T opened 10:00 declares X; T postmortem 10:30 is terminal like ``closed``: X resolves
    at 10:30 (ttr 1800 s) and is reviewed then (0 s); acknowledged_at stays empty."""
    row = only(run([tkt("T", "opened", 0), tkt("T", "postmortem", 30)]))
    assert row["resolved_at"] == row["reviewed_at"] == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert (row["ttr_seconds"], row["time_to_review_seconds"]) == (1800.0, 0.0)
    assert (row["acknowledged_at"], row["tta_seconds"]) == (None, None)
    assert row["event_count"] == 1


def test_postmortem_of_a_non_member_ticket_changes_nothing() -> None:
    """A fires 10:00 (open, no ticket); U postmortem 10:03 joins no incident: no row.
    Nor in the quiet period: A resolved 10:05, V postmortem 10:07: no row."""
    engine = Engine()
    engine.send(fire("A", 0))
    assert engine.send(tkt("U", "postmortem", 3)).rows == []
    engine.send(clear("A", 5))
    assert engine.send(tkt("V", "postmortem", 7)).rows == []
    row = only(engine.rows())
    assert (row["ticket_ids"], row["event_count"], row["reviewed_at"]) == ([], 2, None)


def test_postmortem_never_opens_an_incident() -> None:
    """T postmortem alone at 10:00: no incident; T opened at 10:05 then declares one that
    the earlier postmortem is no part of (placed by its own time)."""
    assert run([tkt("T", "postmortem", 0)]) == {}
    row = only(run([tkt("T", "postmortem", 0), tkt("T", "opened", 5)]))
    assert (row["status"], row["reviewed_at"]) == ("open", None)


def test_open_incident_with_a_postmortem() -> None:
    """A fires 10:00; T acknowledged 10:01 (member); T postmortem 10:20: reviewed_at 10:20
    while open, time_to_review empty. A resolves 10:30: time_to_review = 10:20 - 10:30 =
    -600 s -> 0 with the flag ``time_to_review_negative_clamped``."""
    engine = Engine()
    engine.feed([fire("A", 0), tkt("T", "acknowledged", 1), tkt("T", "postmortem", 20)])
    row = only(engine.rows())
    assert (row["status"], row["time_to_review_seconds"]) == ("open", None)
    assert row["reviewed_at"] == datetime(2026, 3, 2, 10, 20, tzinfo=UTC)
    assert row["acknowledged_at"] == datetime(2026, 3, 2, 10, 1, tzinfo=UTC)
    engine.send(clear("A", 30))
    row = only(engine.rows())
    assert row["time_to_review_seconds"] == 0.0
    assert row["quality_flags"] == ["time_to_review_negative_clamped"]


def test_postmortem_takes_no_severity_or_title() -> None:
    """A (high) fires 10:00; T acknowledged 10:01; T postmortem 10:20 with severity
    critical and a title: severity stays high and the title is A's name."""
    row = only(
        run([
            fire("A", 0),
            tkt("T", "acknowledged", 1),
            tkt("T", "postmortem", 20, severity="critical", title="Postmortem: checkout"),
        ])
    )  # fmt: skip
    assert (row["severity"], row["title"]) == ("high", "HighErrorRate")


def test_postmortem_joins_its_own_incident_not_the_open_one() -> None:
    """X: T opened 10:00, resolved 10:10. Y: alert B fires 11:00. T postmortem 11:05 joins
    X (T's incident), not the open Y."""
    rows = by_start(
        run([
            tkt("T", "opened", 0), tkt("T", "resolved", 10),
            fire("B", 60), tkt("T", "postmortem", 65),
        ])
    )  # fmt: skip
    assert [r["reviewed_at"] for r in rows] == [datetime(2026, 3, 2, 11, 5, tzinfo=UTC), None]
    assert rows[1]["ticket_ids"] == []
