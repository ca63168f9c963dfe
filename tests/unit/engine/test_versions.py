"""The engine ``apply_event``: versions and when rows are written.

Every change of an incident's fields writes a new row with ``version + 1``;
no change, no row; rows are written when an incident opens and when it
resolves; ``updated_at`` is processing time. docs/incident-model.md,
"Duplicates, lateness, identity and versions" (points "Versions" and "Rows
are written at every change").

Expected values are worked out by hand; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``) unless written out.
"""

from __future__ import annotations

from datetime import UTC, datetime

from streams.engine.correlate import EngineConfig, apply_event
from tests.support.engine import Engine, clear, dep, fire, member, only, stable, tkt

# --- versions -----------------------------------------------------------------------------


def test_versions_increase_by_one_per_change_and_nothing_when_unchanged() -> None:
    """Steps and their rows (one incident X):

    A fires 10:00 -> v1 (open); T opened 10:01 -> v2; A resolved 10:05 -> v3 (resolved);
    deploy started 10:09 (quiet, joins) -> v4; deploy started 10:30 (outside X) moves
    the watermark past 10:05 + 10 min -> v5, only ``completed`` 0 -> 1; a succeeded
    release 10:31 (outside X, no later incident) -> no row; unknown resolved alert
    10:40 -> no row; T resolved 10:45 (member ticket, no reopen) -> v6, still completed.
    """
    engine = Engine()
    steps = [
        fire("A", 0),
        tkt("T", "opened", 1),
        clear("A", 5),
        dep("d1", 9, status="started"),
        dep("d2", 30, status="started"),
        dep("d2", 31),
        clear("Z", 40),
        tkt("T", "resolved", 45),
    ]
    versions = [[r["version"] for r in engine.send(e).rows] for e in steps]
    assert versions == [[1], [2], [3], [4], [5], [], [], [6]]
    row = only(engine.rows())
    assert row["status"] == "resolved"
    assert row["event_count"] == 5
    assert row["completed"] == 1
    v4, v5 = engine.emitted[3], engine.emitted[4]
    assert (v4["completed"], v5["completed"]) == (0, 1)
    assert stable(v5) == stable(v4) | {"completed": 1}  # nothing else changed


def test_rows_written_when_opened_and_when_resolved() -> None:
    """A fires 10:00 -> row 'open' (v1); A resolved 10:07 -> row 'resolved' (v2, ttr 420 s)."""
    engine = Engine()
    opened = engine.send(fire("A", 0)).rows
    resolved = engine.send(clear("A", 7)).rows
    assert [(r["status"], r["version"], r["is_deleted"]) for r in opened] == [("open", 1, 0)]
    assert [(r["status"], r["version"], r["ttr_seconds"]) for r in resolved] == [
        ("resolved", 2, 420.0)
    ]


def test_late_deploy_becoming_cause_writes_new_version() -> None:
    """A fires 10:00 (v1); a release 09:45 arrives later -> cause set, v2; a started deploy
    09:50 (not succeeded) -> no row."""
    engine = Engine()
    engine.send(fire("A", 0))
    assert [(r["version"], r["cause_deploy_id"]) for r in engine.send(dep("c", -15)).rows] == [
        (2, "c")
    ]
    assert engine.send(dep("s", -10, status="started")).rows == []


def test_updated_at_is_processing_time() -> None:
    """updated_at is the now_ms passed to apply_event (2027-01-15T08:00:00.123Z here)."""
    now_ms = 1_800_000_000_123
    state, outputs = apply_event(
        None, member(fire("A", 0)), "checkout", "production", EngineConfig(), now_ms
    )
    assert outputs.rows[0]["updated_at"] == datetime(2027, 1, 15, 8, 0, 0, 123000, tzinfo=UTC)
    assert outputs.rows[0]["version"] == 1
    assert state["watermark"] == 1_772_445_600_000  # 10:00Z in epoch ms
