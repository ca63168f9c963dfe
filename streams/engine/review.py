"""The review ledger: finished incidents that a late postmortem may still review (pure).

A finished incident leaves the key's state (``forgetting``: resolved, quiet,
its last event older than the retention, 7 days by default), but its review
(a ticket ``postmortem``) usually comes weeks later. So an incident with at
least one ticket that may still be reviewed goes, when it is dropped, into the
key's *review ledger* ``state["reviews"]`` (incident id -> entry): its last
emitted fields and version (``fields``, ``version``), the earliest review it
had in state (``floor``) and the reviews credited to it since (``got``,
event id -> time). ``state["review_floor"]`` is the earliest time at which an
entry expires (None: no entry).

A review is credited to a ledger incident when, walking the key's events, it
joined no incident in state (``segment``: its ticket is no member of one at
its time) and its ticket is a member of the incident (of the one that started
last, if several); and only up to the review retention after ``resolved_at``
(``MTTR_REVIEW_RETENTION_S``), as in state (``incident.review_time``).
``settle`` credits every such review at or after the lateness horizon (their
assignment can still change while later-arriving events are inserted before
them) and keeps the credits before it (final), so the result depends on the
events' times only, not on their arrival order. An entry's ``reviewed_at`` is
the earliest of its floor and its credits, ``time_to_review_seconds`` follows,
and a change is a new version of the incident.

An entry expires once the lateness horizon passes its ``reviewed_at`` (no
earlier review can come any more) or, unreviewed, ``resolved_at`` plus the
review retention. The ledger and its entries are replaced, never changed in
place, so ``correlate.copy_state`` need not copy them. docs/incident-model.md,
"Review (postmortem)".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from streams.engine.incident import to_row
from streams.engine.members import Member

if TYPE_CHECKING:
    from streams.engine.correlate import EngineConfig, State

Entry = dict[str, Any]
Row = dict[str, Any]
FLAG = "time_to_review_negative_clamped"
LEDGER_FIELDS = {"reviewed_at": None, "time_to_review_seconds": None, "fingerprint": ""}
"""Defaults for fields emitted before this version knew them (filled, never overwritten)."""


def expires(fields: dict[str, Any], review_ms: int) -> int:
    """Return the time the lateness horizon must pass for the entry to go."""
    limit: int = fields["resolved_at"] + review_ms
    reviewed = fields["reviewed_at"]
    return limit if reviewed is None else min(reviewed, limit)


def keep(state: State, emitted: dict[str, Any] | None, horizon: int, config: EngineConfig) -> None:
    """Put a finished incident being dropped from state into the ledger, if a review may come.

    ``emitted``: its entry of ``state["emitted"]`` (None: never written, nothing kept).
    Only incidents with a ticket whose entry would not expire at ``horizon`` are kept.
    """
    if emitted is None or not emitted["fields"]["ticket_ids"]:
        return
    fields = {**LEDGER_FIELDS, **emitted["fields"]}
    if horizon > expires(fields, config.review_retention_ms):
        return
    ledger: dict[str, Entry] = dict(state.get("reviews") or {})
    ledger[fields["incident_id"]] = {
        "fields": fields,
        "version": emitted["version"],
        "floor": fields["reviewed_at"],
        "got": {},
    }
    state["reviews"] = ledger
    floor = state.get("review_floor")
    end = expires(fields, config.review_retention_ms)
    state["review_floor"] = end if floor is None else min(floor, end)


def due(state: State, horizon: int) -> bool:
    """Return True if an entry expires at ``horizon`` (``settle`` would drop it)."""
    floor = state.get("review_floor")
    return floor is not None and horizon > floor


def settle(
    state: State, loose: Iterable[Member], horizon: int, config: EngineConfig, now_ms: int
) -> list[Row]:
    """Credit reviews to ledger incidents, drop expired entries; return the new versions.

    ``loose``: the key's review events at or after ``horizon`` that joined no
    incident in state (every one of them: credits at or after the horizon are
    derived again from them). Rows come in the order of the incidents' start.
    """
    ledger: dict[str, Entry] | None = state.get("reviews")
    if not ledger:
        return []
    review_ms = config.review_retention_ms
    ordered = sorted(ledger.items(), key=lambda item: (item[1]["fields"]["started_at"], item[0]))
    owner: dict[str, str] = {}  # ticket -> the ledger incident that started last holding it
    for incident, entry in ordered:
        for ticket in entry["fields"]["ticket_ids"]:
            owner[ticket] = incident
    fresh: dict[str, dict[str, int]] = {}
    for member in loose:
        found = owner.get(member["subject"])
        if found is not None and member["at"] <= ledger[found]["fields"]["resolved_at"] + review_ms:
            fresh.setdefault(found, {})[member["event_id"]] = member["at"]
    rows = []
    kept: dict[str, Entry] = {}
    for incident, entry in ordered:
        got = {event: at for event, at in entry["got"].items() if at < horizon}
        got.update(fresh.get(incident, {}))
        if got != entry["got"]:
            entry, changed = _credit(entry, got)
            if changed:
                rows.append(to_row(entry["fields"], entry["version"], now_ms))
        if horizon <= expires(entry["fields"], review_ms):
            kept[incident] = entry
    state["reviews"] = kept
    state["review_floor"] = min(
        (expires(e["fields"], review_ms) for e in kept.values()), default=None
    )
    return rows


def _credit(entry: Entry, got: dict[str, int]) -> tuple[Entry, bool]:
    """Return a new entry with credits ``got``, and whether ``reviewed_at`` changed.

    A change is the next version of the incident (entries are never changed in place).
    """
    times = [at for at in (entry["floor"], *got.values()) if at is not None]
    reviewed = min(times) if times else None
    fields = entry["fields"]
    if reviewed == fields["reviewed_at"]:
        return {**entry, "got": got}, False
    resolved: int = fields["resolved_at"]
    flags = [flag for flag in fields["quality_flags"] if flag != FLAG]
    took = None
    if reviewed is not None:
        took = max(reviewed - resolved, 0) / 1000
        if reviewed < resolved:
            flags.append(FLAG)
    fields = {
        **fields,
        "reviewed_at": reviewed,
        "time_to_review_seconds": took,
        "quality_flags": flags,
    }
    return {**entry, "fields": fields, "version": entry["version"] + 1, "got": got}, True
