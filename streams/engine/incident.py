"""Derive an incident's row (timestamps, durations, links) from its segment (pure).

Every rule here is written down, with worked examples, in
docs/incident-model.md. Times are epoch milliseconds until ``to_row``
converts them to datetimes.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from schemas.events import SEVERITY_RANK
from streams.engine.fingerprint import fingerprint
from streams.engine.members import Member, from_ms
from streams.engine.segment import REVIEW_TICKET, Segment

ACK_STATUSES = frozenset({"acknowledged", "identified", "mitigated", "resolved", "closed"})
REPAIR_KINDS = frozenset({"rollback", "hotfix", "remediation"})
"""Deploy kinds whose succeeded deploy after ``started_at`` mitigates the incident."""
OPERATIONAL_KINDS = frozenset({"remediation"})
"""Deploy kinds that act on the running service without changing it: never a cause."""
INCIDENT_COLUMNS: tuple[str, ...] = (
    "incident_id", "service", "environment", "status", "severity", "category", "title",
    "started_at", "detected_at", "acknowledged_at", "identified_at", "mitigated_at",
    "resolved_at", "ttd_seconds", "tta_seconds", "tti_seconds", "ttm_seconds", "ttr_seconds",
    "alert_count", "alert_ids", "ticket_ids", "event_count", "cause_deploy_id",
    "fix_deploy_id", "repair_action", "reopen_count", "completed", "quality_flags", "is_deleted",
    "version", "updated_at", "reviewed_at", "time_to_review_seconds", "fingerprint",
)  # fmt: skip


@dataclass(frozen=True)
class Windows:
    """Time windows of the rules, in milliseconds."""

    quiet_ms: int
    suspect_ms: int
    review_ms: int = 90 * 86_400_000  # a review counts up to this long after resolved_at


def incident_id(service: str, environment: str, first_event_id: str) -> str:
    """Return the deterministic id: a hash of the key and the incident's first event."""
    digest = hashlib.sha256(f"{service}\x1f{environment}\x1f{first_event_id}".encode())
    return digest.hexdigest()[:24]


def can_cause(deploy: Member) -> bool:
    """True if the succeeded deploy changed the service, so it may be an incident's cause.

    A remediation run (restart, scale, failover) changes no code or config: it can
    mitigate or fix an incident, never cause one (docs/incident-model.md, "Remediation").
    """
    return deploy["kind"] not in OPERATIONAL_KINDS


def _first(values: Sequence[int]) -> int | None:
    return min(values) if values else None


def review_time(earliest: int | None, resolved: int | None, windows: Windows) -> int | None:
    """Return ``reviewed_at`` from the earliest member review (postmortem).

    A review more than the review retention after ``resolved_at`` does not count
    (the ledger of dropped incidents accepts none either: ``streams.engine.review``).
    """
    if earliest is None or resolved is None or earliest <= resolved + windows.review_ms:
        return earliest
    return None


def _duration(end: int | None, start: int | None, name: str, flags: list[str]) -> float | None:
    if end is None or start is None:
        return None
    if end < start:
        flags.append(f"{name}_negative_clamped")
        return 0.0
    return (end - start) / 1000


