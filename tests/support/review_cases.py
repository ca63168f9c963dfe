"""The hand-computed reviews and recurring failures of docs/metrics.md.

Reviews (``shop``/``prod``, resolved in June 2026, default policy: critical
and high within 7 days; no fingerprint, so in no recurring failure):

==  ========  ===============  ==========================  ========================
id  severity  resolved_at      postmortem (reviewed_at)    counts as
==  ========  ===============  ==========================  ========================
p   critical  06-01 10:00      06-08 10:00:00.000 (7 d)    on time (due inclusive)
q   critical  06-02 12:00      06-23 12:00 (3 weeks)       reviewed, late
r   critical  06-03 09:00      none                        overdue (due 06-10 09:00)
u   critical  06-06 00:00      06-13 00:00:00.001          reviewed, late (by 1 ms)
s   high      06-04 00:00      06-04 06:00                 on time
t   medium    06-05 00:00      none                        not required
v   critical  now - 1 day      none                        required, not yet due
==  ========  ===============  ==========================  ========================

Recurring failures (``cart``/``prod``):

==  ====================  ==========================  ==========================  ========
id  fingerprint           started_at                  resolved_at                 gap
==  ====================  ==========================  ==========================  ========
r1  HighErrorRate         07-01 00:00                 07-01 01:00                 (first)
r2  HighErrorRate         07-31 01:00                 07-31 02:00                 30 d: counts
r3  HighErrorRate         08-30 02:00:00.001          08-30 02:30:00.001          30 d + 1 ms
r4  HighErrorRate         08-30 02:10                 open                        overlap: 0
r5  HighErrorRate         09-15 00:00                 09-15 00:10                 none (r4 open)
o1  psp timeout ...       07-10 00:00                 07-10 00:30                 (single)
n1  ''                    07-11 00:00                 07-11 00:30                 no row
==  ====================  ==========================  ==========================  ========
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from clickhouse_connect.driver.client import Client

from streams.engine.incident import INCIDENT_COLUMNS
from tests.support.dashboard_seed import incident

WEEK = 7 * 86_400


def at(month: int, day: int, hour: int = 0, minute: int = 0, ms: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, ms // 1000, ms % 1000 * 1000, tzinfo=UTC)


def _reviewed(
    incident_id: str, severity: str, resolved: datetime, review: datetime | None
) -> dict[str, Any]:
    row = incident(incident_id, ("shop", "prod", severity), resolved - timedelta(hours=1), 3600.0)
    if review is not None:
        row["reviewed_at"] = review
        row["time_to_review_seconds"] = max((review - resolved).total_seconds(), 0.0)
    return row


def _recurring(
    incident_id: str, fingerprint: str, start: datetime, end: datetime | None
) -> dict[str, Any]:
    ttr = None if end is None else (end - start).total_seconds()
    return {
        **incident(incident_id, ("cart", "prod", "high"), start, ttr),
        "fingerprint": fingerprint,
    }


def review_incidents(now: datetime) -> list[dict[str, Any]]:
    """Return the incident rows of both tables in the module docstring (``v`` relative to now)."""
    fp = "HighErrorRate"
    return [
        _reviewed("p", "critical", at(6, 1, 10), at(6, 8, 10)),
        _reviewed("q", "critical", at(6, 2, 12), at(6, 23, 12)),
        _reviewed("r", "critical", at(6, 3, 9), None),
        _reviewed("u", "critical", at(6, 6), at(6, 13, ms=1)),
        _reviewed("s", "high", at(6, 4), at(6, 4, 6)),
        _reviewed("t", "medium", at(6, 5), None),
        _reviewed("v", "critical", now - timedelta(days=1), None),
        _recurring("r1", fp, at(7, 1), at(7, 1, 1)),
        _recurring("r2", fp, at(7, 31, 1), at(7, 31, 2)),
        _recurring("r3", fp, at(8, 30, 2, ms=1), at(8, 30, 2, 30, ms=1)),
        _recurring("r4", fp, at(8, 30, 2, 10), None),
        _recurring("r5", fp, at(9, 15), at(9, 15, 0, 10)),
        _recurring("o1", "psp timeout for order #", at(7, 10), at(7, 10, 0, 30)),
        _recurring("n1", "", at(7, 11), at(7, 11, 0, 30)),
    ]


def seed_reviews(client: Client, now: datetime) -> None:
    """Insert ``review_incidents(now)`` into ``mttr.incidents``."""
    rows = review_incidents(now)
    columns = list(INCIDENT_COLUMNS)
    client.insert("mttr.incidents", [[r[c] for c in columns] for r in rows], column_names=columns)


JUNE = date(2026, 6, 1)
# (month, service, environment, severity) -> the hand-computed row
COMPLIANCE = {
    (JUNE, "shop", "prod", "critical"): {
        "resolved": 4, "review_required": 4, "reviewed": 3, "reviewed_on_time": 1, "overdue": 1,
        "review_rate": 0.75,
        # of p 604,800, u 604,800.001, q 1,814,400: the middle one
        "median_time_to_review_seconds": 604_800.001,
    },
    (JUNE, "shop", "prod", "high"): {
        "resolved": 1, "review_required": 1, "reviewed": 1, "reviewed_on_time": 1, "overdue": 0,
        "review_rate": 1.0, "median_time_to_review_seconds": 21_600.0,
    },
    (JUNE, "shop", "prod", "medium"): {
        "resolved": 1, "review_required": 0, "reviewed": 0, "reviewed_on_time": 0, "overdue": 0,
        "review_rate": None, "median_time_to_review_seconds": None,
    },
}  # fmt: skip
# after INSERT INTO mttr.review_policy VALUES ('medium', 1, 14, now64(3)): t is overdue
MEDIUM_REQUIRED = {
    "resolved": 1, "review_required": 1, "reviewed": 0, "reviewed_on_time": 0, "overdue": 1,
    "review_rate": 0.0, "median_time_to_review_seconds": None,
}  # fmt: skip
RECURRING = {
    ("cart", "prod", "HighErrorRate"): {
        "incidents": 5, "first_started_at": at(7, 1), "last_started_at": at(9, 15),
        "mttr_seconds": (3600 + 3600 + 1800 + 600) / 4,  # r4 is open
        # gaps r1->r2 30 d, r2->r3 30 d + 1 ms, r3->r4 clamped 0; r4 open: no gap to r5
        "mean_time_between_seconds": (2_592_000 + 2_592_000.001 + 0) / 3,
        "recurrences_30d": 2,  # r2 (exactly 30 days) and r4 (overlap); not r3
    },
    ("cart", "prod", "psp timeout for order #"): {
        "incidents": 1, "first_started_at": at(7, 10), "last_started_at": at(7, 10),
        "mttr_seconds": 1800.0, "mean_time_between_seconds": None, "recurrences_30d": 0,
    },
}  # fmt: skip
