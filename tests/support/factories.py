"""Factories for valid event dicts, shared by the unit and integration tiers.

Each factory returns a plain ``dict`` holding only the *required* fields of a
valid v1 event (so schema defaults stay observable), updated with
``overrides``. Event ids come from a per-type counter (``alert-000001``,
``alert-000002``, ...): deterministic for a given call order and unique within a
process. Pass ``event_id=...`` when a test needs a fixed id.

    >>> alert(event_id="a-1", status="resolved")["status"]
    'resolved'
    >>> as_line(deploy(event_id="d-1"))[:16]
    b'{"type":"deploy"'
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

BASE_TIME = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
"""The reference instant of every factory event: 2026-03-02T10:00:00Z."""

_counters: defaultdict[str, Iterator[int]] = defaultdict(lambda: itertools.count(1))


def next_id(prefix: str) -> str:
    """Return the next id for ``prefix``, e.g. ``alert-000003``."""
    return f"{prefix}-{next(_counters[prefix]):06d}"


def at(minutes: float = 0, *, seconds: float = 0) -> str:
    """Return ``BASE_TIME`` plus an offset as an RFC 3339 UTC string (``...Z``).

    Millisecond precision is kept when the offset has a fractional second.
    """
    moment = BASE_TIME + timedelta(minutes=minutes, seconds=seconds)
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.isoformat(timespec=spec).replace("+00:00", "Z")


def alert(**overrides: Any) -> dict[str, Any]:
    """Return a valid firing alert event (service ``checkout``, severity ``high``)."""
    event: dict[str, Any] = {
        "type": "alert",
        "event_id": next_id("alert"),
        "service": "checkout",
        "occurred_at": at(0),
        "alert_id": "checkout-high-error-rate",
        "name": "HighErrorRate",
        "status": "firing",
        "severity": "high",
    }
    event.update(overrides)
    return event


def deploy(**overrides: Any) -> dict[str, Any]:
    """Return a valid started deploy event (service ``checkout``)."""
    event: dict[str, Any] = {
        "type": "deploy",
        "event_id": next_id("deploy"),
        "service": "checkout",
        "occurred_at": at(0),
        "deploy_id": "checkout-v1.4.2",
        "status": "started",
    }
    event.update(overrides)
    return event


def ticket(**overrides: Any) -> dict[str, Any]:
    """Return a valid opened ticket event (service ``checkout``)."""
    event: dict[str, Any] = {
        "type": "ticket",
        "event_id": next_id("ticket"),
        "service": "checkout",
        "occurred_at": at(0),
        "ticket_id": "INC-1001",
        "status": "opened",
    }
    event.update(overrides)
    return event


def change(**overrides: Any) -> dict[str, Any]:
    """Return a valid change event (service ``checkout``, landed at ``at(0)``)."""
    event: dict[str, Any] = {
        "type": "change",
        "event_id": next_id("change"),
        "service": "checkout",
        "occurred_at": at(0),
        "change_id": "pr-1042",
        "commit_sha": "9fceb02d0ae598e95dc970b74767f19372d61af8",
    }
    event.update(overrides)
    return event


def without(event: dict[str, Any], *keys: str) -> dict[str, Any]:
    """Return a copy of ``event`` without ``keys`` (to test missing fields)."""
    return {key: value for key, value in event.items() if key not in keys}


def as_line(event: dict[str, Any]) -> bytes:
    """Return ``event`` as compact JSON bytes, as a producer would send it."""
    return orjson.dumps(event)


def as_jsonl(events: list[dict[str, Any]]) -> bytes:
    """Return ``events`` as a JSON-lines document (one event per line)."""
    return b"".join(as_line(event) + b"\n" for event in events)
