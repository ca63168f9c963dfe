"""Compact, plain-dict snapshots of events as the correlation engine stores them.

Table values must be plain data (picklable, JSON-able), never live objects,
so an event is reduced to a ``Member`` dict with integer epoch-millisecond
times. ``sort_key`` fixes one total order, so that the engine's result does
not depend on arrival order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypedDict

from schemas.events import AlertEvent, DeployEvent, TicketEvent


class Member(TypedDict):
    """One event as kept in a key's state. Times are UTC epoch milliseconds."""

    event_id: str
    type: str  # alert | deploy | ticket
    at: int  # occurred_at
    subject: str  # alert_id | deploy_id | ticket_id
    status: str
    severity: str | None
    category: str | None  # alerts only
    starts_at: int | None  # alerts only
    kind: str | None  # deploys only
    title: str | None  # alert name or ticket title


# Within one millisecond: a firing alert or an opening ticket sorts first and a
# resolved alert last, so "ties: resolved wins" holds for an alert's state.
_RANK = {
    ("alert", "firing"): 0,
    ("ticket", "opened"): 1,
    ("ticket", "reopened"): 1,
    ("alert", "resolved"): 3,
}


def to_ms(value: datetime) -> int:
    """Return epoch milliseconds of an aware datetime (exact integer arithmetic)."""
    delta = value - datetime(1970, 1, 1, tzinfo=UTC)
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


def from_ms(ms: int) -> datetime:
    """Return the aware UTC datetime of epoch milliseconds."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).replace(microsecond=(ms % 1000) * 1000)


def sort_key(member: Member) -> tuple[int, int, str]:
    """Return the total order of members: time, then status rank, then event id."""
    return (member["at"], _RANK.get((member["type"], member["status"]), 2), member["event_id"])


def to_member(event: AlertEvent | DeployEvent | TicketEvent) -> Member:
    """Reduce a validated event to its stored ``Member`` form."""
    member = Member(
        event_id=event.event_id,
        type=event.type,
        at=to_ms(event.occurred_at),
        subject="",
        status=event.status,
        severity=None,
        category=None,
        starts_at=None,
        kind=None,
        title=None,
    )
    if isinstance(event, AlertEvent):
        member["subject"] = event.alert_id
        member["severity"] = event.severity
        member["category"] = event.category
        member["starts_at"] = to_ms(event.starts_at) if event.starts_at else None
        member["title"] = event.name
    elif isinstance(event, TicketEvent):
        member["subject"] = event.ticket_id
        member["severity"] = event.severity
        member["title"] = event.title
    else:
        member["subject"] = event.deploy_id
        member["kind"] = event.kind
    return member
