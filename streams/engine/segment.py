"""Split one key's events, in event-time order, into incidents (pure).

The rules (docs/incident-model.md has worked examples):

* A firing alert opens an incident when none is open; so does a ticket
  ``opened``/``reopened`` event (a *declared* incident).
* While an incident is open, every event of the key joins it.
* An incident in which an alert fired is open while any of its alerts fires
  (by event time); this holds for a declared incident too once an alert fired
  in it. A declared incident without alerts is open while any of its tickets
  is not resolved/closed.
* Within the quiet period after an incident resolved, a firing alert or an
  opening ticket *reopens* it (``reopen_count`` += 1); other events just join.
  A ticket that reopened an incident holds it open until resolved.
* A ticket that is already a member always updates its own incident, but
  outside the quiet period it never reopens it.
* A ticket ``postmortem`` (the review was published) never opens or reopens
  an incident and never holds one open (like ``resolved``/``closed``); it joins
  only the incident its ticket is a member of, never an unrelated open one. A
  postmortem of a ticket that is no member belongs to no incident here (an
  incident already dropped from state may take it: ``streams.engine.review``).
* Anything else (a resolved alert or a non-opening ticket with no incident,
  a deploy between incidents) belongs to no incident, also when the same
  ticket's ``opened`` follows later: each event is placed by its own time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from streams.engine.members import Member

OPENING_TICKET = frozenset({"opened", "reopened"})
REVIEW_TICKET = "postmortem"
"""The ticket status that publishes the incident's review (contract v1.1)."""
TERMINAL_TICKET = frozenset({"resolved", "closed", REVIEW_TICKET})
"""Ticket statuses that end a ticket's hold on its incident."""


@dataclass
class Segment:
    """An incident under construction: its members and open/resolved state."""

    declared: bool
    members: list[Member] = field(default_factory=list)
    alerts: set[str] = field(default_factory=set)  # alerts that fired in it
    tickets: set[str] = field(default_factory=set)
    firing: set[str] = field(default_factory=set)
    holding: set[str] = field(default_factory=set)  # unresolved tickets allowed to hold
    reopeners: set[str] = field(default_factory=set)  # tickets that reopened it
    resolved_at: int | None = None
    reopen_count: int = 0

    @property
    def is_open(self) -> bool:
        """Return True while it is open (see the module rules)."""
        if self.firing:
            return True
        if self.alerts:  # alert incidents: only a ticket that reopened it holds it open
            return bool(self.holding & self.reopeners)
        return bool(self.holding)

    def add(self, member: Member, *, may_hold: bool) -> None:
        """Apply one member event; ``may_hold`` lets a ticket hold the incident open."""
        was_open = self.is_open
        self.members.append(member)
        subject, status = member["subject"], member["status"]
        if member["type"] == "alert":
            if status == "firing":
                self.alerts.add(subject)
                self.firing.add(subject)
            else:
                self.firing.discard(subject)
        elif member["type"] == "ticket":
            self.tickets.add(subject)
            if status in TERMINAL_TICKET:
                self.holding.discard(subject)
            elif may_hold:
                self.holding.add(subject)
        if was_open and not self.is_open:
            self.resolved_at = member["at"]
        elif self.is_open:
            self.resolved_at = None


def is_review(member: Member) -> bool:
    """Return True for a ticket ``postmortem`` event (an incident's review)."""
    return member["status"] == REVIEW_TICKET and member["type"] == "ticket"


def _opens(member: Member) -> bool:
    if member["type"] == "alert":
        return member["status"] == "firing"
    return member["type"] == "ticket" and member["status"] in OPENING_TICKET


def segment(members: Iterable[Member], quiet_ms: int) -> list[Segment]:
    """Return the incidents formed by ``members`` (already in ``sort_key`` order)."""
    segments: list[Segment] = []
    owner: dict[str, Segment] = {}  # ticket id -> its incident
    for member in members:
        current = segments[-1] if segments else None
        in_quiet = (
            current is not None
            and not current.is_open
            and current.resolved_at is not None
            and member["at"] <= current.resolved_at + quiet_ms
        )
        if member["type"] == "ticket" and member["subject"] in owner:
            target = owner[member["subject"]]
            if target is current and current.is_open:
                target.add(member, may_hold=True)
            elif target is current and in_quiet and _opens(member):
                target.reopen_count += 1
                target.reopeners.add(member["subject"])
                target.add(member, may_hold=True)
            else:
                target.add(member, may_hold=False)
            continue
        if is_review(member):
            continue  # the review of no incident in state: never joins an unrelated one
        if current is not None and current.is_open:
            current.add(member, may_hold=True)
        elif current is not None and in_quiet:
            if _opens(member):
                current.reopen_count += 1
                if member["type"] == "ticket":
                    current.reopeners.add(member["subject"])
            current.add(member, may_hold=_opens(member))
        elif _opens(member):
            current = Segment(declared=member["type"] == "ticket")
            segments.append(current)
            current.add(member, may_hold=True)
        else:
            continue
        if member["type"] == "ticket":
            owner[member["subject"]] = current
    return segments
