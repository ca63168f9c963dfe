"""The correlation engine: ``(state, event) -> (state, outputs)``, pure and synchronous.

State is one plain dict per (service, environment) key, as stored in a Faust
table. The engine keeps the key's recent events sorted by event time and
re-derives the incidents from them on every change, so the result does not
depend on arrival order (within the allowed lateness) or on duplicates.
Changed incidents are emitted as new row versions; an incident id that
disappears (e.g. a late event merged two incidents) is emitted as a delete
marker so ``mttr.incidents FINAL`` never shows it again.

Time is judged against the key's *safe watermark*: the newest event time of
the key, held back to the input watermark that ingest puts on forwarded
events while some source partition still has unread messages (see
``streams.ingest.progress``), and never moving backwards. An event is judged against
the safe watermark as its own input watermark advances it, so once every
partition is caught up an event is judged against its key's newest event
time, whatever a catch-up held back before. An event more than the allowed
lateness behind that is late (even if its ``event_id`` was seen: lateness is
judged before duplicates); state older than that horizon is pruned.

An incident is *completed* once it is resolved and either the key's safe
watermark passed ``resolved_at + quiet period`` (nothing ordinary can reopen
it any more) or ``complete_idle()`` was called for its key because its
partition went quiet (wall clock). Completion is written as a new version
with ``completed = 1``; a later event may still reopen it (then it is no
longer completed).
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from streams.engine.forgetting import prune
from streams.engine.incident import Windows, derive, to_row
from streams.engine.members import Member, sort_key
from streams.engine.segment import Segment, segment

State = dict[str, Any]


@dataclass(frozen=True)
class EngineConfig:
    """Rule windows in milliseconds (from MTTR_*_S settings)."""

    quiet_ms: int = 600_000
    allowed_lateness_ms: int = 3_600_000
    suspect_ms: int = 3_600_000
    retention_ms: int = 7 * 86_400_000  # keep finished incidents for ticket follow-ups

    @property
    def windows(self) -> Windows:
        """Return the windows the incident derivation needs."""
        return Windows(quiet_ms=self.quiet_ms, suspect_ms=self.suspect_ms)


@dataclass
class Outputs:
    """What one step produced: incident rows to write and whether the event was dropped."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    late: bool = False
    duplicate: bool = False


def new_state() -> State:
    """Return the empty state of a key."""
    return {
        "members": [],
        "watermark": None,  # newest event time of the key
        "safe_watermark": None,  # see the module docstring
        "seen": {},
        "emitted": {},
        "idle_completed": {},
    }


def copy_state(state: State) -> State:
    """Return a copy of ``state`` that ``apply_event`` and ``complete_idle`` may change.

    The engine changes only the state's containers (the member list and the
    ``seen``, ``emitted`` and ``idle_completed`` dicts), never a member or an
    ``emitted`` entry in place, so copying the containers is enough: the
    original stays intact if a step fails. Much cheaper than ``deepcopy``,
    which was most of the cost of a step.
    """
    copied = dict(state)
    for name in ("seen", "emitted", "idle_completed"):
        if name in state:
            copied[name] = dict(state[name])
    copied["members"] = list(state["members"])
    return copied


def safe_watermark(state: State) -> int | None:
    """Return the key's safe watermark (states written before it existed: the watermark)."""
    if "safe_watermark" in state:
        return state["safe_watermark"]  # type: ignore[no-any-return]
    return state["watermark"]  # type: ignore[no-any-return]


def _digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def _incidents(
    state: State, service: str, environment: str, config: EngineConfig
) -> list[tuple[Segment, dict[str, Any]]]:
    members: list[Member] = state["members"]
    deploys = [m for m in members if m["type"] == "deploy" and m["status"] == "succeeded"]
    watermark: int = safe_watermark(state)  # type: ignore[assignment]
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


def complete_idle(
    state: State, service: str, environment: str, config: EngineConfig, now_ms: int
) -> Outputs:
    """Complete every resolved incident of the key (its partition went idle).

    Returns the new versions of the incidents that became completed; the
    state is updated in place. Cheap when nothing is pending.
    """
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


def apply_event(
    state: State | None,
    member: Member,
    service: str,
    environment: str,
    config: EngineConfig,
    now_ms: int,
    input_watermark: int | None = None,
) -> tuple[State, Outputs]:
    """Apply one event of the key; ``now_ms`` only stamps ``updated_at``.

    ``input_watermark`` is the one ingest forwarded with the event (None: all
    source partitions were caught up). An event more than the allowed
    lateness behind ``max(safe watermark, min(key watermark, input
    watermark))`` is rejected (``late``) and changes nothing, whether or not
    its ``event_id`` was seen. Otherwise a duplicate ``event_id`` changes
    nothing but re-emits the current row of its incident (same version),
    which repairs a row lost between a state write and a crash.
    """
    state = state if state is not None else new_state()
    reference = _advance(safe_watermark(state), state["watermark"], input_watermark)
    if reference is not None and member["at"] < reference - config.allowed_lateness_ms:
        return state, Outputs(late=True)
    if member["event_id"] in state["seen"]:
        return state, _reemit(state, member["event_id"], service, environment, config, now_ms)
    members: list[Member] = state["members"]
    bisect.insort(members, member, key=sort_key)
    state["seen"][member["event_id"]] = member["at"]
    watermark = state["watermark"]
    watermark = member["at"] if watermark is None else max(watermark, member["at"])
    state["watermark"] = watermark
    state["safe_watermark"] = _advance(reference, watermark, input_watermark)
    incidents = _incidents(state, service, environment, config)
    outputs = Outputs(rows=_diff(state, incidents, now_ms))
    prune(state, incidents, state["safe_watermark"], config)
    return state, outputs


def _advance(safe: int | None, watermark: int | None, input_watermark: int | None) -> int | None:
    """Return the safe watermark once the key's newest event time is ``watermark``.

    ``min(watermark, input watermark)`` (just ``watermark`` when the event came
    caught up), never below ``safe``. Applied *before* judging an event too:
    the input watermark it was forwarded with counts for it, so the first
    event read caught up after a catch-up is judged against the key's newest
    event time, not against the watermark the catch-up held back.
    """
    if watermark is None:
        return safe
    reached = watermark if input_watermark is None else min(watermark, input_watermark)
    return reached if safe is None else max(safe, reached)


def _reemit(
    state: State, event_id: str, service: str, environment: str, config: EngineConfig, now_ms: int
) -> Outputs:
    outputs = Outputs(duplicate=True)
    for seg, fields in _incidents(state, service, environment, config):
        if any(m["event_id"] == event_id for m in seg.members):
            entry = state["emitted"].get(fields["incident_id"])
            if entry is not None:
                outputs.rows.append(to_row(fields, entry["version"], entry["updated_at"]))
    return outputs


def _diff(
    state: State, incidents: list[tuple[Segment, dict[str, Any]]], now_ms: int
) -> list[dict[str, Any]]:
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
            entry = emitted[incident_id] = {  # a new entry: entries are never changed in place
                **entry,
                "version": entry["version"] + 1,
                "live": False,
                "updated_at": now_ms,
                "updated_watermark": state["watermark"],
            }
            rows.append(to_row(entry["fields"], entry["version"], now_ms, deleted=True))
    return rows