def derive(
    segment: Segment,
    deploys: Sequence[Member],
    service: str,
    environment: str,
    windows: Windows,
) -> dict[str, Any]:
    """Return the incident's fields (times as epoch ms) from its segment.

    ``deploys`` are all succeeded deploys of the key still in state, in event-
    time order; cause and fix links are chosen from them, members or not.
    """
    members = segment.members
    firing = [m for m in members if m["type"] == "alert" and m["status"] == "firing"]
    everything = [m for m in members if m["type"] == "ticket"]
    # A review (postmortem) sets only reviewed_at: no severity, title or acknowledgement.
    tickets = [m for m in everything if m["status"] != REVIEW_TICKET]
    reviews = [m["at"] for m in everything if m["status"] == REVIEW_TICKET]
    starts = [m["starts_at"] if m["starts_at"] is not None else m["at"] for m in firing]
    detections = [m["at"] for m in firing]
    if segment.declared:  # opened by a ticket: its opening counts as start and detection
        starts.append(members[0]["at"])
        detections.append(members[0]["at"])
    started = min(starts)
    detected = min(detections)
    resolved = None if segment.is_open else segment.resolved_at
    acknowledged = _first([m["at"] for m in tickets if m["status"] in ACK_STATUSES])
    identified = _first([m["at"] for m in tickets if m["status"] == "identified"])
    # A deploy at or before started_at can only be a cause; repairs come strictly after it.
    repairs = [
        d["at"]
        for d in deploys
        if d["kind"] in REPAIR_KINDS
        and d["at"] > started
        and (resolved is None or d["at"] <= resolved)
    ]
    mitigated = _first([m["at"] for m in tickets if m["status"] == "mitigated"] + repairs)
    cause = [
        d for d in deploys if can_cause(d) and started - windows.suspect_ms <= d["at"] <= started
    ]
    fixes = [
        d
        for d in deploys
        if d["at"] >= detected and d["at"] > started and (resolved is None or d["at"] <= resolved)
    ]
    severities = [m["severity"] for m in firing + tickets if m["severity"]]
    severity = max(severities, key=SEVERITY_RANK.__getitem__) if severities else "medium"
    if any(m["category"] == "security" for m in firing):
        category = "security"
    else:
        category = (firing[0]["category"] if firing else None) or "availability"
    titled = [m["title"] for m in tickets if m["title"]] or [
        m["title"] for m in firing if m["title"]
    ]
    names = sorted({m["title"] for m in firing if m["title"]})
    reviewed = review_time(_first(reviews), resolved, windows)
    flags: list[str] = []
    return {
        "incident_id": incident_id(service, environment, members[0]["event_id"]),
        "service": service,
        "environment": environment,
        "status": "open" if resolved is None else "resolved",
        "severity": severity,
        "category": category,
        "title": titled[0] if titled else "",
        "fingerprint": fingerprint(names, titled[0] if titled else None),
        "started_at": started,
        "detected_at": detected,
        "acknowledged_at": acknowledged,
        "identified_at": identified,
        "mitigated_at": mitigated,
        "resolved_at": resolved,
        "reviewed_at": reviewed,
        "ttd_seconds": _duration(detected, started, "ttd", flags),
        "tta_seconds": _duration(acknowledged, detected, "tta", flags),
        "tti_seconds": _duration(identified, detected, "tti", flags),
        "ttm_seconds": _duration(mitigated, started, "ttm", flags),
        "ttr_seconds": _duration(resolved, started, "ttr", flags),
        "time_to_review_seconds": _duration(reviewed, resolved, "time_to_review", flags),
        "alert_count": len(segment.alerts),
        "alert_ids": sorted(segment.alerts),
        "ticket_ids": sorted(segment.tickets),
        "event_count": len(members) - len(reviews),
        "cause_deploy_id": cause[-1]["subject"] if cause else None,
        "fix_deploy_id": fixes[0]["subject"] if fixes else None,
        "repair_action": fixes[0]["kind"] if fixes else None,
        "reopen_count": segment.reopen_count,
        "quality_flags": flags,
    }


TIME_FIELDS = (
    "started_at", "detected_at", "acknowledged_at", "identified_at", "mitigated_at", "resolved_at",
    "reviewed_at",
)  # fmt: skip


_datetime = functools.lru_cache(maxsize=4096)(from_ms)  # an incident's times rarely change


def to_row(
    fields: dict[str, Any], version: int, updated_at_ms: int, *, deleted: bool = False
) -> dict[str, Any]:
    """Return the ``mttr.incidents`` row: datetimes, version and the delete marker."""
    row = dict(fields)
    for name in TIME_FIELDS:
        if row[name] is not None:
            row[name] = _datetime(row[name])
    row.update(version=version, updated_at=from_ms(updated_at_ms), is_deleted=int(deleted))
    return row
