"""Change events and deploy commits for the seeded view history (random.Random(2026)).

``add_changes(history, start, end)`` draws from a generator of its own, so the
incidents and deploys drawn by tests/support/view_history.py stay exactly as
they were. What it adds, for docs/metrics.md "Lead time for changes":

* change events of every service (some landed before the first deploy, some
  after the last: pending), pull requests and direct pushes, shas of 7 to 40
  digits, some sent upper-case, some shared by two changes, some without
  ``first_commit_at``; changes of
  ``billing``, a service without deploys (pending in environment ``''``);
* several events of one change: a later one (never defines it), an earlier one
  (defines it, though listed later) and one at the same instant (the smaller
  ``event_id`` defines it);
* commits named by the existing succeeded deploys: a change landed before the
  deploy, one landed after it, one of another service, a prefix of a change's
  sha, an unknown sha, upper-case shas; ``started`` events naming commits too;
* new deploys: rollbacks and remediation runs naming commits (they ship
  nothing), hotfixes, deploys with two succeeded events (the earliest carrying a
  commit names it) and deploy-time ties (the smaller ``deploy_id`` first); a last
  checkout/prod deploy after every landing, so that the hand-made June of
  tests/support/view_worked_month.py deploys no change.

Change and new deploy rows are real contract JSON turned into rows by the worker's
``decode`` and ``event_to_row`` (tests/support/lead_time_cases.py); the existing
deploy rows get the commit in ``raw`` (as sent) and in ``commit_sha`` (lowercased).
"""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson

from tests.support.lead_time_cases import change, deploy, rows_of

if TYPE_CHECKING:
    from tests.support.view_history import History

SEED = 2026
CHANGE_SERVICES = ("checkout", "payments", "search", "auth", "billing")  # billing: no deploys
CHANGES_PER_SERVICE = 45
MINUTE = timedelta(minutes=1)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _sha(rng: random.Random) -> str:
    return f"{rng.getrandbits(160):040x}"[: rng.choice((7, 9, 12, 40, 40, 40))]


def _sent(rng: random.Random, sha: str) -> str:
    return sha.upper() if rng.random() < 0.25 else sha


