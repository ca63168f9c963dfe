"""Forgetting: what a key's state may drop once no future event can change it.

``prune`` runs after every applied event with the key's safe watermark
(docs/incident-model.md, "Forgetting"). It keeps the state bounded over any
history: finished incidents and their events go, ids are remembered back to
the lateness horizon, and succeeded deploys stay as long as they can still be
a cause.

It does only the work the event made necessary. Ids are forgotten by walking
the members between the previous horizon and the new one; the incidents'
members before the horizon are folded into the index once there are many
(``streams.engine.fold``). The members are swept (a walk over all of them)
only when something can go: when the safe watermark passed ``finish_floor``
(no incident can be finished before) or the oldest point that may be kept
passed ``loose_floor`` (no event outside an incident can be dropped before);
both are kept as lower bounds in the index and made exact by each sweep.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Any

import streams.engine.fold as folding
import streams.engine.review as reviews
from streams.engine.incident import can_cause, incident_id
from streams.engine.index import Index, foldable, is_succeeded_deploy
from streams.engine.members import Member
from streams.engine.summary import started

if TYPE_CHECKING:
    from streams.engine.correlate import EngineConfig, State

MAX_DEPLOYS = 20  # succeeded deploys that can be a cause, always kept per key


def lower_floor(index: Index, name: str, at: int) -> None:
    """Lower a prune floor (``loose_floor`` / ``finish_floor``) to ``at`` if it is above."""
    floor = index[name]
    if floor is None or at < floor:
        index[name] = at


def finish_at(seg: dict[str, Any], config: EngineConfig) -> int:
    """Return the safe watermark the resolved segment is finished after (``>``)."""
    return max(  # type: ignore[no-any-return]
        seg["agg"]["last"] + config.retention_ms,
        seg["resolved"] + config.quiet_ms + config.allowed_lateness_ms,
    )


def prune(
    state: State, index: Index, config: EngineConfig, touched: set[int], key: tuple[str, str]
) -> None:
    """Forget what no future (non-late) event can change, keeping state bounded.

    An incident is finished when it resolved more than the quiet period
    before the lateness horizon (nothing can reopen it) and its last event is
    older than the retention (ticket follow-ups). Events outside incidents are
    kept back to the suspect window before the horizon or before the earliest
    live incident, plus the last ``MAX_DEPLOYS`` succeeded deploys that can be a cause
    (remediation runs cannot, so frequent ones never push a release out). A finished
    incident with tickets goes into the review ledger (``streams.engine.review``).
    ``touched``: the segments the event changed; ``key``: (service, environment).
    """
    safe: int = state["safe_watermark"]
    horizon = safe - config.allowed_lateness_ms
    _forget_ids(state, index, horizon)
    segs = index["segs"]
    for sid in touched:
        seg = segs.get(str(sid))
        if seg is not None and seg["resolved"] is not None:
            lower_floor(index, "finish_floor", finish_at(seg, config))
    finished: set[int] = set()
    if index["finish_floor"] is not None and safe > index["finish_floor"]:
        ends = {
            sid: finish_at(seg, config) for sid, seg in segs.items() if seg["resolved"] is not None
        }
        finished = {int(sid) for sid, end in ends.items() if safe > end}
        index["finish_floor"] = min(
            (end for sid, end in ends.items() if int(sid) not in finished), default=None
        )
    loose = index["loose_floor"]
    if finished or (loose is not None and loose < horizon - config.suspect_ms):
        keep_from = horizon
        for sid in index["order"]:
            if sid not in finished:
                keep_from = min(keep_from, started(segs[str(sid)]))
        keep_from -= config.suspect_ms
        if finished or (loose is not None and loose < keep_from):
            _sweep(state, index, config, finished, keep_from, key)
    dead = index["dead_floor"]
    if dead is not None and dead < horizon:  # delete markers are remembered back to the horizon
        emitted: dict[str, dict[str, Any]] = state["emitted"]
        for incident, entry in list(emitted.items()):
            if not entry["live"] and entry["updated_watermark"] < horizon:
                del emitted[incident]
        index["dead_floor"] = min(
            (e["updated_watermark"] for e in emitted.values() if not e["live"]), default=None
        )
    if index["foldable"] >= folding.FOLD_MIN:
        folding.fold(state, index, config.quiet_ms)


def _forget_ids(state: State, index: Index, horizon: int) -> None:
    """Forget the ids of events older than ``horizon`` (none was below the previous one).

    ``index["below"]`` members come first and are older than the previous horizon:
    their ids are forgotten already; no event sorting before them can be applied.
    """
    previous = index["horizon"]
    if previous is not None and horizon <= previous:
        return
    members: list[Member] = state["members"]
    seen: dict[str, int] = state["seen"]
    assign: list[int] = index["assign"]
    position, count = index["below"], 0
    while position < len(members) and members[position]["at"] < horizon:
        seen.pop(members[position]["event_id"], None)
        count += foldable(members[position], assign[position])
        position += 1
    index["below"] = position
    index["foldable"] += count
    forgotten = index["forgotten"]
    count = 0
    while count < len(forgotten) and forgotten[count][0] < horizon:
        seen.pop(forgotten[count][1], None)
        count += 1
    del forgotten[:count]
    index["horizon"] = horizon


def _at(member: Member) -> int:
    return member["at"]


def _sweep(
    state: State,
    index: Index,
    config: EngineConfig,
    finished: set[int],
    keep_from: int,
    key: tuple[str, str],
) -> None:
    """Drop finished incidents and the events no incident and no cause link needs."""
    members: list[Member] = state["members"]
    causes = [d["event_id"] for d in index["deploys"] if can_cause(d)]
    recent = set(causes[-MAX_DEPLOYS:])
    horizon = index["horizon"]
    kept: list[Member] = []
    assign: list[int] = []
    gone: set[str] = set()
    changed = -1  # the last position whose member went or left its incident
    loose_floor = None
    for position, (member, sid) in enumerate(zip(members, index["assign"], strict=True)):
        if sid >= 0 and sid not in finished:
            kept.append(member)
            assign.append(sid)
            continue
        event_id = member["event_id"]
        if sid >= 0:  # a finished incident's event: only a deploy that may still link stays
            keep = event_id in recent or (is_succeeded_deploy(member) and member["at"] >= keep_from)
            changed = position
        else:
            keep = event_id in recent or member["at"] >= keep_from
        if keep:
            kept.append(member)
            assign.append(-1)
            if event_id not in recent and (loose_floor is None or member["at"] < loose_floor):
                loose_floor = member["at"]
            continue
        changed = position
        gone.add(event_id)
        if member["at"] >= horizon:  # its id is still remembered for duplicates
            bisect.insort(index["forgotten"], [member["at"], event_id])
    journal = index["journal"]
    start = len(members) - len(journal)
    if changed >= start:
        del journal[: changed - start + 1]
    state["members"] = kept
    index["assign"] = assign
    index["below"] = bisect.bisect_left(kept, horizon, key=_at)
    index["foldable"] = sum(foldable(kept[p], assign[p]) for p in range(index["below"]))
    index["deploys"] = [d for d in index["deploys"] if d["event_id"] not in gone]
    index["loose_floor"] = loose_floor
    for sid in finished:
        seg = index["segs"][str(sid)]
        gone_row = state["emitted"].pop(seg.get("iid") or incident_id(*key, seg["first"]), None)
        reviews.keep(state, gone_row, horizon, config)  # a postmortem may still come
    _drop_segments(index, finished)
    if index["fold"] is not None:
        index["fold"] = dict(index["fold"])  # the fold is replaced, never changed in place
        _drop_segments(index["fold"], finished)


def _drop_segments(scan: dict[str, Any], sids: set[int]) -> None:
    scan["segs"] = {sid: seg for sid, seg in scan["segs"].items() if int(sid) not in sids}
    scan["order"] = [sid for sid in scan["order"] if sid not in sids]
    scan["owner"] = {t: sid for t, sid in scan["owner"].items() if sid not in sids}
