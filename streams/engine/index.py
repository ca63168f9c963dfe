"""The key's incremental index: what lets one event cost the same whatever the key holds.

Kept in the key's state as ``state["index"]``, plain JSON data, always
consistent with ``state["members"]`` (the key's events in ``sort_key`` order):

* the scan state after the last member (``segs``, ``order``, ``owner``,
  ``next``; see ``streams.engine.scan``), with each segment's aggregates;
* ``assign``: per member, the id of its segment (-1: no incident);
* ``journal``: the scan records of the last members (at most ``JOURNAL``),
  aligned with the end of ``members``, to rewind them;
* ``deploys``: the succeeded deploys among the members, in order;
* what forgetting needs (``streams.engine.forgetting``): ``horizon`` (ids in
  ``seen`` are forgotten below it), ``below`` (how many members sort before
  it), ``forgotten`` ([time, id] of pruned
  members whose id is still remembered), ``loose_floor``, ``finish_floor``
  and ``dead_floor`` (below these nothing can be pruned);
* ``fold``: the scan state (with aggregates) after the members that were
  folded away: events of incidents older than the lateness horizon, which
  no future event can move (``streams.engine.fold``); ``foldable`` counts
  the members that could be folded now;
* ``stamp``: a fingerprint of the members and ids it was built for.

Only keys holding more than ``rederive.BIG`` events have one (the others
are derived again from all their events, ``streams.engine.rederive``); a
state without an index (e.g. written by the previous version) or whose
stamp does not match gets one built from its members (``ensure_index``): a
full walk, once.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Any

from streams.engine.members import Member, sort_key
from streams.engine.scan import Scan, step
from streams.engine.summary import add, new_agg, own

if TYPE_CHECKING:
    from streams.engine.correlate import State

VERSION = 2  # 2: aggregates with firing alert names and reviews (``upgrade`` reads 1)
JOURNAL = 1024  # members at the end that an insertion can rewind instead of walking all
FORCE = -(2**62)  # a floor that makes the next prune look at everything

Index = dict[str, Any]


def new_index() -> Index:
    """Return the index of a key without members."""
    return {
        "v": VERSION,
        "stamp": [0, 0, None],
        "next": 0,
        "segs": {},
        "order": [],
        "owner": {},
        "assign": [],
        "journal": [],
        "deploys": [],
        "horizon": None,
        "below": 0,
        "forgotten": [],
        "loose_floor": None,
        "finish_floor": None,
        "dead_floor": None,
        "fold": None,
        "foldable": 0,
        "folded": 0,
    }


def copy_index(index: Index) -> Index:
    """Return a copy that an engine step may change without touching ``index``.

    Records, members, deploys, the aggregates' id lists and the fold are never
    changed in place, so the containers holding them are copied, not their contents.
    """
    copied = copy_scan(index)
    for name in ("assign", "journal", "deploys", "forgotten"):
        copied[name] = list(index[name])
    return copied


def copy_scan(scan: Scan) -> Scan:
    """Return a copy of a scan state (index or fold) whose segments may be changed."""
    copied = dict(scan)
    copied["order"] = list(scan["order"])
    copied["owner"] = dict(scan["owner"])
    copied["segs"] = {
        sid: {
            **seg,
            "firing": dict(seg["firing"]),
            "holding": dict(seg["holding"]),
            "reopeners": dict(seg["reopeners"]),
            "agg": dict(seg["agg"]),
        }
        for sid, seg in scan["segs"].items()
    }
    return copied


def fold_start(index: Index, members: list[Member]) -> int:
    """Return the position of the first member after the fold (0: nothing folded)."""
    fold = index["fold"]
    if fold is None:
        return 0
    return bisect.bisect_right(members, tuple(fold["key"]), key=sort_key)


def trim(journal: list[Any]) -> None:
    """Keep only the last ``JOURNAL`` records."""
    if len(journal) > JOURNAL:
        del journal[: len(journal) - JOURNAL]


def stamp(state: State) -> list[Any]:
    """Return the fingerprint of the members and remembered ids an index belongs to."""
    members = state["members"]
    return [len(members), len(state["seen"]), members[-1]["event_id"] if members else None]


def _at(member: Member) -> int:
    return member["at"]


def is_succeeded_deploy(member: Member) -> bool:
    """Return True for a succeeded deploy (a candidate cause or fix of any incident)."""
    return member["type"] == "deploy" and member["status"] == "succeeded"


def foldable(member: Member, sid: int) -> bool:
    """Return True for a member that a fold would drop (an incident's, not a deploy link)."""
    return sid >= 0 and not is_succeeded_deploy(member)


def ensure_index(state: State, quiet_ms: int, lateness_ms: int) -> Index:
    """Return the state's index, building it first if missing or stale."""
    index = state.get("index")
    if index is not None and index.get("v") == 1:
        upgrade(index, state["members"])
    if index is not None and index.get("v") == VERSION:
        count, ids, last = index["stamp"]
        members = state["members"]
        if (
            count == len(members)
            and ids == len(state["seen"])
            and last == (members[-1]["event_id"] if members else None)
        ):
            return index  # type: ignore[no-any-return]
    return rebuild(state, quiet_ms, lateness_ms)


def upgrade(index: Index, members: list[Member]) -> None:
    """Give an index of version 1 the aggregates of version 2, in place.

    Version 2 adds the firing alert names (``names``) and the earliest review
    (``review``: none existed before). The aggregates are recomputed from the
    members after the fold; a folded segment's names are unknown, so the first
    firing alert's name stands in for them (exact unless a folded alert storm
    had several alert names). The fold is replaced, never changed in place.
    """
    fold = index["fold"]
    if fold is not None:
        segs = {}
        for sid, seg in fold["segs"].items():
            first = seg["agg"]["ftitle"]
            agg = {**seg["agg"], "names": [first[3]] if first else [], "review": None}
            segs[sid] = {**seg, "agg": agg}
        index["fold"] = {**fold, "segs": segs}
    index["segs"] = {sid: {**seg, "agg": new_agg()} for sid, seg in index["segs"].items()}
    reaggregate(index, members, {int(sid) for sid in index["segs"]})
    index["v"] = VERSION


def walk(index: Index, members: list[Member], quiet_ms: int) -> None:
    """Walk ``members`` after the fold again: segments, assignments, journal, aggregates.

    The members before the fold keep their assignments (``members`` may hold
    one more member than ``index["assign"]``, inserted after the fold).
    """
    start = fold_start(index, members)
    base = {"segs": {}, "order": [], "owner": {}} if index["fold"] is None else index["fold"]
    copied = copy_scan(base)
    for seg in copied["segs"].values():
        seg["agg"] = own(seg["agg"])
    index.update(segs=copied["segs"], order=copied["order"], owner=copied["owner"])
    scan: Scan = index
    journal_from = len(members) - JOURNAL
    assign, journal = index["assign"][:start], []
    for position in range(start, len(members)):
        member = members[position]
        record = step(scan, member, quiet_ms)
        sid = -1 if record is None else record[0]
        assign.append(sid)
        if position >= journal_from:
            journal.append(record)
        if sid >= 0:
            add(scan["segs"][str(sid)]["agg"], member, owned=True)
    index["assign"], index["journal"] = assign, journal


def rebuild(state: State, quiet_ms: int, lateness_ms: int) -> Index:
    """Build the index from the members (a state of the previous version, or a stale one)."""
    members: list[Member] = state["members"]
    state.setdefault("idle_completed", {})
    seen: dict[str, int] = state["seen"]
    safe = state["safe_watermark"] if "safe_watermark" in state else state["watermark"]
    horizon = None if safe is None else safe - lateness_ms
    if horizon is not None and any(at < horizon for at in seen.values()):
        state["seen"] = seen = {k: v for k, v in seen.items() if v >= horizon}
    index = new_index()
    walk(index, members, quiet_ms)
    ids = {member["event_id"] for member in members}
    index["deploys"] = [member for member in members if is_succeeded_deploy(member)]
    index["horizon"] = horizon
    below = index["below"] = 0 if horizon is None else bisect.bisect_left(members, horizon, key=_at)
    assign = index["assign"]
    index["foldable"] = sum(foldable(members[p], assign[p]) for p in range(below))
    index["forgotten"] = sorted(
        [at, event_id] for event_id, at in seen.items() if event_id not in ids
    )
    index["loose_floor"] = index["finish_floor"] = index["dead_floor"] = FORCE
    index["stamp"] = stamp(state)
    state["index"] = index
    return index


def reaggregate(index: Index, members: list[Member], sids: set[int]) -> None:
    """Recompute the aggregates of the segments ``sids`` from their members after the fold.

    A walk over those members; a segment that began before the fold starts from
    its aggregates there.
    """
    fold, segs = index["fold"], index["segs"]
    aggs = {}
    for sid in sids:
        if str(sid) in segs:
            folded = None if fold is None else fold["segs"].get(str(sid))
            aggs[sid] = segs[str(sid)]["agg"] = new_agg() if folded is None else own(folded["agg"])
    start = fold_start(index, members)
    assign = index["assign"]
    for position in range(start, len(members)):
        agg = aggs.get(assign[position])
        if agg is not None:
            add(agg, members[position], owned=True)
