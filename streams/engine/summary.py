"""An incident's fields from running aggregates of its member events (pure).

``incident.derive`` walks a segment's members; this module keeps, per segment,
the same quantities as aggregates that one more member updates in O(1)
(``add``): counts, the earliest times of each kind, the highest severity, the
first firing alert's category and the first titles (by ``sort_key``), the
sorted alert and ticket ids and the sorted distinct firing alert names (the
fingerprint, ``streams.engine.fingerprint``). ``fields`` turns them, the segment's walk state
and the key's succeeded deploys into the fields ``derive`` would return (and
``completed``), with the same values in the same order. The aggregates are
plain JSON data; the id lists are replaced, never changed in place, so rows
and emitted fields may share them.
"""

from __future__ import annotations

import bisect
from typing import Any

from schemas.events import SEVERITY_RANK
from streams.engine.fingerprint import fingerprint
from streams.engine.incident import (
    ACK_STATUSES,
    REPAIR_KINDS,
    Windows,
    can_cause,
    incident_id,
    review_time,
)
from streams.engine.members import Member
from streams.engine.segment import REVIEW_TICKET

Agg = dict[str, Any]
SEVERITY_BY_RANK = {rank: name for name, rank in SEVERITY_RANK.items()}


def new_agg() -> Agg:
    """Return the aggregates of no member."""
    return {
        "n": 0,  # member events, reviews (postmortems) left out
        "last": None,  # latest event time, reviews (postmortems) left out
        "start": None,  # earliest starts_at (else occurred_at) of a firing alert
        "detect": None,  # earliest firing alert
        "ack": None,
        "ident": None,
        "mitig": None,  # earliest ticket mitigated
        "sev": None,  # highest severity rank of firing alerts and tickets
        "sec": False,  # a firing alert of category security
        "cat": None,  # [at, rank, event_id, category] of the first firing alert
        "ttitle": None,  # [at, rank, event_id, title] of the first ticket with a title
        "ftitle": None,  # the same for firing alerts
        "alerts": [],
        "tickets": [],
        "names": [],  # sorted distinct names of the firing alerts
        "review": None,  # earliest review (ticket postmortem)
    }


def _lower(value: int | None, candidate: int) -> int:
    return candidate if value is None or candidate < value else value


def _with(ids: list[str], value: str, owned: bool) -> list[str]:
    index = bisect.bisect_left(ids, value)
    if index < len(ids) and ids[index] == value:
        return ids
    if owned:
        ids.insert(index, value)
        return ids
    return [*ids[:index], value, *ids[index:]]


def own(agg: Agg) -> Agg:
    """Return a copy of ``agg`` whose id lists ``add(..., owned=True)`` may change in place."""
    return {
        **agg,
        "alerts": list(agg["alerts"]),
        "tickets": list(agg["tickets"]),
        "names": list(agg["names"]),
    }


def add(agg: Agg, member: Member, owned: bool = False) -> None:
    """Count ``member`` in the aggregates of its segment (inlined: called per event).

    ``owned``: the id lists are nobody else's (no fields or rows share them, see
    ``own``), so a new id is inserted in place instead of into a new list.
    """
    at = member["at"]
    kind, status, severity = member["type"], member["status"], member["severity"]
    if status == REVIEW_TICKET and kind == "ticket":  # sets reviewed_at, nothing else
        agg["review"] = _lower(agg["review"], at)
        agg["tickets"] = _with(agg["tickets"], member["subject"], owned)
        return
    agg["n"] += 1
    if agg["last"] is None or at > agg["last"]:
        agg["last"] = at
    if kind == "alert":
        if status != "firing":
            return
        start, event_id = member["starts_at"], member["event_id"]
        start = at if start is None else start
        if agg["start"] is None or start < agg["start"]:
            agg["start"] = start
        if agg["detect"] is None or at < agg["detect"]:
            agg["detect"] = at
        if member["category"] == "security":
            agg["sec"] = True
        first = agg["cat"]  # firing alerts all rank 0
        if first is None or (at, event_id) < (first[0], first[2]):
            agg["cat"] = [at, 0, event_id, member["category"]]
        first = agg["ftitle"]
        if member["title"] and (first is None or (at, event_id) < (first[0], first[2])):
            agg["ftitle"] = [at, 0, event_id, member["title"]]
        agg["alerts"] = _with(agg["alerts"], member["subject"], owned)
        if member["title"]:
            agg["names"] = _with(agg["names"], member["title"], owned)
    elif kind == "ticket":
        if status in ACK_STATUSES:
            agg["ack"] = _lower(agg["ack"], at)
        if status == "identified":
            agg["ident"] = _lower(agg["ident"], at)
        elif status == "mitigated":
            agg["mitig"] = _lower(agg["mitig"], at)
        first = agg["ttitle"]
        if member["title"]:
            key = (at, 1 if status in ("opened", "reopened") else 2, member["event_id"])
            if first is None or key < (first[0], first[1], first[2]):
                agg["ttitle"] = [*key, member["title"]]
        agg["tickets"] = _with(agg["tickets"], member["subject"], owned)
    else:
        return
    if severity:
        rank = SEVERITY_RANK[severity]
        if agg["sev"] is None or rank > agg["sev"]:
            agg["sev"] = rank


