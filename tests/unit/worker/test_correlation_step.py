"""CorrelationStep: a key's state is copied once per batch, and a failing step leaves no trace.

Batches are ``StagedTable`` views over a plain dict (the table), as the ``correlate``
agent makes one per batch. The table's own state object is never changed (it may
still wait to be serialized for the changelog); the batch's copy is changed in place.
When the engine fails on an event, the event is dead-lettered and the copy is rebuilt
from the table's state and the batch's earlier steps.
"""

from __future__ import annotations

import copy
from typing import Any
from unittest import mock

import orjson

from streams.engine import correlate
from streams.engine.correlate import EngineConfig
from streams.ingest.decode import Origin
from streams.ingest.types import RawMessage
from streams.worker import correlation_step
from streams.worker.correlation_step import CorrelationStep, state_key
from streams.worker.staged_table import StagedTable
from tests.support.engine import DAY, clear, dep, fire, tkt

KEY = state_key("checkout", "production")


class _Writer:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.dead: list[str] = []

    def add_rows(self, rows: list[dict[str, Any]]) -> None:
        self.rows.extend(rows)

    def dead_letter(self, key: bytes | None, invalid: Any) -> None:
        self.dead.append(invalid.reason)


def _batch(
    step: CorrelationStep, table: dict[str, Any], events: list[dict[str, Any]], writer: _Writer
) -> None:
    staged = StagedTable(table)
    for offset, event in enumerate(events):
        message = RawMessage(b"checkout", orjson.dumps(event), Origin("alerts", 0, offset))
        step.apply(message, 0, staged, writer)  # type: ignore[arg-type]
    staged.write_through()


def _comparable(state: dict[str, Any]) -> dict[str, Any]:
    emitted = {i: (e["version"], e["live"]) for i, e in state["emitted"].items()}
    return {"members": state["members"], "seen": state["seen"], "emitted": emitted}


def test_a_state_is_copied_once_per_batch_and_the_tables_state_is_never_changed() -> None:
    """Batch 1: three events of one key (one copy, none: the key is new). Batch 2: three
    more (one copy of the state batch 1 wrote, which stays as it was)."""
    step, table, writer = CorrelationStep(EngineConfig(), 1 << 20, 30.0), {}, _Writer()
    copies = mock.Mock(wraps=correlate.copy_state)
    with mock.patch.object(correlation_step, "copy_state", copies):
        _batch(step, table, [fire("A", 0), tkt("T", "opened", 1), fire("B", 2)], writer)
        assert copies.call_count == 0
        written = table[KEY]
        snapshot = copy.deepcopy(written)
        _batch(step, table, [clear("A", 3), clear("B", 4), tkt("T", "resolved", 5)], writer)
        assert copies.call_count == 1
    assert written == snapshot
    assert table[KEY] is not written
    assert len(table[KEY]["members"]) == 6
    assert writer.rows[-1]["status"] == "resolved" and writer.dead == []


def test_a_failing_step_is_dead_lettered_and_leaves_no_trace() -> None:
    """The engine changes the state and then fails on the third event of a batch: it is
    dead-lettered, the batch goes on, and the key ends as if that event never came."""
    events = [fire("A", 0), tkt("T", "opened", 1), fire("B", 2), clear("A", 3), clear("B", 4)]
    failing = events[2]["event_id"]
    real = correlate.apply_event

    def flaky(state: Any, member: Any, *args: Any, **kwargs: Any) -> Any:
        result = real(state, member, *args, **kwargs)  # changes the state in place...
        if member["event_id"] == failing:
            raise RuntimeError("bug")  # ...and then fails
        return result

    step, table, writer = CorrelationStep(EngineConfig(), 1 << 20, 30.0), {}, _Writer()
    _batch(step, table, events[:1], writer)
    with mock.patch.object(correlation_step, "apply_event", flaky):
        _batch(step, table, events[1:], writer)
    assert step.failed == 1 and writer.dead == ["correlation failed: RuntimeError('bug')"]
    clean, clean_writer = CorrelationStep(EngineConfig(), 1 << 20, 30.0), _Writer()
    reference: dict[str, Any] = {}
    _batch(clean, reference, [e for e in events if e["event_id"] != failing], clean_writer)
    assert _comparable(table[KEY]) == _comparable(reference[KEY])
    assert table[KEY]["partition"] == 0


def test_batches_on_the_workers_one_staged_table_copy_again_after_begin_batch() -> None:
    """The agents share one ``StagedTable`` (written before each commit): batch 2 starts
    with ``begin_batch`` and must copy the state batch 1 staged, never change it."""
    step, table, writer = CorrelationStep(EngineConfig(), 1 << 20, 30.0), {}, _Writer()
    staged = StagedTable(table)
    events = [fire("A", 0), tkt("T", "opened", 1), clear("A", 3), tkt("T", "resolved", 5)]
    messages = [
        RawMessage(b"checkout", orjson.dumps(e), Origin("alerts", 0, n))
        for n, e in enumerate(events)
    ]
    step.begin_batch()
    for message in messages[:2]:
        step.apply(message, 0, staged, writer)  # type: ignore[arg-type]
    first = staged[KEY]
    snapshot = copy.deepcopy(first)
    step.begin_batch()
    for message in messages[2:]:
        step.apply(message, 0, staged, writer)  # type: ignore[arg-type]
    assert first == snapshot  # what batch 1 staged (and may be writing) is untouched
    assert staged[KEY] is not first
    assert table == {}  # nothing written before a commit
    staged.write_through()
    assert table[KEY]["members"] == staged[KEY]["members"] and len(table[KEY]["seen"]) == 4


def test_a_review_from_the_ledger_is_no_second_completion() -> None:
    """docs/incident-model.md's ledger example: X completes (once, for the repair metric),
    leaves the state for the review ledger, and its postmortem 21 days later writes a new,
    completed version of X that must not be observed again."""
    completed: list[str] = []
    step = CorrelationStep(
        EngineConfig(), 1 << 20, 30.0, on_completed=lambda row: completed.append(row["incident_id"])
    )
    table: dict[str, Any] = {}
    writer = _Writer()
    events = [fire("A", 0), tkt("T", "opened", 1), clear("A", 5), dep("d1", 8 * DAY)]
    _batch(step, table, events, writer)
    assert len(completed) == 1
    assert table[KEY]["reviews"]  # X is in the ledger, no longer in state
    _batch(step, table, [tkt("T", "postmortem", 21 * DAY + 30)], writer)
    assert writer.rows[-1]["reviewed_at"] is not None and writer.rows[-1]["completed"]
    assert completed == [writer.rows[-1]["incident_id"]]
