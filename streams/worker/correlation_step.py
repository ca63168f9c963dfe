"""One forwarded event through the correlation engine and the key's table entry.

Called by the ``correlate`` agent for each event of a batch, with Faust's
current event set to that event (table writes go to its partition). Nothing
here does I/O: rows and late events are handed to the ``IncidentWriter``.
An engine failure on one event is logged and dead-lettered; it never stops
the worker and never corrupts the key's state.

A key's state is copied once per batch, not per event (``BatchStates``): the
first event of the batch that touches the key works on a copy of the table's
state (which may still wait to be serialized for the changelog, so it is never
changed), and the later ones change that copy in place. If a step fails, the
copy is rebuilt from the table's state and the steps before it (the engine
is deterministic), so the failing event leaves no trace. The agents call
``begin_batch`` before the events of each batch (both share the worker's one
``StagedTable``, so a batch is not a table object); a new ``table`` object
starts a new batch too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from schemas.events import ChangeEvent
from streams.engine.correlate import (
    EngineConfig,
    State,
    apply_event,
    complete_idle,
    copy_state,
    idle_pending,
    safe_watermark,
)
from streams.engine.members import Member, from_ms, to_member
from streams.ingest.decode import Decoded, Invalid, decode
from streams.ingest.types import RawMessage
from streams.storage.incident_writer import IncidentWriter

log = logging.getLogger(__name__)


def state_key(service: str, environment: str) -> str:
    """Return the table key of a (service, environment) pair."""
    return orjson.dumps([service, environment]).decode()


Step = tuple[
    Member | None, int, int | None, int
]  # (member or None: idle, now, watermark, partition)


@dataclass
class _Working:
    """A key's state as this batch changes it: the table's state, its copy and the steps."""

    original: State | None
    state: State | None
    steps: list[Step] = field(default_factory=list)


class BatchStates:
    """The private copies of the states one batch changes (see the module docstring)."""

    def __init__(self, config: EngineConfig) -> None:
        """Track nothing until the first batch."""
        self._config = config
        self._table: object = None
        self._working: dict[str, _Working] = {}

    def begin(self) -> None:
        """Start a new batch: every state is the table's again."""
        self._working = {}

    def get(self, table: MutableMapping[str, Any], key: str) -> _Working:
        """Return the key's working state in the batch of ``table`` (copied on first use)."""
        if table is not self._table:  # a new batch: every state is the table's again
            self._table, self._working = table, {}
        working = self._working.get(key)
        if working is None:
            state = table.get(key)
            copied = copy_state(state) if state is not None else None
            working = self._working[key] = _Working(state, copied)
        return working

    def replay(self, working: _Working, key: str) -> None:
        """Rebuild the copy from the table's state and the steps that succeeded."""
        service, environment = orjson.loads(key)
        state = copy_state(working.original) if working.original is not None else None
        for member, now_ms, watermark, partition in working.steps:
            if member is None:
                assert state is not None  # an idle step needs a state
                complete_idle(state, service, environment, self._config, now_ms)
                continue
            state, _ = apply_event(
                state, member, service, environment, self._config, now_ms, watermark
            )
            state["partition"] = partition
        working.state = state