def started(seg: dict[str, Any]) -> int:
    """Return the segment's ``started_at`` (a declared one: its opening ticket counts)."""
    start = seg["agg"]["start"]
    return _lower(start, seg["at0"]) if seg["declared"] else start


def _duration(end: int | None, start: int | None, name: str, flags: list[str]) -> float | None:
    if end is None or start is None:
        return None
    if end < start:
        flags.append(f"{name}_negative_clamped")
        return 0.0
    return (end - start) / 1000


def _at(deploy: Member) -> int:
    return deploy["at"]


def _links(
    deploys: list[Member], started: int, detected: int, resolved: int | None, suspect_ms: int
) -> tuple[int | None, Member | None, Member | None]:
    """Return (first repair time, cause, fix) among the key's succeeded deploys."""
    if not deploys:
        return None, None, None
    after = bisect.bisect_right(deploys, started, key=_at)  # deploys strictly after started_at
    cause = None
    for index in range(after - 1, -1, -1):
        deploy = deploys[index]
        if deploy["at"] < started - suspect_ms:
            break
        if can_cause(deploy):
            cause = deploy
            break
    repair = None
    for deploy in deploys[after:]:
        if resolved is not None and deploy["at"] > resolved:
            break
        if deploy["kind"] in REPAIR_KINDS:
            repair = deploy["at"]
            break
    fix = None
    index = bisect.bisect_left(deploys, max(detected, started + 1), key=_at)
    if index < len(deploys) and (resolved is None or deploys[index]["at"] <= resolved):
        fix = deploys[index]
    return repair, cause, fix


def fields(
    seg: dict[str, Any],
    resolved: int | None,
    deploys: list[Member],
    service: str,
    environment: str,
    windows: Windows,
) -> dict[str, Any]:
    """Return ``derive``'s fields of the segment (``resolved``: None while it is open)."""
    agg = seg["agg"]
    start, detected = started(seg), agg["detect"]
    if seg["declared"]:
        detected = _lower(detected, seg["at0"])
    repair, cause, fix = _links(deploys, start, detected, resolved, windows.suspect_ms)
    mitigated = agg["mitig"]
    if repair is not None:
        mitigated = _lower(mitigated, repair)
    if agg["sec"]:
        category = "security"
    else:
        category = (agg["cat"][3] if agg["cat"] else None) or "availability"
    title = agg["ttitle"] or agg["ftitle"]
    acknowledged, identified = agg["ack"], agg["ident"]
    reviewed = review_time(agg["review"], resolved, windows)
    iid = seg.get("iid")
    if iid is None:
        iid = seg["iid"] = incident_id(service, environment, seg["first"])
    flags: list[str] = []
    return {
        "incident_id": iid,
        "service": service,
        "environment": environment,
        "status": "open" if resolved is None else "resolved",
        "severity": "medium" if agg["sev"] is None else SEVERITY_BY_RANK[agg["sev"]],
        "category": category,
        "title": title[3] if title else "",
        "fingerprint": fingerprint(agg["names"], title[3] if title else None),
        "started_at": start,
        "detected_at": detected,
        "acknowledged_at": acknowledged,
        "identified_at": identified,
        "mitigated_at": mitigated,
        "resolved_at": resolved,
        "reviewed_at": reviewed,
        "ttd_seconds": _duration(detected, start, "ttd", flags),
        "tta_seconds": _duration(acknowledged, detected, "tta", flags),
        "tti_seconds": _duration(identified, detected, "tti", flags),
        "ttm_seconds": _duration(mitigated, start, "ttm", flags),
        "ttr_seconds": _duration(resolved, start, "ttr", flags),
        "time_to_review_seconds": _duration(reviewed, resolved, "time_to_review", flags),
        "alert_count": len(agg["alerts"]),
        "alert_ids": agg["alerts"],
        "ticket_ids": agg["tickets"],
        "event_count": agg["n"],
        "cause_deploy_id": cause["subject"] if cause else None,
        "fix_deploy_id": fix["subject"] if fix else None,
        "repair_action": fix["kind"] if fix else None,
        "reopen_count": seg["reopens"],
        "quality_flags": flags,
    }
