"""Changes for a simulated history: what lands on the mainline between deploys (pure).

``add_changes`` takes the events ``streams.devtools.simulate`` made and, per
service, lands a Poisson number of changes (mean ``per_deploy``) in the gap
before each succeeded ``release`` or ``config`` deploy: mostly merged pull
requests (``change_id`` ``PR-<n>``, first commit hours to days earlier), some
direct pushes (``change_id`` = the commit, first commit minutes earlier).
Each such deploy then names, in all its events, the commit of the last change
landed before it started, so it ships every change up to that one; a deploy
with nothing new landed names the commit its predecessor named. Deploys made
outside this rhythm (the deploys that cause incidents, rollbacks) name no
commit. A few changes land after the last deploy and stay pending.

Its own random stream (from ``seed``) and its own ``event_id`` series
(``sim-<seed>-c<n>``) leave every other simulated event as it was.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from streams.devtools.sim_common import iso, poisson

DIRECT_PUSH_SHARE = 0.2
TITLES = ("Fix retry budget", "Add index", "Bump dependency", "Refactor handler", "Tune timeout")


def add_changes(
    events: list[dict[str, Any]], seed: int, per_deploy: float, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Set ``commit_sha`` on the shipping deploys of ``events``; return the change events.

    ``events`` are the simulated events (dicts, ``occurred_at`` in UTC ``Z`` form)
    of [``start``, ``end``); the deploy events are changed in place, and every
    change lands in that range. Deterministic for a given ``seed``.
    """
    rng = random.Random(f"changes-{seed}")
    changes: list[dict[str, Any]] = []
    for service, deploys in _shipping_deploys(events).items():
        landed_from = max(start, deploys[0][0] - timedelta(days=1))
        newest: tuple[datetime, str] | None = None
        for started, deploy_events in deploys:
            gap_end = started - timedelta(minutes=5)
            for _ in range(poisson(rng, per_deploy) if gap_end > landed_from else 0):
                landed = landed_from + (gap_end - landed_from) * rng.random()
                change = _change(rng, seed, service, landed, len(changes) + 1)
                changes.append(change)
                if newest is None or landed > newest[0]:
                    newest = (landed, change["commit_sha"])
            if newest is not None:
                for event in deploy_events:
                    event["commit_sha"] = newest[1]
            landed_from = max(landed_from, gap_end)
        landed = landed_from + timedelta(minutes=rng.uniform(10, 120))
        if rng.random() < 0.5 and landed < end:  # pending: landed after the last deploy started
            changes.append(_change(rng, seed, service, landed, len(changes) + 1))
    return changes


def _shipping_deploys(
    events: list[dict[str, Any]],
) -> dict[str, list[tuple[datetime, list[dict[str, Any]]]]]:
    """Return per service its succeeded release/config deploys: (started, their events), by time."""
    by_id: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        if event["type"] == "deploy" and event.get("kind") in ("release", "config"):
            by_id[(event["service"], event["deploy_id"])].append(event)
    per_service: dict[str, list[tuple[datetime, list[dict[str, Any]]]]] = defaultdict(list)
    for (service, _), group in by_id.items():
        if any(e["status"] == "succeeded" for e in group):
            per_service[service].append((min(_at(e) for e in group), group))
    for deploys in per_service.values():
        deploys.sort(key=lambda item: (item[0], item[1][0]["deploy_id"]))
    return dict(per_service)


def _change(
    rng: random.Random, seed: int, service: str, landed: datetime, number: int
) -> dict[str, Any]:
    sha = hashlib.sha1(f"{seed}-{service}-{number}".encode()).hexdigest()  # noqa: S324 - an id
    direct = rng.random() < DIRECT_PUSH_SHARE
    took = timedelta(minutes=rng.uniform(1, 30) if direct else 60 * math.exp(rng.gauss(2.5, 1)))
    return {
        "event_id": f"sim-{seed}-c{number:07d}",
        "type": "change",
        "service": service,
        "occurred_at": iso(landed),
        "change_id": sha if direct else f"PR-{number}",
        "commit_sha": sha,
        "first_commit_at": iso(landed - took),
        "title": rng.choice(TITLES),
        "source": "github",
    }


def _at(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["occurred_at"])
