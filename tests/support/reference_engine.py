"""The engine re-derived from scratch on every event: the oracle of the incremental engine.

This is the correlation engine as it was before it became incremental: on every
applied event it re-segments the key's whole member list (``segment``),
re-derives every incident (``derive``), compares a digest of each incident's
fields with the one it emitted last, and prunes by rebuilding every list and
dict. It keeps the state layout of that version (``members``, ``watermark``,
``safe_watermark``, ``seen``, ``emitted`` with a ``digest`` per entry,
``idle_completed``), so a state it returns is also "a state as written by the
previous version". ``reference_apply`` and ``reference_complete_idle`` take the
arguments of ``apply_event`` and ``complete_idle``.

Reviews (ticket postmortems): a review never keeps its incident in state
longer (the last event for the retention leaves reviews out), and finished
incidents go to the review ledger, which both engines run with the same code
(``streams.engine.review``) from what they pass it: the dropped incidents'
emitted entries and the reviews at or after the horizon that joined no incident.
"""

from __future__ import annotations

import bisect
import hashlib
from typing import Any

import orjson

from streams.engine.correlate import EngineConfig, Outputs, State
from streams.engine.incident import can_cause, derive, to_row
from streams.engine.members import Member, sort_key
from streams.engine.review import keep, settle
from streams.engine.segment import Segment, is_review, segment

MAX_DEPLOYS = 20
Incidents = list[tuple[Segment, dict[str, Any]]]


def reference_state() -> State:
    """Return the empty state of a key, in the previous layout."""
    return {
        "members": [],
        "watermark": None,
        "safe_watermark": None,
        "seen": {},
        "emitted": {},
        "idle_completed": {},
    }


def _safe(state: State) -> int | None:
    return state["safe_watermark"] if "safe_watermark" in state else state["watermark"]  # type: ignore[no-any-return]


def _digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def _incidents(state: State, service: str, environment: str, config: EngineConfig) -> Incidents:
    members: list[Member] = state["members"]
    deploys = [m for m in members if m["type"] == "deploy" and m["status"] == "succeeded"]
    watermark: int = _safe(state)  # type: ignore[assignment]
    idle: dict[str, int] = state.setdefault("idle_completed", {})
    incidents = []
    for seg in segment(members, config.quiet_ms):
        fields = derive(seg, deploys, service, environment, config.windows)
        resolved = fields["resolved_at"]
        fields["completed"] = int(
            resolved is not None
            and (
                watermark > resolved + config.quiet_ms
                or idle.get(fields["incident_id"]) == resolved
            )
        )
        incidents.append((seg, fields))
    return incidents


def reference_complete_idle(
    state: State, service: str, environment: str, config: EngineConfig, now_ms: int
) -> Outputs:
    """``complete_idle`` of the previous version (state changed in place)."""
    if not any(
        e["live"] and e["fields"]["resolved_at"] is not None and not e["fields"].get("completed")
        for e in state["emitted"].values()
    ):
        return Outputs()
    idle: dict[str, int] = state.setdefault("idle_completed", {})
    live = {}
    for _, fields in _incidents(state, service, environment, config):
        live[fields["incident_id"]] = fields
        if fields["resolved_at"] is not None:
            idle[fields["incident_id"]] = fields["resolved_at"]
    for incident_id in [i for i in idle if i not in live]:
        del idle[incident_id]
    return Outputs(rows=_diff(state, _incidents(state, service, environment, config), now_ms))


