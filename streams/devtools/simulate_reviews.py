"""Postmortems for a simulated history: the reviews of its serious incidents (pure).

``add_reviews`` takes the events ``streams.devtools.simulate`` made and gives
a share (``share``) of the critical and high incidents that have a ticket a
ticket event with status ``postmortem`` (contract v1.1), some days after the
ticket was resolved: most within the 7 days an incident stays in the worker's
state, some later (1-3 weeks), a few weeks later (3-8 weeks, from the review
ledger, docs/incident-model.md "Review (postmortem)"). The others never get one,
and a postmortem that would come after ``end`` is not (yet) written.

Its own random stream (from ``seed``) and its own ``event_id`` series
(``sim-<seed>-r<n>``) leave every other simulated event as it was.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from streams.devtools.sim_common import iso

REVIEWED_SEVERITIES = ("critical", "high")
# (share of the reviews, earliest and latest delay in days after the ticket resolved)
DELAYS = ((0.6, 0.5, 7.0), (0.3, 7.0, 21.0), (0.1, 21.0, 56.0))


def add_reviews(
    events: list[dict[str, Any]], seed: int, share: float, end: datetime
) -> list[dict[str, Any]]:
    """Return the postmortem events for the reviewed tickets of ``events``, before ``end``.

    A ticket is reviewed when it was opened with a severity in
    ``REVIEWED_SEVERITIES`` and resolved; each such ticket is drawn once, in
    the order of ``events``. Deterministic for a given ``seed``.
    """
    rng = random.Random(f"reviews-{seed}")
    opened: dict[str, dict[str, Any]] = {}
    reviews: list[dict[str, Any]] = []
    for event in events:
        if event["type"] != "ticket":
            continue
        if event["status"] == "opened" and event.get("severity") in REVIEWED_SEVERITIES:
            opened[event["ticket_id"]] = event
        elif event["status"] == "resolved" and event["ticket_id"] in opened:
            first = opened.pop(event["ticket_id"])
            if rng.random() >= share:
                continue  # never reviewed
            at = datetime.fromisoformat(event["occurred_at"]) + timedelta(days=_delay(rng))
            if at < end:
                reviews.append(_postmortem(seed, len(reviews) + 1, first, at))
    return reviews


def _delay(rng: random.Random) -> float:
    roll, total = rng.random(), 0.0
    for part, earliest, latest in DELAYS:
        total += part
        if roll < total:
            return rng.uniform(earliest, latest)
    return rng.uniform(DELAYS[-1][1], DELAYS[-1][2])


def _postmortem(seed: int, number: int, opened: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {
        "event_id": f"sim-{seed}-r{number:07d}",
        "type": "ticket",
        "service": opened["service"],
        "occurred_at": iso(at),
        "ticket_id": opened["ticket_id"],
        "status": "postmortem",
        "title": f"Postmortem: {opened['title']}",
        "source": opened["source"],
    }
