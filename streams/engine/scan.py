"""The segmentation scan as resumable, reversible steps over plain JSON data (pure).

``segment.segment()`` states the rules as one left-to-right walk over a key's
members. This module performs the same walk one member at a time on a scan
state kept in the key's state (``index``, see ``streams.engine.index``), so an
event appended at the end costs one ``step``. Each step returns a *record*
with what it changed, and ``undo`` reverses a step from its record, so an
event inserted a few places before the end rewinds only those places and
walks them again.

The scan state: ``segs`` (segment id, as a string, -> segment), ``order``
(segment ids in the walk's order; the last is the current one), ``owner``
(ticket id -> segment id) and ``next`` (the next segment id). A segment holds
what ``segment.Segment`` holds that the walk itself reads: ``firing``,
``holding`` and ``reopeners`` (dicts used as sets), ``nfire`` (firing alert
events so far: "an alert fired in it"), ``resolved`` and ``reopens``; plus
its first member (``first``, ``key0``, ``at0``, ``declared``) and the
aggregates of its member events (``agg``, see ``streams.engine.summary``).

A record is ``None`` for an event that joined no incident (it changed
nothing), else ``[segment id, created, prev, reopened, reopener_prev,
resolved_prev, owner_set]``: ``prev`` is whether the alert was firing (or
the ticket holding) in that segment before the event.
"""

from __future__ import annotations

from typing import Any

from streams.engine.members import Member
from streams.engine.segment import OPENING_TICKET, TERMINAL_TICKET, is_review
from streams.engine.summary import new_agg

Seg = dict[str, Any]
Scan = dict[str, Any]
Record = list[Any] | None


def opens(member: Member) -> bool:
    """Return True for an event that opens (or, in the quiet period, reopens) an incident."""
    if member["type"] == "alert":
        return member["status"] == "firing"
    return member["type"] == "ticket" and member["status"] in OPENING_TICKET


def is_open(seg: Seg) -> bool:
    """Return True while the segment is open (``segment.Segment.is_open``)."""
    if seg["firing"]:
        return True
    holding = seg["holding"]
    if not holding:
        return False
    if seg["nfire"]:  # alert incidents: only a ticket that reopened it holds it open
        reopeners = seg["reopeners"]
        return any(ticket in reopeners for ticket in holding)
    return True


def rank_key(member: Member, rank: int) -> list[Any]:
    """Return ``sort_key`` as a JSON-able list, the rank given."""
    return [member["at"], rank, member["event_id"]]


def new_segment(member: Member, sid: int, agg: dict[str, Any] | None) -> Seg:
    """Return a segment opened by ``member`` (``agg``: aggregates to keep, else empty)."""
    return {
        "sid": sid,
        "first": member["event_id"],
        "key0": rank_key(member, 0 if member["type"] == "alert" else 1),
        "at0": member["at"],
        "declared": member["type"] == "ticket",
        "firing": {},
        "holding": {},
        "reopeners": {},
        "nfire": 0,
        "resolved": None,
        "reopens": 0,
        "agg": new_agg() if agg is None else agg,
    }


def _add(
    seg: Seg, member: Member, may_hold: bool, was_open: bool | None = None
) -> tuple[bool | None, int | None]:
    """Apply ``member`` to ``seg`` (``Segment.add``); return (prev, resolved before).

    ``was_open``: whether ``seg`` is open now, if the caller knows.
    """
    if was_open is None:
        was_open = is_open(seg)
    subject, status, prev = member["subject"], member["status"], None
    if member["type"] == "alert":
        firing = seg["firing"]
        prev = subject in firing
        if status == "firing":
            seg["nfire"] += 1
            firing[subject] = 1
        elif prev:
            del firing[subject]
    elif member["type"] == "ticket":
        holding = seg["holding"]
        prev = subject in holding
        if status in TERMINAL_TICKET:
            if prev:
                del holding[subject]
        elif may_hold:
            holding[subject] = 1
    resolved_before = seg["resolved"]
    now_open = is_open(seg)
    if was_open and not now_open:
        seg["resolved"] = member["at"]
    elif now_open:
        seg["resolved"] = None
    return prev, resolved_before