class _Draw:
    """The generator, the changes drawn so far (service, sha, landed) and the new rows."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.changes: list[tuple[str, str, datetime]] = []
        self.messages: list[dict[str, Any]] = []
        self.numbers = itertools.count(1)

    def landed_before(self, service: str, moment: datetime) -> str | None:
        """Return the sha of one of the last changes of ``service`` landed before ``moment``."""
        before = [c for c in self.changes if c[0] == service and c[2] < moment]
        before.sort(key=lambda c: (c[2], c[1]))
        return self.rng.choice(before[-6:])[1] if before else None

    def landed_after(self, service: str, moment: datetime) -> str | None:
        after = [c for c in self.changes if c[0] == service and c[2] > moment]
        return min(after, key=lambda c: c[2])[1] if after else None


def _changes(draw: _Draw, start: datetime, end: datetime) -> None:
    rng = draw.rng
    span = int((end - start + timedelta(days=25)) / MINUTE)
    for service in CHANGE_SERVICES:
        for n in range(CHANGES_PER_SERVICE if service != "billing" else 6):
            landed = start - timedelta(days=15) + rng.randrange(span) * MINUTE
            landed += timedelta(milliseconds=rng.randrange(60_000))
            sha = _sha(rng)
            own = [c[1] for c in draw.changes if c[0] == service]
            if own and rng.random() < 0.08:  # one commit, two changes (a pull and a push)
                sha = rng.choice(own)
            change_id = f"pr-{n}" if rng.random() < 0.7 else f"push-{sha[:7]}"
            draw.changes.append((service, sha, landed))
            roll = rng.random()
            first = landed - rng.randrange(1, 7200) * MINUTE
            first = None if roll < 0.15 else landed if roll < 0.2 else first
            event_id = f"ev-chg-{next(draw.numbers):05d}"
            env = rng.choice(("prod", "staging"))
            draw.messages.append(
                change(event_id, service, change_id, _sent(rng, sha), _stamp(landed),
                       None if first is None else _stamp(first), environment=env)
            )  # fmt: skip
            _more_events(draw, service, change_id, landed, first or landed, event_id)


def _more_events(
    draw: _Draw, service: str, change_id: str, landed: datetime, first: datetime, event_id: str
) -> None:
    """Maybe add another event of the same change: later, earlier or at the same instant."""
    rng = draw.rng
    roll = rng.random()
    if roll < 0.1:  # later: never defines the change; its sha may be named by a deploy
        at = landed + rng.randrange(1, 2880) * MINUTE
        other_id, other_first = f"ev-chg-{next(draw.numbers):05d}", at - 90 * MINUTE
    elif roll < 0.14:  # earlier, listed later: defines the change
        at = landed - rng.randrange(1, 600) * MINUTE
        other_id, other_first = f"ev-chg-{next(draw.numbers):05d}", min(at, first) - 5 * MINUTE
    elif roll < 0.18:  # the same instant: the smaller event_id defines the change
        at = landed
        prefix = rng.choice(("ev-chf", "ev-chh"))  # sorts before / after ev-chg
        other_id, other_first = f"{prefix}-{next(draw.numbers):05d}", first - 7 * MINUTE
    else:
        return
    sha = _sha(rng)
    draw.changes.append((service, sha, at))  # a deploy may name it (no change has it then)
    draw.messages.append(
        change(other_id, service, change_id, _sent(rng, sha), _stamp(at), _stamp(other_first))
    )


def _commit_for(draw: _Draw, service: str, at: datetime) -> str | None:
    """Draw the commit a deploy of ``service`` at ``at`` names (None: no commit)."""
    rng = draw.rng
    roll = rng.random()
    if roll < 0.45:
        sha = draw.landed_before(service, at)
    elif roll < 0.5:
        sha = _sha(rng)  # no change has it
    elif roll < 0.53:
        sha = draw.landed_after(service, at)
    elif roll < 0.56:
        sha = draw.landed_before(rng.choice([s for s in CHANGE_SERVICES if s != service]), at)
    elif roll < 0.59:
        sha = (draw.landed_before(service, at) or "abcdef12")[:6]  # a prefix matches nothing
    else:
        return None
    return None if sha is None else _sent(rng, sha)


def _name_commits(draw: _Draw, history: History) -> None:
    """Give existing deploy events commits (raw as sent, commit_sha lowercased)."""
    for event in history.events:
        if event["type"] != "deploy":
            continue
        if event["status"] == "succeeded":
            sha = _commit_for(draw, event["service"], event["occurred_at"])
        else:  # a started or failed event's commit is never the deploy's
            sha = _sent(draw.rng, draw.changes[draw.rng.randrange(len(draw.changes))][1])
            sha = sha if draw.rng.random() < 0.2 else None
        if sha is None:
            continue
        raw = orjson.loads(event["raw"]) | {"commit_sha": sha}
        for row in history.event_rows:  # the redelivered copy too
            if row["event_id"] == event["event_id"]:
                row.update(commit_sha=sha.lower(), raw=orjson.dumps(raw).decode())


def _new_deploys(draw: _Draw, start: datetime, end: datetime) -> None:
    rng = draw.rng
    span = int((end - start) / MINUTE)
    numbers = itertools.count(1)

    def add(service: str, env: str, deploy_id: str, at: datetime, **fields: Any) -> None:
        event_id = f"ev-dep-lt-{next(numbers):04d}"
        draw.messages.append(deploy(event_id, service, env, deploy_id, _stamp(at), **fields))

    for n, kind in enumerate(["rollback"] * 10 + ["remediation"] * 6 + ["hotfix"] * 10):
        service, env = rng.choice(CHANGE_SERVICES[:4]), rng.choice(("prod", "staging"))
        at = start + rng.randrange(span) * MINUTE
        sha = _commit_for(draw, service, at) or draw.landed_before(service, at)
        add(service, env, f"dep-lt-{kind}-{n:02d}", at, kind=kind, sha=sha)
    for n in range(6):  # two succeeded events; the earliest one naming a commit names it
        service, env = rng.choice(CHANGE_SERVICES[:4]), rng.choice(("prod", "staging"))
        at = start + rng.randrange(span) * MINUTE
        first_sha = draw.landed_before(service, at - timedelta(days=2)) if n % 2 else None
        later_sha = draw.landed_before(service, at - timedelta(days=1) * (1 - n % 2))
        add(service, env, f"dep-lt-twice-{n}", at, sha=first_sha)
        add(service, env, f"dep-lt-twice-{n}", at + rng.randrange(1, 30) * MINUTE, sha=later_sha)
    for n in range(4):  # the same deployed_at: the smaller deploy_id comes first
        service, env = rng.choice(CHANGE_SERVICES[:4]), rng.choice(("prod", "staging"))
        at = start + rng.randrange(span) * MINUTE
        older = draw.landed_before(service, at - timedelta(days=1))
        add(service, env, f"dep-lt-tie-{n}-a", at, sha=older)
        add(service, env, f"dep-lt-tie-{n}-b", at, kind="config")
    # after every landing: no checkout change is left for the hand-made June of
    # tests/support/view_worked_month.py, which keeps its numbers (no change deployed)
    add("checkout", "prod", "dep-lt-checkout-last", end + timedelta(days=11))


def add_changes(history: History, start: datetime, end: datetime) -> None:
    """Add the change events, the deploys' commits and the new deploys to ``history``."""
    draw = _Draw()
    _changes(draw, start, end)
    _name_commits(draw, history)
    _new_deploys(draw, start, end)
    rows = []
    for n, message in enumerate(draw.messages):
        at = datetime.fromisoformat(message["occurred_at"])
        rows += rows_of([message], 3_000_000 + n, at + timedelta(seconds=2))
    history.events += rows
    history.event_rows[-1:-1] = rows  # the redelivered event stays the last row
