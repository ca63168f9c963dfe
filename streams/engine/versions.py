"""Incident rows and versions: which incidents changed, and their new versions (pure).

``state["emitted"]`` holds, per incident id, the version last written, its
fields, whether it is live and when it was written. A step re-derives only the
incidents it may have changed (``candidates``) and writes a new version of
those whose fields differ from the emitted ones (no row when nothing changed);
an incident id that disappeared gets a delete marker. Every incident of the
key has a live entry after each step, so ``len(emitted)`` exceeds the number
of segments exactly when delete markers are remembered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from streams.engine.incident import incident_id, to_row
from streams.engine.index import Index
from streams.engine.members import Member
from streams.engine.scan import is_open
from streams.engine.summary import fields, started

if TYPE_CHECKING:
    from streams.engine.correlate import EngineConfig, State

Row = dict[str, Any]


def retire(
    emitted: dict[str, dict[str, Any]], incident: str, watermark: int | None, now_ms: int
) -> dict[str, Any]:
    """Mark an incident id gone (a new, not live entry) and return its delete marker row."""
    entry = emitted[incident] = {  # a new entry: entries are never changed in place
        **emitted[incident],
        "version": emitted[incident]["version"] + 1,
        "live": False,
        "updated_at": now_ms,
        "updated_watermark": watermark,
    }
    return to_row(entry["fields"], entry["version"], now_ms, deleted=True)


def incident_fields(
    state: State, index: Index, sid: int, key: tuple[str, str], config: EngineConfig
) -> dict[str, Any]:
    """Return the fields of segment ``sid`` as ``derive`` gives them, with ``completed``."""
    seg = index["segs"][str(sid)]
    resolved = None if is_open(seg) else seg["resolved"]
    result = fields(seg, resolved, index["deploys"], *key, config.windows)
    safe = state["safe_watermark"] if "safe_watermark" in state else state["watermark"]
    result["completed"] = int(
        resolved is not None
        and (
            safe > resolved + config.quiet_ms
            or state["idle_completed"].get(result["incident_id"]) == resolved
        )
    )
    return result


def candidates(
    index: Index,
    touched: set[int],
    member: Member | None,
    old_safe: int | None,
    new_safe: int | None,
    quiet_ms: int,
    suspect_ms: int,
) -> list[int]:
    """Return, in walk order, the segments whose fields the step may have changed.

    ``touched`` ones; those a succeeded deploy ``member`` may now link (its
    time within the suspect window before their start, or after their start and
    not after their resolution); those the advanced safe watermark may complete
    (resolved at most a quiet period before the old one; resolutions increase
    along the walk, so only the last few).
    """
    segs, order = index["segs"], index["order"]
    picked = {sid for sid in touched if str(sid) in segs} if touched else set()
    if member is not None and member["type"] == "deploy" and member["status"] == "succeeded":
        at = member["at"]
        for sid in order:
            seg = segs[str(sid)]
            start = started(seg)
            end = None if is_open(seg) else seg["resolved"]
            if at >= start - suspect_ms and (at <= start or end is None or at <= end):
                picked.add(sid)
    if new_safe is not None and new_safe != old_safe:
        for sid in reversed(order):
            resolved = segs[str(sid)]["resolved"]
            if resolved is None:
                continue
            if old_safe is not None and resolved + quiet_ms < old_safe:
                break
            picked.add(sid)
    if len(picked) <= 1:
        return list(picked)
    return [sid for sid in order if sid in picked]


def diff(
    state: State,
    index: Index,
    sids: list[int],
    structural: bool,
    key: tuple[str, str],
    config: EngineConfig,
    now_ms: int,
) -> list[Row]:
    """Write new versions of the segments ``sids`` whose fields changed; return the rows.

    With ``structural``, also delete markers for live incident ids that are no
    segment any more.
    """
    emitted: dict[str, dict[str, Any]] = state["emitted"]
    rows = []
    for sid in sids:
        current = incident_fields(state, index, sid, key, config)
        incident = current["incident_id"]
        entry = emitted.get(incident)
        if entry is not None and entry["live"] and entry["fields"] == current:
            continue
        version = 1 if entry is None else entry["version"] + 1
        emitted[incident] = {
            "version": version,
            "live": True,
            "updated_at": now_ms,
            "updated_watermark": state["watermark"],
            "fields": current,
        }
        rows.append(to_row(current, version, now_ms))
    if not structural:
        return rows
    alive = {seg.get("iid") or incident_id(*key, seg["first"]) for seg in index["segs"].values()}
    for incident, entry in emitted.items():
        if entry["live"] and incident not in alive:
            rows.append(retire(emitted, incident, state["watermark"], now_ms))
            if index["dead_floor"] is None or state["watermark"] < index["dead_floor"]:
                index["dead_floor"] = state["watermark"]
    return rows


def reemit(
    state: State, index: Index, event_id: str, key: tuple[str, str], config: EngineConfig
) -> list[Row]:
    """Return the current row (same version) of the incident holding ``event_id``, if any."""
    members: list[Member] = state["members"]
    at = state["seen"][event_id]
    low, high = 0, len(members)
    while low < high:  # the first member at or after ``at``
        middle = (low + high) // 2
        if members[middle]["at"] < at:
            low = middle + 1
        else:
            high = middle
    for position in range(low, len(members)):
        if members[position]["at"] != at:
            break
        if members[position]["event_id"] == event_id:
            sid = index["assign"][position]
            if sid < 0:
                return []
            current = incident_fields(state, index, sid, key, config)
            entry = state["emitted"].get(current["incident_id"])
            if entry is None:
                return []
            return [to_row(current, entry["version"], entry["updated_at"])]
    return []
