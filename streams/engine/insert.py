"""Insert one event into a key's members and index, doing only the work it can change (pure).

Four ways, cheapest first; each leaves the index exactly as a walk over all
members from scratch would (``streams.engine.index.walk``):

* **append** (the event sorts last): one scan step.
* **join** (an alert or deploy sorting before some members of the open, last
  incident, while an alert that fired before it keeps that incident open
  through every later member): the event cannot change how any later member
  is placed, so it joins the incident; only the alert's own firing state and
  the next record of the same alert change.
* **rewind** (within the last ``JOURNAL`` members): undo the later members'
  scan steps, step the event, step them again. Aggregates are recomputed only
  for segments whose members changed.
* **rescan** (deeper): walk all members again.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from streams.engine.forgetting import MAX_DEPLOYS, lower_floor
from streams.engine.incident import OPERATIONAL_KINDS, can_cause
from streams.engine.index import FORCE, Index, is_succeeded_deploy, reaggregate, trim, walk
from streams.engine.members import Member, sort_key
from streams.engine.scan import Seg, step, undo
from streams.engine.summary import add

if TYPE_CHECKING:
    from streams.engine.correlate import State

WITNESSES = 8  # firing alerts tried as proof that the last incident stays open


@dataclass
class Change:
    """What an insertion changed: segments to re-derive; whether segments may have gone."""

    touched: set[int] = field(default_factory=set)
    structural: bool = False


def insert(state: State, index: Index, member: Member, quiet_ms: int) -> Change:
    """Insert ``member`` (not seen before) into the members and the index."""
    members: list[Member] = state["members"]
    position = _position(members, sort_key(member))
    if is_succeeded_deploy(member):
        _add_deploy(index, member)
    if position == len(members):
        return _append(index, members, member, quiet_ms)
    change = _join(index, members, member, position)
    if change is not None:
        return change
    if len(members) - position <= len(index["journal"]):
        return _rewind(index, members, member, position, quiet_ms)
    members.insert(position, member)
    walk(index, members, quiet_ms)
    index["loose_floor"] = index["finish_floor"] = FORCE
    return Change(set(index["order"]), structural=True)


def _position(members: list[Member], key: tuple[int, int, str]) -> int:
    """Return where ``key`` sorts, searching back from the end (events come nearly in order)."""
    high = len(members)
    if not high or sort_key(members[-1]) < key:
        return high
    high -= 1  # members[high] sorts after key
    stride = 1
    while high - stride >= 0 and sort_key(members[high - stride]) > key:
        high -= stride
        stride *= 2
    return bisect.bisect_left(members, key, max(high - stride, 0), high, key=sort_key)


def _add_deploy(index: Index, member: Member) -> None:
    deploys: list[Member] = index["deploys"]
    bisect.insort(deploys, member, key=sort_key)
    if not can_cause(member) or len(deploys) <= MAX_DEPLOYS:
        return
    causes = 0
    for deploy in reversed(deploys):  # the one pushed out of the last MAX_DEPLOYS may go
        if deploy["kind"] not in OPERATIONAL_KINDS:  # can_cause()
            causes += 1
            if causes > MAX_DEPLOYS:
                lower_floor(index, "loose_floor", deploy["at"])
                return


def _append(index: Index, members: list[Member], member: Member, quiet_ms: int) -> Change:
    members.append(member)
    record = step(index, member, quiet_ms)
    index["journal"].append(record)
    trim(index["journal"])
    if record is None:
        index["assign"].append(-1)
        lower_floor(index, "loose_floor", member["at"])
        return Change()
    sid = record[0]
    index["assign"].append(sid)
    add(index["segs"][str(sid)]["agg"], member)
    return Change({sid})


def _proof(
    seg: Seg, members: list[Member], position: int, subject: str | None, firing: bool
) -> tuple[bool, int | None]:
    """Check that the last incident stays open from ``position`` to the end, event or not.

    It does if an alert firing in it has no event from ``position`` on (and is not
    the alert ``subject`` being resolved). Returns whether such an alert was found
    among the first ``WITNESSES`` tried, and the position of the next event of
    alert ``subject`` (None: it has none).
    """
    for tries, witness in enumerate(seg["firing"]):
        if tries >= WITNESSES:
            break
        if witness == subject and not firing:
            continue
        nxt = None
        for at in range(position, len(members)):
            later = members[at]
            if later["type"] == "alert":
                if later["subject"] == witness:
                    break
                if nxt is None and later["subject"] == subject:
                    nxt = at
        else:
            return True, nxt
    return False, None


def _join(index: Index, members: list[Member], member: Member, position: int) -> Change | None:
    if member["type"] not in ("alert", "deploy") or not index["order"]:
        return None
    sid = index["order"][-1]
    seg = index["segs"][str(sid)]
    if not seg["nfire"] or not seg["firing"] or list(sort_key(member)) <= seg["key0"]:
        return None
    subject, is_alert = member["subject"], member["type"] == "alert"
    firing = is_alert and member["status"] == "firing"
    proven, nxt = _proof(seg, members, position, subject if is_alert else None, firing)
    if not proven:
        return None
    journal = index["journal"]
    base = len(members) - len(journal)
    prev = None
    if is_alert:
        if nxt is None:
            prev = subject in seg["firing"]
            if firing:
                seg["firing"][subject] = 1
            else:
                seg["firing"].pop(subject, None)
        else:
            at = nxt - base
            if at < 0:
                return None  # its next record is no longer kept
            record = journal[at]
            prev = record[2]
            journal[at] = [record[0], record[1], firing, *record[3:]]
        if firing:
            seg["nfire"] += 1
    members.insert(position, member)
    index["assign"].insert(position, sid)
    if position >= base:
        journal.insert(position - base, [sid, 0, prev, 0, None, None, 0])
        trim(journal)
    add(seg["agg"], member)
    return Change({sid})


def _rewind(
    index: Index, members: list[Member], member: Member, position: int, quiet_ms: int
) -> Change:
    journal, assign = index["journal"], index["assign"]
    count = len(members)
    base = count - len(journal)
    stash: dict[str, Seg] = {}
    touched: set[int] = set()
    before = assign[position:]
    for at in range(count - 1, position - 1, -1):
        record = journal[at - base]
        if record is not None:
            touched.add(record[0])
        undo(index, members[at], record, stash)
    members.insert(position, member)
    del assign[position:]
    del journal[position - base :]
    for at in range(position, count + 1):
        record = step(index, members[at], quiet_ms, stash)
        sid = -1 if record is None else record[0]
        assign.append(sid)
        journal.append(record)
        if record is not None:
            touched.add(sid)
    trim(journal)
    sid = assign[position]
    moved = [
        (old, new, at)
        for at, (old, new) in enumerate(zip(before, assign[position + 1 :], strict=True))
        if old != new
    ]
    if not moved and not stash:
        if sid >= 0:
            add(index["segs"][str(sid)]["agg"], member)
        else:
            lower_floor(index, "loose_floor", member["at"])
        return Change(touched)
    dirty = {sid} | {old for old, _, _ in moved} | {new for _, new, _ in moved}
    dirty.discard(-1)
    reaggregate(index, members, dirty)
    if sid < 0:
        lower_floor(index, "loose_floor", member["at"])
    for _, new, at in moved:
        if new < 0:
            lower_floor(index, "loose_floor", members[position + 1 + at]["at"])
    return Change(touched | {s for s in dirty if str(s) in index["segs"]}, structural=True)
