"""The rows ``python -m bench.inserts`` writes: real ``mttr.events`` and ``mttr.incidents`` rows.

Built the way the worker builds them, without Kafka: a simulated history
(``streams.devtools.simulate``, as ``mttr simulate`` and the pipeline
benchmark), each event decoded at the edge (``streams.ingest.decode``) and
turned into its event row (``event_to_row``), then correlated per
(service, environment) by the engine (``apply_event``), whose outputs are the
incident rows. ``ingested_at`` carries microseconds, as ``datetime.now`` does
in the worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from schemas.events import ChangeEvent
from streams.devtools.simulate import Profile, simulate
from streams.engine.correlate import EngineConfig, State, apply_event
from streams.engine.members import to_member
from streams.ingest.decode import Decoded, Origin, decode
from streams.ingest.rows import event_to_row

END = datetime(2026, 11, 1, tzinfo=UTC)
BUSY = Profile(incidents_per_day=1.0, deploys_per_day=3.0)  # enough incident rows
MAX_BYTES = 1 << 20
TOPICS = {"alert": "alerts", "deploy": "deploys", "ticket": "tickets"}


@dataclass(frozen=True)
class Rows:
    """Event rows and incident rows (dicts, as the worker's sinks receive them)."""

    events: list[dict[str, Any]]
    incidents: list[dict[str, Any]]


def build(services: int = 40, days: int = 30, seed: int = 1) -> Rows:
    """Return the rows of ``days`` days of ``services`` services' simulated history."""
    config = EngineConfig()
    states: dict[tuple[str, str], State] = {}
    events: list[dict[str, Any]] = []
    incidents: list[dict[str, Any]] = []
    history = simulate(services, days, seed, END, BUSY)
    for offset, event in enumerate(history):
        origin = Origin(TOPICS[event["type"]], offset % 4, offset)
        decoded = decode(orjson.dumps(event), origin, expected_type=None, max_bytes=MAX_BYTES)
        if not isinstance(decoded, Decoded):  # the simulator only makes valid events
            msg = f"simulated event {event['event_id']} is invalid: {decoded.reason}"
            raise TypeError(msg)
        ingested_at = END + timedelta(microseconds=offset * 1_001)
        events.append(event_to_row(decoded, ingested_at))
        if isinstance(decoded.event, ChangeEvent):  # stored, never correlated
            continue
        key = (decoded.event.service, decoded.event.environment)
        now_ms = int(ingested_at.timestamp() * 1000)
        state, outputs = apply_event(
            states.get(key), to_member(decoded.event), key[0], key[1], config, now_ms
        )
        if not (outputs.duplicate or outputs.late):
            states[key] = state
        incidents.extend(outputs.rows)
    return Rows(events, incidents)
