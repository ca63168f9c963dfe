"""The engine ``apply_event``: lateness.

An event more than the allowed lateness behind the key's watermark is not
applied; one within it corrects the incident. docs/incident-model.md,
"Duplicates, lateness, identity and versions" (point "Lateness"); the input
watermark's part is in test_input_watermark.py.

Expected values are worked out by hand; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``) unless written out.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from streams.engine.correlate import EngineConfig
from streams.engine.incident import incident_id
from tests.support.engine import Engine, clear, dep, fire, only, tkt

# --- lateness ---------------------------------------------------------------------------


def test_event_beyond_allowed_lateness_is_rejected() -> None:
    """Watermark 12:00 (A fires); T opened 10:59:59.999 is > 1 h behind -> late, no change."""
    engine = Engine()
    engine.send(fire("A", 120))
    before = copy.deepcopy(engine.state())
    late = tkt("T", "opened", 60, seconds=-0.001)
    outputs = engine.send(late)
    assert outputs.late is True
    assert outputs.duplicate is False
    assert outputs.rows == []
    assert engine.state() == before
    assert engine.send(late).late is True  # not remembered as seen: late again, not duplicate


def test_event_exactly_at_lateness_boundary_is_applied() -> None:
    """Watermark 12:00 (A fires); a release at 11:00:00.000 (exactly 1 h behind) is applied.

    It becomes A's cause (11:00 in [11:00, 12:00]) -> version 2. A release at
    10:59:59.999 would be late.
    """
    engine = Engine()
    engine.send(fire("A", 120))
    assert engine.send(dep("too-late", 60, seconds=-0.001)).late is True
    outputs = engine.send(dep("edge", 60))
    assert outputs.late is False
    assert [(r["version"], r["cause_deploy_id"]) for r in outputs.rows] == [(2, "edge")]


def test_allowed_lateness_is_configurable() -> None:
    """Lateness 5 min: watermark 10:10; 10:04:59.999 late, 10:05:00.000 applied."""
    engine = Engine(EngineConfig(allowed_lateness_ms=300_000))
    engine.send(fire("A", 10))
    assert engine.send(tkt("T", "acknowledged", 5, seconds=-0.001)).late is True
    assert engine.send(tkt("T", "acknowledged", 5)).late is False


def test_late_event_within_lateness_corrects_incident() -> None:
    """A fires 10:10, resolved 10:30 (v2); late: A also fired at 10:00 ('lc-a0').

    Started 10:00 -> ttr = 10:30 - 10:00 = 1800 s; the first event is now 'lc-a0'.
    """
    engine = Engine()
    engine.feed([fire("A", 10, event_id="lc-a1"), clear("A", 30)])
    outputs = engine.send(fire("A", 0, event_id="lc-a0"))
    assert outputs.late is False
    row = only(engine.rows())
    assert row["started_at"] == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert row["ttr_seconds"] == 1800.0
    assert row["incident_id"] == incident_id("checkout", "production", "lc-a0")
    assert row["event_count"] == 3


def test_watermark_is_per_key() -> None:
    """checkout at 12:00 does not make a payments event at 10:00 late."""
    engine = Engine()
    engine.send(fire("A", 120))
    assert engine.send(fire("A", 0, service="payments")).late is False
    assert engine.send(fire("A", 0, environment="staging")).late is False
    assert len(engine.rows()) == 3
