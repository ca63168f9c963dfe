"""The small-key path: a key's incidents derived again from all its events (pure).

Most keys hold few events (a service's recent deploys and the odd incident).
For them the engine applies the rules as they are stated: on every event the
key's events are split into incidents (``segment``), every incident is
derived (``incident.derive``) and compared with what was emitted, and
forgetting rebuilds the lists. That costs O(events of the key) per event,
little for few events, and keeps the state as compact as it is without an
index. ``correlate`` moves a key to the incremental path
(``streams.engine.index``) once it holds more than ``BIG`` events, and back
once it holds fewer than ``SMALL`` (and nothing is folded).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streams.engine.review as reviews
from streams.engine.forgetting import MAX_DEPLOYS
from streams.engine.incident import can_cause, derive, to_row
from streams.engine.index import is_succeeded_deploy
from streams.engine.members import Member
from streams.engine.segment import Segment, is_review, segment
from streams.engine.versions import retire

if TYPE_CHECKING:
    from streams.engine.correlate import EngineConfig, State

BIG = 96  # more events than this: the key gets an index
SMALL = 48  # fewer than this (and nothing folded): the index goes again

Incidents = list[tuple[Segment, dict[str, Any]]]
Row = dict[str, Any]


def incidents(state: State, key: tuple[str, str], config: EngineConfig) -> Incidents:
    """Return every incident of the key: its segment and fields, ``completed`` included."""
    members: list[Member] = state["members"]
    deploys = [m for m in members if is_succeeded_deploy(m)]
    safe = state["safe_watermark"] if "safe_watermark" in state else state["watermark"]
    idle: dict[str, int] = state.setdefault("idle_completed", {})
    found = []
    for seg in segment(members, config.quiet_ms):
        fields = derive(seg, deploys, *key, config.windows)
        resolved = fields["resolved_at"]
        fields["completed"] = int(
            resolved is not None
            and (safe > resolved + config.quiet_ms or idle.get(fields["incident_id"]) == resolved)
        )
        found.append((seg, fields))
    return found


def apply(state: State, key: tuple[str, str], config: EngineConfig, now_ms: int) -> list[Row]:
    """Re-derive after an event was added to the members; write versions, then forget."""
    found = incidents(state, key, config)
    rows = diff(state, found, now_ms)
    _prune(state, found, config)
    if state.get("reviews"):
        horizon = state["safe_watermark"] - config.allowed_lateness_ms
        joined = {m["event_id"] for seg, _ in found for m in seg.members}
        loose = [
            m
            for m in state["members"]
            if m["at"] >= horizon and is_review(m) and m["event_id"] not in joined
        ]
        rows += reviews.settle(state, loose, horizon, config, now_ms)
    return rows


def reemit(state: State, event_id: str, key: tuple[str, str], config: EngineConfig) -> list[Row]:
    """Return the current row (same version) of the incident holding ``event_id``, if any."""
    for seg, fields in incidents(state, key, config):
        if any(m["event_id"] == event_id for m in seg.members):
            entry = state["emitted"].get(fields["incident_id"])
            return [] if entry is None else [to_row(fields, entry["version"], entry["updated_at"])]
    return []


def diff(state: State, found: Incidents, now_ms: int) -> list[Row]:
    """Write a new version of every incident whose fields changed; return the rows.

    Live incident ids that are no incident any more get a delete marker.
    """
    emitted: dict[str, dict[str, Any]] = state["emitted"]
    rows = []
    current = set()
    for _, fields in found:
        incident = fields["incident_id"]
        current.add(incident)
        entry = emitted.get(incident)
        if entry is not None and entry["live"] and entry["fields"] == fields:
            continue
        version = 1 if entry is None else entry["version"] + 1
        emitted[incident] = {
            "version": version,
            "live": True,
            "updated_at": now_ms,
            "updated_watermark": state["watermark"],
            "fields": fields,
        }
        rows.append(to_row(fields, version, now_ms))
    for incident, entry in emitted.items():
        if entry["live"] and incident not in current:
            rows.append(retire(emitted, incident, state["watermark"], now_ms))
    return rows


def last_event(seg: Segment) -> int:
    """Return the time of the segment's last event, reviews (postmortems) left out.

    A review never keeps its incident in state longer (docs/incident-model.md,
    "Review"); the first member opened the segment, so one is always found.
    """
    return next(m["at"] for m in reversed(seg.members) if not is_review(m))


def _prune(state: State, found: Incidents, config: EngineConfig) -> None:
    """``forgetting.prune``'s rules, applied by rebuilding the lists (see there)."""
    safe: int = state["safe_watermark"]
    horizon = safe - config.allowed_lateness_ms
    keep_from = horizon
    finished: set[str] = set()
    live: set[str] = set()
    for seg, fields in found:
        resolved = fields["resolved_at"]
        if (
            resolved is not None
            and resolved + config.quiet_ms < horizon
            and last_event(seg) + config.retention_ms < safe
        ):
            finished.update(m["event_id"] for m in seg.members)
            reviews.keep(state, state["emitted"].pop(fields["incident_id"], None), horizon, config)
        else:
            live.update(m["event_id"] for m in seg.members)
            keep_from = min(keep_from, fields["started_at"])
    keep_from -= config.suspect_ms
    members: list[Member] = state["members"]
    succeeded = [m for m in members if is_succeeded_deploy(m)]
    recent = {m["event_id"] for m in [d for d in succeeded if can_cause(d)][-MAX_DEPLOYS:]}
    state["members"] = [
        m
        for m in members
        if m["event_id"] in live
        or m["event_id"] in recent  # deploys outlive their incident (cause links)
        or (m["event_id"] not in finished and m["at"] >= keep_from)
        or (is_succeeded_deploy(m) and m["at"] >= keep_from)
    ]
    state["seen"] = {k: v for k, v in state["seen"].items() if v >= horizon}
    state["emitted"] = {
        k: e for k, e in state["emitted"].items() if e["live"] or e["updated_watermark"] >= horizon
    }
