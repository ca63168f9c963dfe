"""Declared incidents: opened by a ticket, held open by its tickets until an alert fires
in it, then resolved by its alerts; the sample's ``auth`` incident.

docs/incident-model.md, "Which events form an incident" ("When is an incident
open?" and "A declared incident that alerts joined").

Histories are fed through the engine (``tests.support.engine.run``) and the
expected rows are worked out by hand from the spec; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from streams.engine.correlate import EngineConfig
from streams.engine.incident import incident_id
from streams.settings import project_root
from tests.support.engine import Engine, clear, fire, only, run, stable_rows, tkt

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
