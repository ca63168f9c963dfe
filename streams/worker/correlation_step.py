"""One forwarded event through the correlation engine and the key's table entry.

Called by the ``correlate`` agent for each event of a batch, with Faust's
current event set to that event (table writes go to its partition). Nothing
here does I/O: rows and late events are handed to the ``IncidentWriter``.
An engine failure on one event is logged and dead-lettered; it never stops
the worker and never corrupts the key's state (the state is only replaced
after a successful step).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, MutableMapping
from typing import Any

import orjson

from streams.engine.correlate import (
    EngineConfig,
    State,
    apply_event,
    complete_idle,
    copy_state,
    safe_watermark,
)
from streams.engine.members import from_ms, to_member
from streams.ingest.decode import Decoded, Invalid, decode
from streams.ingest.types import RawMessage
from streams.storage.incident_writer import IncidentWriter

log = logging.getLogger(__name__)


def state_key(service: str, environment: str) -> str:
    """Return the table key of a (service, environment) pair."""
    return orjson.dumps([service, environment]).decode()


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
        self.late = 0
        self.failed = 0
        self.completed = 0

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
            service, environment = orjson.loads(key)
            working = copy_state(state)
            outputs = complete_idle(working, service, environment, self._config, now_ms)
            if outputs.rows:
                self._report_completions(state, outputs.rows)
                table[key] = working
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
        key = state_key(event.service, event.environment)
        state: State | None = table.get(key)
        try:
            working = copy_state(state) if state is not None else None
            new_state, outputs = apply_event(
                working,
                to_member(event),
                event.service,
                event.environment,
                self._config,
                now_ms=int(time.time() * 1000),
                input_watermark=input_watermark,
            )
        except Exception as exc:  # a bug must not stop the stream or lose the event
            self.failed += 1
            log.exception("correlation failed for %s; dead-lettering it", result.origin)
            writer.dead_letter(
                message_key, Invalid(result.raw, f"correlation failed: {exc!r}", result.origin)
            )
            return
        new_state["partition"] = partition
        if not outputs.duplicate:
            self._report_completions(state, outputs.rows)
        table[key] = new_state
        writer.add_rows(outputs.rows)
        if outputs.late:
            self.late += 1
            late = _late(result, new_state, self._config)
            log.warning("dead-lettering %s: %s", result.origin, late.reason)
            writer.dead_letter(message_key, late)

    def _report_completions(self, before: State | None, rows: list[dict[str, Any]]) -> None:
        """Call ``on_completed`` for rows completed now that were not completed before."""
        if not any(row["completed"] for row in rows):  # the usual case: nothing to look up
            return
        done = {
            incident_id
            for incident_id, entry in (before or {}).get("emitted", {}).items()
            if entry["fields"].get("completed")
        }
        for row in rows:
            if row["completed"] and not row["is_deleted"] and row["incident_id"] not in done:
                self._on_completed(row)


def _late(decoded: Decoded, state: State, config: EngineConfig) -> Invalid:
    watermark = from_ms(safe_watermark(state) or 0).isoformat(timespec="milliseconds")
    reason = (
        f"late: occurred_at {decoded.event.occurred_at.isoformat(timespec='milliseconds')} is more "
        f"than the allowed lateness ({config.allowed_lateness_ms / 1000:.0f}s) behind the event "
        f"time {decoded.event.service}/{decoded.event.environment} has reached ({watermark})"
    )
    return Invalid(decoded.raw, reason, decoded.origin)
