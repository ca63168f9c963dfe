"""Reviews and recurring failures in plain Python: the reference of their view tests.

docs/metrics.md, "Reviews (postmortems)" and "Recurring failures", computed
from the current incidents without ClickHouse: ``expected_compliance`` is
``mttr.review_compliance`` at a given ``now``, ``expected_recurring`` is
``mttr.recurring_failures``. Times are compared in integer milliseconds.

``add_reviews`` gives the seeded history of the view tests
(tests/support/view_history.py) fingerprints and postmortems with a generator
of its own (so nothing else in the history moves): every version row gets its
own draw, so an older version's values differ from the current one's and only
``FINAL`` reads the right ones. Some fingerprints are ``''``, some reviews
come before the resolution (``time_to_review_seconds`` 0), exactly at the due
time and one millisecond after it.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tests.support.view_model import mean, month_of, quantile

if TYPE_CHECKING:
    from tests.support.view_history import History

Row = dict[str, Any]
# severity -> (review required, due within days): the defaults of sql/016
DEFAULT_POLICY = {"critical": (True, 7), "high": (True, 7), "medium": (False, 7), "low": (False, 7)}
FINGERPRINTS = ("HighErrorRate", "HighErrorRate + Latency", "psp timeout for order #", "")
WINDOW_MS = 30 * 86_400_000
DAY = timedelta(days=1)


def ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def expected_compliance(
    incidents: list[Row], now: datetime, policy: dict[str, tuple[bool, int]] = DEFAULT_POLICY
) -> dict[tuple[Any, ...], Row]:
    """``mttr.review_compliance`` keyed by (month, service, environment, severity)."""
    groups: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for i in incidents:
        if i["status"] == "resolved" and i["resolved_at"] is not None:
            key = (month_of(i["resolved_at"]), i["service"], i["environment"], i["severity"])
            groups[key].append(i)
    rows = {}
    for key, members in groups.items():
        required, days = policy.get(key[3], (False, 0))
        needed = members if required else []
        done = [i for i in needed if i["reviewed_at"] is not None]
        due = {id(i): ms(i["resolved_at"] + timedelta(days=days)) for i in needed}
        rows[key] = {
            "resolved": len(members),
            "review_required": len(needed),
            "reviewed": len(done),
            "reviewed_on_time": sum(ms(i["reviewed_at"]) <= due[id(i)] for i in done),
            "overdue": sum(i["reviewed_at"] is None and due[id(i)] < ms(now) for i in needed),
            "review_rate": len(done) / len(needed) if needed else None,
            "median_time_to_review_seconds": quantile(
                [i["time_to_review_seconds"] for i in done], 0.5
            )
            if done
            else None,
        }
    return rows


def expected_recurring(incidents: list[Row]) -> dict[tuple[str, str, str], Row]:
    """``mttr.recurring_failures`` keyed by (service, environment, fingerprint)."""
    groups: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for i in incidents:
        if i["fingerprint"]:
            groups[(i["service"], i["environment"], i["fingerprint"])].append(i)
    rows = {}
    for key, members in groups.items():
        ordered = sorted(members, key=lambda i: (i["started_at"], i["incident_id"]))
        gaps = [
            max(ms(later["started_at"]) - ms(earlier["resolved_at"]), 0)
            for earlier, later in zip(ordered, ordered[1:], strict=False)
            if earlier["status"] == "resolved" and earlier["resolved_at"] is not None
        ]
        ttrs = [i["ttr_seconds"] for i in members if i["status"] == "resolved"]
        rows[key] = {
            "incidents": len(members),
            "first_started_at": ordered[0]["started_at"],
            "last_started_at": max(i["started_at"] for i in members),
            "mttr_seconds": mean(ttrs) if ttrs else None,
            "mean_time_between_seconds": sum(gaps) / len(gaps) / 1000 if gaps else None,
            "recurrences_30d": sum(gap <= WINDOW_MS for gap in gaps),
        }
    return rows


def add_reviews(history: History) -> None:
    """Give every incident version of ``history`` a fingerprint and maybe a postmortem."""
    rng = random.Random(16)
    for n, row in enumerate(history.versions):
        row["fingerprint"] = rng.choice(FINGERPRINTS)
        if rng.random() < 0.1:  # rare failures: single incidents, gaps over 30 days
            row["fingerprint"] = f"Rare{n % 17}"
        row["reviewed_at"] = row["time_to_review_seconds"] = None
        resolved = row["resolved_at"] if row["status"] == "resolved" else None
        draw = rng.random()
        if resolved is None or draw < 0.3:
            continue
        if n % 40 == 1:  # exactly at the due time of critical and high: on time
            reviewed = resolved + 7 * DAY
        elif n % 40 == 2:  # one millisecond later: late
            reviewed = resolved + 7 * DAY + timedelta(milliseconds=1)
        elif draw < 0.4:  # published before the resolution: clamped to 0
            reviewed = resolved - timedelta(minutes=rng.randrange(1, 60))
        else:  # hours to weeks later
            reviewed = resolved + timedelta(milliseconds=rng.randrange(3_600_000, 21 * 86_400_000))
        row["reviewed_at"] = reviewed
        row["time_to_review_seconds"] = max((reviewed - resolved).total_seconds(), 0.0)
    for row in history.versions:  # the overlapping incidents of one key: a gap clamped to 0
        if row["incident_id"] in ("inc-0000", "inc-0001", "inc-0002"):
            row["fingerprint"] = FINGERPRINTS[0]
