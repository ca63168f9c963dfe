"""Which Slack notice each incident row version calls for (streams/notify/transitions.py).

Rows are topic rows (JSON as published); ``now`` is an argument, so every
case is exact. The last tests drive the real engine and feed its emitted
versions, as the ``incidents`` topic would carry them, through the rules.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from streams.notify.incident_row import IncidentRow, parse_row
from streams.notify.transitions import NoticeRules, notices
from tests.support.engine import Engine
from tests.support.factories import alert, at, ticket

NOW = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
RULES = NoticeRules()  # low and above, one hour


def row(**overrides: Any) -> IncidentRow:
    fields: dict[str, Any] = {
        "incident_id": "inc-1",
        "service": "checkout",
        "environment": "production",
        "status": "open",
        "severity": "high",
        "category": "availability",
        "title": "HighErrorRate",
        "started_at": "2026-03-02T10:00:00+00:00",
        "detected_at": "2026-03-02T10:00:30+00:00",
        "acknowledged_at": None,
        "resolved_at": None,
        "ttr_seconds": None,
        "is_deleted": 0,
        "version": 1,
    }
    fields.update(overrides)
    return IncidentRow.model_validate(fields)


ACKED = {"acknowledged_at": "2026-03-02T10:04:00+00:00", "tta_seconds": 210.0}
RESOLVED = {
    **ACKED,
    "status": "resolved",
    "resolved_at": "2026-03-02T10:30:00+00:00",
    "ttr_seconds": 1800.0,
}


def run(
    rows: list[IncidentRow], rules: NoticeRules = RULES, now: datetime = NOW
) -> tuple[dict[str, Any] | None, list[tuple[str, int]]]:
    """Feed rows of one incident in order; return the final state and (kind, version)s."""
    state: dict[str, Any] | None = None
    sent: list[tuple[str, int]] = []
    for r in rows:
        state, due = notices(state, r, now=now, rules=rules)
        sent += [(n.kind, n.incident.version) for n in due]
    return state, sent


def test_open_acknowledge_resolve() -> None:
    state, sent = run([row(version=1), row(version=2, **ACKED), row(version=3, **RESOLVED)])
    assert sent == [("opened", 1), ("acknowledged", 2), ("resolved", 3)]
    assert state == {
        "version": 3,
        "deleted": False,
        "done": {"opened": "sent", "acknowledged": "sent", "resolved": "sent"},
    }


def test_versions_that_change_nothing_relevant_send_nothing() -> None:
    # v2 adds a ticket id, v4 completes the incident: no new notice
    rows = [
        row(version=1),
        row(version=2, ticket_ids=["T-1"]),
        row(version=3, **RESOLVED),
        row(version=4, **RESOLVED),
    ]
    assert run(rows)[1] == [("opened", 1), ("resolved", 3)]


def test_rewritten_and_replayed_versions_are_ignored() -> None:
    first, second, third = row(version=1), row(version=2, **ACKED), row(version=3, **RESOLVED)
    rows = [first, first, second, first, third, second, third, first]
    assert run(rows)[1] == [("opened", 1), ("acknowledged", 2), ("resolved", 3)]


def test_state_is_not_modified() -> None:
    state, _ = run([row(version=1)])
    assert state is not None
    frozen = orjson.dumps(state)
    notices(state, row(version=2, **RESOLVED), now=NOW, rules=RULES)
    assert orjson.dumps(state) == frozen


def test_first_seen_resolved_gets_one_resolved_notice() -> None:
    state, sent = run([row(version=4, **RESOLVED), row(version=5, **RESOLVED)])
    assert sent == [("resolved", 4)]
    assert state is not None
    assert state["done"] == {"opened": "sent", "acknowledged": "sent", "resolved": "sent"}


def test_first_seen_acknowledged_gets_one_opened_notice() -> None:
    state, sent = run([row(version=2, **ACKED), row(version=3, **ACKED)])
    assert sent == [("opened", 2)]
    assert state is not None
    assert state["done"] == {"opened": "sent", "acknowledged": "sent"}


def test_resolved_without_acknowledgement_then_late_acknowledgement() -> None:
    unacked = {**RESOLVED, "acknowledged_at": None, "tta_seconds": None}
    rows = [row(version=1), row(version=2, **unacked), row(version=3, **RESOLVED)]
    # the acknowledgement arriving after the resolution is not announced on its own
    assert run(rows)[1] == [("opened", 1), ("resolved", 2)]


def test_reopened_then_resolved_again() -> None:
    reopened = {**ACKED, "reopen_count": 1}
    rows = [
        row(version=1),
        row(version=2, **RESOLVED),
        row(version=3, **reopened),
        row(version=4, **reopened, ticket_ids=["T-1"]),
        row(
            version=5,
            **{**RESOLVED, "resolved_at": "2026-03-02T10:45:00+00:00", "ttr_seconds": 2700.0},
        ),
    ]
    state, sent = run(rows)
    assert sent == [("opened", 1), ("resolved", 2), ("reopened", 3), ("resolved", 5)]
    assert state is not None
    assert state["done"] == {"opened": "sent", "acknowledged": "sent", "resolved": "sent"}


def test_delete_marker_sends_nothing() -> None:
    state, sent = run([row(version=1, is_deleted=1)])
    assert sent == []
    assert state == {"version": 1, "deleted": True, "done": {}}


def test_delete_marker_after_a_notice_sends_nothing_more() -> None:
    rows = [row(version=1), row(version=2, is_deleted=1, **RESOLVED)]
    state, sent = run(rows)
    assert sent == [("opened", 1)]
    assert state == {"version": 2, "deleted": True, "done": {"opened": "sent"}}


def test_old_changes_are_recorded_not_posted() -> None:
    later = NOW + timedelta(hours=5)  # the whole incident is more than an hour old
    state, sent = run([row(version=1), row(version=2, **RESOLVED)], now=later)
    assert sent == []
    assert state is not None
    assert state["done"] == {"opened": "skipped", "acknowledged": "skipped", "resolved": "skipped"}


def test_max_age_is_per_change() -> None:
    # enabled while a long incident is open: the opening is old, the resolution is not
    now = datetime(2026, 3, 2, 11, 20, tzinfo=UTC)  # 10:00:30 is 79 min ago, 10:30 50 min ago
    rows = [row(version=1), row(version=2, **ACKED), row(version=3, **RESOLVED)]
    state, sent = run(rows, now=now)
    assert sent == [("resolved", 3)]
    assert state is not None
    assert state["done"] == {"opened": "skipped", "acknowledged": "skipped", "resolved": "sent"}


def test_no_reopened_notice_after_a_skipped_resolution() -> None:
    later = NOW + timedelta(hours=5)
    state, _ = run([row(version=1), row(version=2, **RESOLVED)], now=later)
    state, due = notices(state, row(version=3, reopen_count=1), now=later, rules=RULES)
    assert due == []
    assert "resolved" not in state["done"]  # a new resolution will be announced


def test_min_severity_holds_notices_until_the_severity_is_raised() -> None:
    rules = NoticeRules(min_severity="critical")
    rows = [row(version=1), row(version=2, **ACKED), row(version=3, severity="critical", **ACKED)]
    state, sent = run(rows, rules)
    assert sent == [("opened", 3)]
    assert state is not None
    assert state["done"] == {"opened": "sent", "acknowledged": "sent"}


def test_an_announced_incident_is_followed_whatever_its_severity() -> None:
    rules = NoticeRules(min_severity="high")
    rows = [row(version=1), row(version=2, severity="medium", **RESOLVED)]
    assert run(rows, rules)[1] == [("opened", 1), ("resolved", 2)]


def test_below_min_severity_nothing_is_marked() -> None:
    rules = NoticeRules(min_severity="critical")
    state, sent = run([row(version=1, severity="low"), row(version=2, **RESOLVED)], rules)
    assert sent == []
    assert state == {"version": 2, "deleted": False, "done": {}}


# --- the real engine's versions, as published ------------------------------------------


def _published(engine: Engine) -> list[IncidentRow]:
    parsed = [parse_row(orjson.dumps(r)) for r in engine.emitted]
    assert all(isinstance(p, IncidentRow) for p in parsed), parsed
    return parsed  # type: ignore[return-value]


def _history() -> Engine:
    engine = Engine()
    for event in [
        alert(event_id="e1", alert_id="A", occurred_at=at(0)),
        ticket(event_id="e2", ticket_id="T-1", status="opened", occurred_at=at(2)),
        ticket(event_id="e3", ticket_id="T-1", status="acknowledged", occurred_at=at(4.5)),
        alert(event_id="e4", alert_id="A", status="resolved", occurred_at=at(47.5)),
        alert(event_id="e4", alert_id="A", status="resolved", occurred_at=at(47.5)),  # dup
    ]:
        engine.send(event)
    engine.idle()  # completion: one more version
    return engine


def test_engine_versions_give_three_notices() -> None:
    rows = _published(_history())
    assert [r.version for r in rows] == [1, 2, 3, 4, 4, 5]
    state, sent = run(rows, now=datetime(2026, 3, 2, 10, 50, tzinfo=UTC))
    assert sent == [("opened", 1), ("acknowledged", 3), ("resolved", 4)]
    assert state is not None and state["version"] == 5


@given(st.lists(st.integers(min_value=0, max_value=5), max_size=12))
def test_replays_of_earlier_versions_change_nothing(replays: list[int]) -> None:
    rows = _published(_history())
    # after row i, re-deliver some version at or before it (a replay or a re-written row)
    mixed: list[IncidentRow] = []
    for i, r in enumerate(rows):
        mixed.append(r)
        mixed += [rows[j % (i + 1)] for j in replays if j % 3 == i % 3]
    now = datetime(2026, 3, 2, 10, 50, tzinfo=UTC)
    assert run(mixed, now=now) == run(rows, now=now)