def _reopen(seg: Seg, member: Member) -> bool | None:
    """Count a reopening by ``member``; return whether a ticket was a reopener before."""
    seg["reopens"] += 1
    if member["type"] != "ticket":
        return None
    before = member["subject"] in seg["reopeners"]
    seg["reopeners"][member["subject"]] = 1
    return before


def step(scan: Scan, member: Member, quiet_ms: int, stash: dict[str, Seg] | None = None) -> Record:
    """Walk one member at the end of the scan; return its record.

    ``stash`` holds segments a rewind removed, by first event id: a segment
    opened again by the same event gets its id and aggregates back.
    """
    segs, order, owner = scan["segs"], scan["order"], scan["owner"]
    cur_sid = order[-1] if order else -1
    cur = segs[str(cur_sid)] if order else None
    cur_open = cur is not None and is_open(cur)
    in_quiet = (
        cur is not None
        and not cur_open
        and cur["resolved"] is not None
        and member["at"] <= cur["resolved"] + quiet_ms
    )
    is_ticket = member["type"] == "ticket"
    if is_ticket and member["subject"] in owner:
        sid = owner[member["subject"]]
        target = segs[str(sid)]
        reopened, reopener_prev, may_hold = 0, None, sid == cur_sid and cur_open
        if sid == cur_sid and in_quiet and opens(member):
            reopened, reopener_prev, may_hold = 1, _reopen(target, member), True
        prev, resolved_before = _add(target, member, may_hold)
        return [sid, 0, prev, reopened, reopener_prev, resolved_before, 0]
    if is_ticket and is_review(member):
        return None  # a review joins only its ticket's incident (``segment``)
    created, reopened, reopener_prev, was_open = 0, 0, None, None
    if cur is not None and cur_open:
        sid, target, may_hold, was_open = cur_sid, cur, True, True
    elif cur is not None and in_quiet:
        sid, target, may_hold = cur_sid, cur, opens(member)
        if may_hold:
            reopened, reopener_prev = 1, _reopen(cur, member)
    elif opens(member):
        kept = None if stash is None else stash.pop(member["event_id"], None)
        sid = scan["next"] if kept is None else kept["sid"]
        if kept is None:
            scan["next"] += 1
        target = segs[str(sid)] = new_segment(member, sid, None if kept is None else kept["agg"])
        order.append(sid)
        created, may_hold = 1, True
    else:
        return None
    prev, resolved_before = _add(target, member, may_hold, was_open)
    owner_set = 0
    if is_ticket:
        owner[member["subject"]] = sid
        owner_set = 1
    return [sid, created, prev, reopened, reopener_prev, resolved_before, owner_set]


def undo(scan: Scan, member: Member, record: Record, stash: dict[str, Seg]) -> None:
    """Reverse ``step`` of ``member`` (the last one walked); removed segments go to ``stash``."""
    if record is None:
        return
    sid, created, prev, reopened, reopener_prev, resolved_before, owner_set = record
    seg = scan["segs"][str(sid)]
    subject = member["subject"]
    if member["type"] == "alert":
        if member["status"] == "firing":
            seg["nfire"] -= 1
        if prev:
            seg["firing"][subject] = 1
        else:
            seg["firing"].pop(subject, None)
    elif member["type"] == "ticket":
        if prev:
            seg["holding"][subject] = 1
        else:
            seg["holding"].pop(subject, None)
        if owner_set:
            del scan["owner"][subject]
        if reopened and not reopener_prev:
            del seg["reopeners"][subject]
    seg["resolved"] = resolved_before
    if reopened:
        seg["reopens"] -= 1
    if created:
        scan["order"].pop()
        stash[seg["first"]] = scan["segs"].pop(str(sid))