class CorrelationStep:
    """Applies forwarded events to per-key state and collects the outputs."""

    def __init__(
        self,
        config: EngineConfig,
        max_bytes: int,
        idle_flush_s: float,
        clock: Callable[[], float] = time.monotonic,
        on_completed: Callable[[dict[str, Any]], None] = lambda row: None,
    ) -> None:
        """``on_completed`` gets each incident row that turns completed (metrics)."""
        self._config = config
        self._on_completed = on_completed
        self._max_bytes = max_bytes
        self._idle_flush_s = idle_flush_s
        self._clock = clock
        self._started = clock()
        self._last_event: dict[int, float] = {}  # partition -> clock() of its last event
        self._states = BatchStates(config)
        self.late = 0
        self.failed = 0
        self.completed = 0

    def begin_batch(self) -> None:
        """Start a batch: states are copied again before the batch's first change.

        Called by an agent before applying a batch's events, in the same
        synchronous run as those steps, so the two agents' batches never mix.
        """
        self._states.begin()

    def tick(self, partition: int, table: MutableMapping[str, Any], writer: IncidentWriter) -> None:
        """Complete the resolved incidents of ``partition``'s keys if it has been idle.

        Called for each tick message the worker's timer sends to every
        partition of the correlation topic. Only keys last written from this
        partition are touched, so table writes stay on their own partition.
        """
        last = self._last_event.get(partition, self._started)
        if self._clock() - last < self._idle_flush_s:
            return
        now_ms = int(time.time() * 1000)
        for key, state in list(table.items()):
            if not isinstance(state, dict) or state.get("partition") != partition:
                continue
            if not idle_pending(state):  # the usual case: no copy
                continue
            service, environment = orjson.loads(key)
            working = self._states.get(table, key)
            assert working.state is not None  # the table holds a state for ``key``
            before = _finished_or_written(working.state)
            outputs = complete_idle(working.state, service, environment, self._config, now_ms)
            working.steps.append((None, now_ms, None, partition))
            if outputs.rows:
                self._report_completions(before, outputs.rows)
                table[key] = working.state
                writer.add_rows(outputs.rows)
                self.completed += sum(1 for row in outputs.rows if row["completed"])

    def apply(
        self,
        message: RawMessage,
        partition: int,
        table: MutableMapping[str, Any],
        writer: IncidentWriter,
        *,
        input_watermark: int | None = None,
    ) -> None:
        """Apply one event read from ``partition``; state to ``table``, outputs to ``writer``.

        ``input_watermark`` is the header ingest forwarded it with (see
        ``streams.ingest.progress``).
        """
        result = decode(
            message.value, message.origin, expected_type=None, max_bytes=self._max_bytes
        )
        if isinstance(result, Decoded) and isinstance(result.event, ChangeEvent):
            reason = "a change event does not correlate into incidents (topic: changes)"
            result = Invalid(result.raw, reason, result.origin)
        if isinstance(result, Invalid):  # validated upstream; only a foreign producer gets here
            self._last_event[partition] = self._clock()
            writer.dead_letter(message.key, result)
            return
        self.apply_decoded(
            result, message.key, partition, table, writer, input_watermark=input_watermark
        )

    def apply_decoded(
        self,
        result: Decoded,
        message_key: bytes | None,
        partition: int,
        table: MutableMapping[str, Any],
        writer: IncidentWriter,
        *,
        input_watermark: int | None = None,
    ) -> None:
        """Apply one decoded event read from ``partition`` (see :meth:`apply`).

        The ``ingest`` agent calls it for the events it correlates in place
        (``streams.worker.in_place``), already decoded; ``message_key`` is
        the key dead letters are sent with.
        """
        self._last_event[partition] = self._clock()
        event = result.event
        assert not isinstance(event, ChangeEvent)  # ingest stores changes, never correlates them
        key = state_key(event.service, event.environment)
        working = self._states.get(table, key)
        member, now_ms = to_member(event), int(time.time() * 1000)
        before = _finished_or_written(working.state) if working.state is not None else {}
        try:
            new_state, outputs = apply_event(
                working.state,
                member,
                event.service,
                event.environment,
                self._config,
                now_ms=now_ms,
                input_watermark=input_watermark,
            )
        except Exception as exc:  # a bug must not stop the stream or lose the event
            self.failed += 1
            log.exception("correlation failed for %s; dead-lettering it", result.origin)
            writer.dead_letter(
                message_key, Invalid(result.raw, f"correlation failed: {exc!r}", result.origin)
            )
            self._states.replay(working, key)
            if working.steps:
                table[key] = working.state
            return
        new_state["partition"] = partition
        working.state = new_state
        working.steps.append((member, now_ms, input_watermark, partition))
        if not outputs.duplicate:
            self._report_completions(before, outputs.rows)
        table[key] = new_state
        writer.add_rows(outputs.rows)
        if outputs.late:
            self.late += 1
            late = _late(result, new_state, self._config)
            log.warning("dead-lettering %s: %s", result.origin, late.reason)
            writer.dead_letter(message_key, late)

    def _report_completions(
        self, before: dict[str, dict[str, Any]], rows: list[dict[str, Any]]
    ) -> None:
        """Call ``on_completed`` for rows completed now that were not completed ``before``.

        ``before``: the key's emitted entries and review ledger entries before the
        step (a shallow copy: the engine replaces entries, never changes them in
        place). A ledger incident is finished, so its review's version is no
        completion.
        """
        if not any(row["completed"] for row in rows):  # the usual case: nothing to look up
            return
        done = {
            incident_id for incident_id, entry in before.items() if entry["fields"].get("completed")
        }
        for row in rows:
            if row["completed"] and not row["is_deleted"] and row["incident_id"] not in done:
                self._on_completed(row)


def _finished_or_written(state: State) -> dict[str, dict[str, Any]]:
    """Return the key's emitted entries and its review ledger's, by incident id."""
    return {**(state.get("reviews") or {}), **state["emitted"]}


def _late(decoded: Decoded, state: State, config: EngineConfig) -> Invalid:
    watermark = from_ms(safe_watermark(state) or 0).isoformat(timespec="milliseconds")
    reason = (
        f"late: occurred_at {decoded.event.occurred_at.isoformat(timespec='milliseconds')} is more "
        f"than the allowed lateness ({config.allowed_lateness_ms / 1000:.0f}s) behind the event "
        f"time {decoded.event.service}/{decoded.event.environment} has reached ({watermark})"
    )
    return Invalid(decoded.raw, reason, decoded.origin)
