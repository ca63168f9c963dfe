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
* ``stamp``: a fingerprint of the members and ids it was built for.

A state without an index (written by the previous version) or whose stamp
does not match gets one built from its members (``ensure_index``): a full
walk, once.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Any

from streams.engine.members import Member
from streams.engine.scan import Scan, step
from streams.engine.summary import add, new_agg

if TYPE_CHECKING:
    from streams.engine.correlate import State

VERSION = 1
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
    }


def copy_index(index: Index) -> Index:
    """Return a copy that an engine step may change without touching ``index``.

    Records, members, deploys and the aggregates' id lists are never changed in
    place, so the containers holding them are copied, not their contents.
    """
    copied = dict(index)
    for name in ("order", "assign", "journal", "deploys", "forgotten"):
        copied[name] = list(index[name])
    copied["owner"] = dict(index["owner"])
    copied["segs"] = {
        sid: {
            **seg,
            "firing": dict(seg["firing"]),
            "holding": dict(seg["holding"]),
            "reopeners": dict(seg["reopeners"]),
            "agg": dict(seg["agg"]),
        }
        for sid, seg in index["segs"].items()
    }
    return copied


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


def ensure_index(state: State, quiet_ms: int, lateness_ms: int) -> Index:
    """Return the state's index, building it first if missing or stale."""
    index = state.get("index")
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


def walk(index: Index, members: list[Member], quiet_ms: int) -> None:
    """Walk ``members`` from an empty scan: segments, assignments, journal and aggregates."""
    scan: Scan = index
    scan.update(segs={}, order=[], owner={}, next=0)
    journal_from = len(members) - JOURNAL
    assign, journal = [], []
    for position, member in enumerate(members):
        record = step(scan, member, quiet_ms)
        sid = -1 if record is None else record[0]
        assign.append(sid)
        if position >= journal_from:
            journal.append(record)
        if sid >= 0:
            add(scan["segs"][str(sid)]["agg"], member)
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
    index["below"] = 0 if horizon is None else bisect.bisect_left(members, horizon, key=_at)
    index["forgotten"] = sorted(
        [at, event_id] for event_id, at in seen.items() if event_id not in ids
    )
    index["loose_floor"] = index["finish_floor"] = index["dead_floor"] = FORCE
    index["stamp"] = stamp(state)
    state["index"] = index
    return index


def members_of(index: Index, members: list[Member], sids: set[int]) -> dict[int, list[Member]]:
    """Return the members of each segment in ``sids``, in order (a walk over all members)."""
    found: dict[int, list[Member]] = {sid: [] for sid in sids}
    for sid, member in zip(index["assign"], members, strict=True):
        if sid in found:
            found[sid].append(member)
    return found


def reaggregate(index: Index, members: list[Member], sids: set[int]) -> None:
    """Recompute the aggregates of the segments ``sids`` from their members."""
    alive = {sid for sid in sids if str(sid) in index["segs"]}
    for sid, seg_members in members_of(index, members, alive).items():
        agg = index["segs"][str(sid)]["agg"] = new_agg()
        for member in seg_members:
            add(agg, member)
