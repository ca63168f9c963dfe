"""The alert storm: one key, one incident, tens of thousands of flapping alert events.

``build`` returns ``events`` distinct alert events of one service in
production from ``alerts`` alert ids over ``hours`` of event time: each alert
fires and resolves ``events / (2 * alerts)`` times (at least twice), one cycle
in each of as many consecutive slices of ``hours / (cycles + 1)``, starting at
a random offset of its own, so its cycles never overlap and the slices of all
alerts together cover the span evenly. A cycle fires at a random moment of
its slice and resolves 30 s to 12 min later.
With thousands of alerts per slice, some alert fires at every moment from the
first firing to the last resolution, so the key holds exactly one incident,
open until the very last event; ``build`` checks this on the walk the engine
makes (by time, a firing before a resolution at the same millisecond) and
raises ``ValueError`` if a seed ever left a gap. It is published like the main
dataset (``dataset.arrange``: 1% sent twice, shuffled in blocks of 50), all
deterministic from ``seed``.

``expected`` gives the incident's fields a person can derive by hand from the
events, and ``check`` compares the stored incidents with them.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.pipeline.contract import COMPARED_COLUMNS
from bench.pipeline.dataset import Dataset, arrange

SERVICE = "storm"
ENVIRONMENT = "production"
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
SEVERITIES = ("low", "medium", "high", "critical")
MIN_CYCLE_MS = 30_000
MAX_CYCLE_MS = 720_000


def _stamp(ms: int) -> str:
    moment = START + timedelta(milliseconds=ms)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _alert(number: int, cycle: int, status: str, ms: int) -> dict[str, Any]:
    return {
        "event_id": f"storm-{number:05d}-{cycle}-{status}",
        "type": "alert",
        "service": SERVICE,
        "environment": ENVIRONMENT,
        "occurred_at": _stamp(ms),
        "alert_id": f"storm-alert-{number:05d}",
        "name": f"StormProbe{number % 20:02d}",
        "status": status,
        "severity": SEVERITIES[number % len(SEVERITIES)],
    }


Cycle = tuple[int, int, int, int]  # (alert, cycle, fire ms, resolve ms)


def _cycles(alerts: int, cycles: int, span_ms: int, rng: random.Random) -> list[Cycle]:
    """Return (alert, cycle, fire ms, resolve ms) for every cycle of every alert."""
    slice_ms = span_ms // (cycles + 1)
    longest = min(MAX_CYCLE_MS, slice_ms // 2)
    drawn: list[Cycle] = []
    for number in range(alerts):
        offset = rng.randint(0, slice_ms - 1)  # each alert's slices start elsewhere
        for cycle in range(cycles):
            length = rng.randint(MIN_CYCLE_MS, longest)
            fire = offset + cycle * slice_ms + rng.randint(0, slice_ms - length - 1)
            drawn.append((number, cycle, fire, fire + length))
    return drawn


def _covered(drawn: list[Cycle]) -> bool:
    """Return whether some alert fires at every moment from the first firing to the end."""
    steps = sorted(
        [(fire, 0) for _, _, fire, _ in drawn] + [(resolve, 1) for _, _, _, resolve in drawn]
    )  # at one millisecond, firings before resolutions (the engine's tie rule)
    firing = 0
    for n, (_, resolving) in enumerate(steps):
        firing += -1 if resolving else 1
        if firing == 0 and n < len(steps) - 1:
            return False
    return True


def build(events: int = 50_000, alerts: int = 5_000, seed: int = 1, hours: float = 2.0) -> Dataset:
    """Return the storm's messages and distinct events (see the module docstring).

    Raises ``ValueError`` when ``events`` is not an even multiple of ``alerts``
    with at least two cycles per alert, or when the draw left a moment with
    no alert firing (the key would hold more than one incident).
    """
    cycles, rest = divmod(events, 2 * alerts)
    if rest or cycles < 2:
        msg = f"{events} events need 2 x {alerts} alerts x at least 2 cycles"
        raise ValueError(msg)
    rng = random.Random(seed)
    drawn = _cycles(alerts, cycles, int(hours * 3_600_000), rng)
    if not _covered(drawn):
        msg = f"seed {seed} leaves a moment with no alert firing; choose another"
        raise ValueError(msg)
    distinct = [
        _alert(number, cycle, status, ms)
        for number, cycle, fire, resolve in drawn
        for status, ms in (("firing", fire), ("resolved", resolve))
    ]
    distinct.sort(key=lambda event: (event["occurred_at"], event["event_id"]))
    return Dataset(arrange(distinct, seed), distinct, services=1, days=hours / 24)


def expected(dataset: Dataset) -> dict[str, Any]:
    """Return the fields of the one incident, derived from the events by hand."""
    firing = [e for e in dataset.events if e["status"] == "firing"]
    resolved = [e for e in dataset.events if e["status"] == "resolved"]
    return {
        "started_at": min(e["occurred_at"] for e in firing),
        "resolved_at": max(e["occurred_at"] for e in resolved),
        "status": "resolved",
        "alert_count": len({e["alert_id"] for e in firing}),
        "event_count": len(dataset.events),
        "reopen_count": 0,
    }


def _text(value: Any) -> Any:
    """Return a datetime as the events write it (``...sssZ``); anything else unchanged."""
    if isinstance(value, datetime):
        moment = value.astimezone(UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return value


def check(incidents: dict[str, tuple[Any, ...]], wanted: dict[str, Any]) -> list[str]:
    """Return what differs between the stored incidents and ``wanted`` (empty: correct).

    ``incidents`` are ``contract.incident_rows`` (compared columns by id).
    """
    if len(incidents) != 1:
        return [f"{len(incidents)} incidents instead of one"]
    row = dict(zip(COMPARED_COLUMNS, next(iter(incidents.values())), strict=True))
    found = {name: _text(row[name]) for name in wanted if name in row}
    found["alert_count"] = len(set(row["alert_ids"]))
    return [
        f"{name} {found[name]!r}, expected {value!r}"
        for name, value in wanted.items()
        if found[name] != value
    ]
