"""Helpers for driving the pure correlation engine from factory event dicts.

``run(events)`` feeds events, in the given order, through ``apply_event`` with
one state per (service, environment) key and returns the current row of every
incident (latest version per ``incident_id``; ids whose latest row is a delete
marker are dropped). ``Engine`` keeps the per-key states and every emitted row
for tests that look at single steps, versions or delete markers;
``Engine.idle`` calls ``complete_idle`` for a key (its partition went quiet).
The short builders (``fire``, ``clear``, ``tkt``, ``dep``) take minutes after
``BASE_TIME``; ``DAY`` is a day in those minutes, ``ms()`` turns them into epoch ms.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from schemas.events import EVENT_ADAPTER
from streams.engine.correlate import EngineConfig, Outputs, State, apply_event, complete_idle
from streams.engine.members import Member, to_member, to_ms
from tests.support.factories import BASE_TIME, alert, at, deploy, ticket

DEFAULT_CONFIG = EngineConfig()
NOW_MS = 1_800_000_000_000  # processing time stamped into updated_at (2027-01-15T08:00:00Z)
VOLATILE = ("version", "updated_at")

Row = dict[str, Any]


def member(event: dict[str, Any]) -> Member:
    """Validate a factory dict and reduce it to the engine's ``Member``."""
    return to_member(EVENT_ADAPTER.validate_python(event))


class Engine:
    """Per-key engine states plus every row emitted so far."""

    def __init__(self, config: EngineConfig = DEFAULT_CONFIG) -> None:
        self.config = config
        self.states: dict[tuple[str, str], State] = {}
        self.emitted: list[Row] = []
        self.latest: dict[str, Row] = {}
        self.steps = 0

    def send(self, event: dict[str, Any], input_watermark: int | None = None) -> Outputs:
        """Apply one event to its key's state; record the rows it produced.

        ``input_watermark`` is what ingest would forward it with (epoch ms).
        """
        parsed = EVENT_ADAPTER.validate_python(event)
        service, environment = parsed.service, parsed.environment
        self.steps += 1
        state, outputs = apply_event(
            self.states.get((service, environment)),
            to_member(parsed),
            service,
            environment,
            self.config,
            NOW_MS + self.steps,
            input_watermark,
        )
        self.states[(service, environment)] = state
        self._record(outputs)
        return outputs

    def idle(self, service: str = "checkout", environment: str = "production") -> Outputs:
        """Call ``complete_idle`` for one key (as on an idle tick); record the rows it produced."""
        self.steps += 1
        outputs = complete_idle(
            self.states[(service, environment)],
            service,
            environment,
            self.config,
            NOW_MS + self.steps,
        )
        self._record(outputs)
        return outputs

    def _record(self, outputs: Outputs) -> None:
        for row in outputs.rows:
            self.emitted.append(row)
            previous = self.latest.get(row["incident_id"])
            if previous is None or row["version"] >= previous["version"]:
                self.latest[row["incident_id"]] = row

    def feed(self, events: Iterable[dict[str, Any]]) -> list[Outputs]:
        """Apply events in the given order."""
        return [self.send(event) for event in events]

    def state(self, service: str = "checkout", environment: str = "production") -> State:
        """Return the state of one key."""
        return self.states[(service, environment)]

    def rows(self) -> dict[str, Row]:
        """Return the current (not deleted) row of every incident."""
        return {iid: row for iid, row in self.latest.items() if not row["is_deleted"]}


def run(events: Iterable[dict[str, Any]], config: EngineConfig = DEFAULT_CONFIG) -> dict[str, Row]:
    """Feed ``events`` in order; return the current row per incident id."""
    engine = Engine(config)
    engine.feed(events)
    return engine.rows()


def only(rows: dict[str, Row]) -> Row:
    """Return the single incident row; fail if there is not exactly one."""
    assert len(rows) == 1, f"expected one incident, got {len(rows)}: {list(rows.values())}"
    return next(iter(rows.values()))


def by_start(rows: dict[str, Row]) -> list[Row]:
    """Return the rows ordered by ``started_at``."""
    return sorted(rows.values(), key=lambda row: (row["started_at"], row["incident_id"]))


def stable(row: Row) -> Row:
    """Return the row without the fields that depend on processing (version, updated_at)."""
    return {name: value for name, value in row.items() if name not in VOLATILE}


def stable_rows(rows: dict[str, Row]) -> dict[str, Row]:
    """Return ``stable`` of every row."""
    return {iid: stable(row) for iid, row in rows.items()}


# Short event builders (factory dicts) for scripted histories. Times are minutes
# (and seconds) after BASE_TIME 2026-03-02T10:00:00Z, as in ``factories.at``;
# ``overrides`` win over these (e.g. an explicit ``occurred_at`` with an offset).

DAY = 1440  # minutes


def ms(minutes: float) -> int:
    """Epoch milliseconds of BASE_TIME + ``minutes``."""
    return to_ms(BASE_TIME + timedelta(minutes=minutes))


def fire(alert_id: str, minutes: float, *, seconds: float = 0, **overrides: Any) -> dict[str, Any]:
    """Return a firing alert event of ``alert_id`` at BASE_TIME + offset."""
    fields = {"alert_id": alert_id, "status": "firing", "occurred_at": at(minutes, seconds=seconds)}
    return alert(**{**fields, **overrides})


def clear(alert_id: str, minutes: float, *, seconds: float = 0, **overrides: Any) -> dict[str, Any]:
    """Return a resolved alert event of ``alert_id`` at BASE_TIME + offset."""
    fields = {
        "alert_id": alert_id,
        "status": "resolved",
        "occurred_at": at(minutes, seconds=seconds),
    }
    return alert(**{**fields, **overrides})


def tkt(
    ticket_id: str, status: str, minutes: float, *, seconds: float = 0, **overrides: Any
) -> dict[str, Any]:
    """Return a ticket event of ``ticket_id`` with ``status`` at BASE_TIME + offset."""
    fields = {"ticket_id": ticket_id, "status": status, "occurred_at": at(minutes, seconds=seconds)}
    return ticket(**{**fields, **overrides})


def dep(
    deploy_id: str,
    minutes: float,
    *,
    seconds: float = 0,
    kind: str = "release",
    status: str = "succeeded",
    **overrides: Any,
) -> dict[str, Any]:
    """Return a deploy event (default: a succeeded release) at BASE_TIME + offset."""
    fields = {
        "deploy_id": deploy_id,
        "kind": kind,
        "status": status,
        "occurred_at": at(minutes, seconds=seconds),
    }
    return deploy(**{**fields, **overrides})
