"""Which notice an incident row version calls for (pure: no Faust, no clock, no I/O).

State per incident and channel (a plain JSON snapshot kept in the channel's
table, ``slack-notified`` or ``teams-notified``)::

    {"version": 3, "deleted": false, "done": {"opened": "sent", "acknowledged": "skipped"}}

``done`` maps each notice kind already dealt with to ``sent`` (posted, or
given up after the channel rejected it) or ``skipped`` (too old when first seen).
Rules, for a row newer than the last version seen (older or equal versions,
i.e. replays and re-written rows, change nothing):

* a delete marker (``is_deleted = 1``) sends nothing;
* status ``resolved`` and no resolution dealt with: ``resolved`` (it also
  covers ``opened`` and ``acknowledged``: an incident first seen resolved gets
  one notice);
* status ``open`` after a resolution: ``reopened`` if that resolution was
  posted, nothing otherwise; the next resolution is announced again;
* status ``open``, not yet ``opened``: ``opened`` (covering ``acknowledged`` if
  the row is already acknowledged);
* ``acknowledged_at`` set and no acknowledgement dealt with: ``acknowledged``.

A row yields at most one notice. Until an incident has had a notice posted,
one below the minimum severity gets none (and nothing is marked, so a later
raise of its severity announces it). A notice whose event time (detected,
acknowledged or resolved) is more than ``max_age`` before ``now`` is marked
``skipped`` instead of posted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from schemas.events import SEVERITY_RANK
from streams.notify.incident_row import IncidentRow

Kind = Literal["opened", "acknowledged", "resolved", "reopened"]
SENT, SKIPPED = "sent", "skipped"


@dataclass(frozen=True)
class NoticeRules:
    """Which notices are worth posting."""

    min_severity: str = "low"
    max_age: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class Notice:
    """One notice to post: what happened and the row version it happened in."""

    kind: Kind
    incident: IncidentRow


def _due(done: dict[str, str], row: IncidentRow) -> tuple[Kind, datetime, tuple[str, ...]] | None:
    """Return the notice the row calls for, its event time and the kinds it covers."""
    acknowledged = ("acknowledged",) if row.acknowledged_at is not None else ()
    if row.status == "resolved":
        if "resolved" in done:
            return None
        return "resolved", row.resolved_at or row.detected_at, ("opened", *acknowledged, "resolved")
    if "resolved" in done:
        return "reopened", row.detected_at, ()
    if "opened" not in done:
        return "opened", row.detected_at, ("opened", *acknowledged)
    if row.acknowledged_at is not None and "acknowledged" not in done:
        return "acknowledged", row.acknowledged_at, ("acknowledged",)
    return None


def notices(
    state: dict[str, Any] | None, row: IncidentRow, *, now: datetime, rules: NoticeRules
) -> tuple[dict[str, Any], list[Notice]]:
    """Return the incident's new state and the notices (zero or one) for ``row``.

    Args:
        state: The incident's snapshot from the table, None for a new incident.
            Never modified.
        row: The incident version just read.
        now: Wall-clock time (aware), only to recognise old changes.
        rules: Minimum severity and maximum age.
    """
    if state is not None and row.version <= state["version"]:
        return state, []
    done = dict(state["done"]) if state is not None else {}
    new = {"version": row.version, "deleted": bool(row.is_deleted), "done": done}
    due = None if row.is_deleted else _due(done, row)
    if due is None:
        return new, []
    kind, at, covers = due
    if kind == "reopened":
        posted = done.pop("resolved") == SENT
        return new, [Notice("reopened", row)] if posted else []
    announced = SENT in done.values()
    if not announced and SEVERITY_RANK[row.severity] < SEVERITY_RANK[rules.min_severity]:
        return new, []
    mark = SKIPPED if at < now - rules.max_age else SENT
    for covered in covers:
        done.setdefault(covered, mark)
    return new, [Notice(kind, row)] if mark == SENT else []