def reference_apply(
    state: State | None,
    member: Member,
    service: str,
    environment: str,
    config: EngineConfig,
    now_ms: int,
    input_watermark: int | None = None,
) -> tuple[State, Outputs]:
    """``apply_event`` of the previous version (state changed in place)."""
    state = state if state is not None else reference_state()
    reference = _advance(_safe(state), state["watermark"], input_watermark)
    if reference is not None and member["at"] < reference - config.allowed_lateness_ms:
        return state, Outputs(late=True)
    if member["event_id"] in state["seen"]:
        outputs = Outputs(duplicate=True)
        for seg, fields in _incidents(state, service, environment, config):
            if any(m["event_id"] == member["event_id"] for m in seg.members):
                entry = state["emitted"].get(fields["incident_id"])
                if entry is not None:
                    outputs.rows.append(to_row(fields, entry["version"], entry["updated_at"]))
        return state, outputs
    bisect.insort(state["members"], member, key=sort_key)
    state["seen"][member["event_id"]] = member["at"]
    watermark = state["watermark"]
    watermark = member["at"] if watermark is None else max(watermark, member["at"])
    state["watermark"] = watermark
    state["safe_watermark"] = _advance(reference, watermark, input_watermark)
    incidents = _incidents(state, service, environment, config)
    outputs = Outputs(rows=_diff(state, incidents, now_ms))
    _prune(state, incidents, state["safe_watermark"], config)
    horizon = state["safe_watermark"] - config.allowed_lateness_ms
    joined = {m["event_id"] for seg, _ in incidents for m in seg.members}
    loose = [
        m
        for m in state["members"]
        if is_review(m) and m["at"] >= horizon and m["event_id"] not in joined
    ]
    outputs.rows += settle(state, loose, horizon, config, now_ms)
    return state, outputs


def _advance(safe: int | None, watermark: int | None, input_watermark: int | None) -> int | None:
    if watermark is None:
        return safe
    reached = watermark if input_watermark is None else min(watermark, input_watermark)
    return reached if safe is None else max(safe, reached)


def _diff(state: State, incidents: Incidents, now_ms: int) -> list[dict[str, Any]]:
    emitted: dict[str, dict[str, Any]] = state["emitted"]
    rows = []
    current = set()
    for _, fields in incidents:
        incident_id = fields["incident_id"]
        current.add(incident_id)
        digest = _digest(fields)
        entry = emitted.get(incident_id)
        if entry is not None and entry["digest"] == digest and entry["live"]:
            continue
        version = 1 if entry is None else entry["version"] + 1
        emitted[incident_id] = {
            "version": version,
            "digest": digest,
            "live": True,
            "updated_at": now_ms,
            "updated_watermark": state["watermark"],
            "fields": fields,
        }
        rows.append(to_row(fields, version, now_ms))
    for incident_id, entry in emitted.items():
        if entry["live"] and incident_id not in current:
            entry = emitted[incident_id] = {
                **entry,
                "version": entry["version"] + 1,
                "live": False,
                "updated_at": now_ms,
                "updated_watermark": state["watermark"],
            }
            rows.append(to_row(entry["fields"], entry["version"], now_ms, deleted=True))
    return rows


def _prune(state: State, incidents: Incidents, watermark: int, config: EngineConfig) -> None:
    horizon = watermark - config.allowed_lateness_ms
    keep_from = horizon
    finished: set[str] = set()
    live: set[str] = set()
    for seg, fields in incidents:
        resolved = fields["resolved_at"]
        if (
            resolved is not None
            and resolved + config.quiet_ms < horizon
            and max(m["at"] for m in seg.members if not is_review(m)) + config.retention_ms
            < watermark
        ):
            finished.update(m["event_id"] for m in seg.members)
            keep(state, state["emitted"].pop(fields["incident_id"], None), horizon, config)
        else:
            live.update(m["event_id"] for m in seg.members)
            keep_from = min(keep_from, fields["started_at"])
    keep_from -= config.suspect_ms
    members: list[Member] = state["members"]
    succeeded = [m for m in members if m["type"] == "deploy" and m["status"] == "succeeded"]
    recent = {m["event_id"] for m in succeeded if can_cause(m)}
    recent = set([m["event_id"] for m in succeeded if m["event_id"] in recent][-MAX_DEPLOYS:])
    in_window = {m["event_id"] for m in succeeded if m["at"] >= keep_from}
    state["members"] = [
        m
        for m in members
        if m["event_id"] in live
        or m["event_id"] in recent
        or (m["event_id"] not in finished and m["at"] >= keep_from)
        or m["event_id"] in in_window
    ]
    state["seen"] = {k: v for k, v in state["seen"].items() if v >= horizon}
    state["emitted"] = {
        k: e for k, e in state["emitted"].items() if e["live"] or e["updated_watermark"] >= horizon
    }
