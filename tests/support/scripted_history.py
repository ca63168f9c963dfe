"""A scripted incident history with hand-computed incidents, and ``check()`` against them.

The history covers overlapping alerts, reopens, a flapping alert, two
environments of one service and a ticket-declared incident. Expected rows
are worked out by hand from docs/incident-model.md (arithmetic in the
comments). Tests publish it shuffled across the three topics (with
duplicates), the tickets topic through a round-robin partitioner, so one
service's events land on several partitions (tests/support/scripted_stream.py).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

DAY = "2026-03-02"


def t(hhmmss: str, day: str = DAY) -> str:
    return f"{day}T{hhmmss}Z"


def dt(hhmmss: str, day: str = DAY) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmmss}+00:00").astimezone(UTC)


_ids = itertools.count(1)


def alert(
    service: str,
    alert_id: str,
    status: str,
    at: str,
    severity: str = "high",
    env: str = "production",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "event_id": f"e{next(_ids):03d}",
        "type": "alert",
        "service": service,
        "environment": env,
        "occurred_at": at,
        "alert_id": alert_id,
        "name": f"Alert{alert_id}",
        "status": status,
        "severity": severity,
        **extra,
    }


def ticket(service: str, ticket_id: str, status: str, at: str, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": f"e{next(_ids):03d}",
        "type": "ticket",
        "service": service,
        "occurred_at": at,
        "ticket_id": ticket_id,
        "status": status,
        **extra,
    }


def deploy(
    service: str, deploy_id: str, kind: str, at: str, status: str = "succeeded"
) -> dict[str, Any]:
    return {
        "event_id": f"e{next(_ids):03d}",
        "type": "deploy",
        "service": service,
        "occurred_at": at,
        "deploy_id": deploy_id,
        "status": status,
        "kind": kind,
    }


HISTORY = [
    # payments: overlapping alerts, a ticket, a rollback, a reopen in the quiet period.
    deploy("payments", "pay-d1", "release", t("09:30:00")),
    alert("payments", "A1", "firing", t("10:00:00"), "critical", starts_at=t("09:58:00")),
    ticket("payments", "PAY-1", "opened", t("10:02:00"), severity="high", title="Payments down"),
    ticket("payments", "PAY-1", "acknowledged", t("10:04:30")),
    alert("payments", "A2", "firing", t("10:05:00"), "high"),
    ticket("payments", "PAY-1", "identified", t("10:10:00")),
    alert("payments", "A1", "resolved", t("10:20:00"), "critical"),
    deploy("payments", "pay-d2", "rollback", t("10:25:00")),
    deploy("payments", "pay-d3", "hotfix", t("10:27:00"), status="failed"),
    alert("payments", "A2", "resolved", t("10:30:00"), "high"),
    alert("payments", "A1", "firing", t("10:35:00"), "critical"),  # 10:35 <= 10:30 + 10m: reopen
    alert("payments", "A1", "resolved", t("10:45:00"), "critical"),
    ticket("payments", "PAY-1", "resolved", t("10:50:00")),  # joins in quiet, no change
    # payments, later: a second, separate incident.
    alert("payments", "A1", "firing", t("12:00:00"), "high"),
    alert("payments", "A1", "resolved", t("12:15:00"), "high"),
    # search/production: a flapping alert, two reopens.
    alert("search", "F", "firing", t("10:00:00"), "medium"),
    alert("search", "F", "resolved", t("10:03:00"), "medium"),
    alert("search", "F", "firing", t("10:05:00"), "medium"),
    alert("search", "F", "resolved", t("10:06:00"), "medium"),
    alert("search", "F", "firing", t("10:08:00"), "medium"),
    alert("search", "F", "resolved", t("10:10:00"), "medium"),
    # search/staging: same service, other environment, its own incident.
    alert("search", "S", "firing", t("10:00:00"), "low", env="staging"),
    alert("search", "S", "resolved", t("10:30:00"), "low", env="staging"),
    # portal: declared by a ticket (no alert).
    ticket("portal", "POR-9", "opened", t("11:00:00"), title="Users cannot log in"),
    ticket("portal", "POR-9", "acknowledged", t("11:05:00")),
    ticket("portal", "POR-9", "mitigated", t("11:20:00")),
    ticket("portal", "POR-9", "resolved", t("11:40:00")),
]
# Published last, after the rest is processed: closes the portal ticket a day later.
DAY_LATER = ticket("portal", "POR-9", "closed", t("09:00:00", "2026-03-03"))

EXPECTED = {
    ("payments", "production", dt("09:58:00")): {
        # started 09:58 (A1 starts_at), detected 10:00 -> ttd 120 s
        # ack 10:04:30 -> tta 270 s; identified 10:10 -> tti 600 s
        # mitigated 10:25 (rollback in [09:58, 10:45]) -> ttm 27 min = 1620 s
        # resolved 10:45 (A1 after the reopen) -> ttr 47 min = 2820 s
        "status": "resolved",
        "severity": "critical",
        "category": "availability",
        "title": "Payments down",
        "detected_at": dt("10:00:00"),
        "acknowledged_at": dt("10:04:30"),
        "identified_at": dt("10:10:00"),
        "mitigated_at": dt("10:25:00"),
        "resolved_at": dt("10:45:00"),
        "ttd_seconds": 120.0,
        "tta_seconds": 270.0,
        "tti_seconds": 600.0,
        "ttm_seconds": 1620.0,
        "ttr_seconds": 2820.0,
        "alert_count": 2,
        "alert_ids": ["A1", "A2"],
        "ticket_ids": ["PAY-1"],
        "reopen_count": 1,
        "cause_deploy_id": "pay-d1",  # 09:30 in [08:58, 09:58]
        "fix_deploy_id": "pay-d2",
        "repair_action": "rollback",  # first succeeded in [10:00, 10:45]
    },
    ("payments", "production", dt("12:00:00")): {
        # 12:00 > 10:45 + 10 min: a new incident; ttr 15 min = 900 s
        "status": "resolved",
        "severity": "high",
        "detected_at": dt("12:00:00"),
        "resolved_at": dt("12:15:00"),
        "ttd_seconds": 0.0,
        "ttr_seconds": 900.0,
        "acknowledged_at": None,
        "tta_seconds": None,
        "mitigated_at": None,
        "reopen_count": 0,
        "cause_deploy_id": None,
        "fix_deploy_id": None,
        "alert_ids": ["A1"],
        "ticket_ids": [],
    },
    ("search", "production", dt("10:00:00")): {
        # resolves 10:03, 10:06; refires within 10 min each time: 2 reopens, ttr 10 min
        "status": "resolved",
        "severity": "medium",
        "resolved_at": dt("10:10:00"),
        "ttr_seconds": 600.0,
        "reopen_count": 2,
        "alert_count": 1,
        "event_count": 6,
    },
    ("search", "staging", dt("10:00:00")): {
        "status": "resolved",
        "severity": "low",
        "resolved_at": dt("10:30:00"),
        "ttr_seconds": 1800.0,
        "reopen_count": 0,
    },
    ("portal", "production", dt("11:00:00")): {
        # declared: started = detected = 11:00; ack 11:05 -> 300 s; mitigated 11:20 -> 1200 s
        # resolved 11:40 -> 2400 s; the close a day later changes no timestamp
        "status": "resolved",
        "severity": "medium",
        "category": "availability",
        "title": "Users cannot log in",
        "detected_at": dt("11:00:00"),
        "acknowledged_at": dt("11:05:00"),
        "mitigated_at": dt("11:20:00"),
        "resolved_at": dt("11:40:00"),
        "tta_seconds": 300.0,
        "ttm_seconds": 1200.0,
        "ttr_seconds": 2400.0,
        "alert_count": 0,
        "ticket_ids": ["POR-9"],
        "event_count": 5,
    },
}


def check(rows: dict[tuple[str, str, datetime], dict[str, Any]]) -> None:
    """Assert ``rows`` are exactly the EXPECTED incidents, each completed."""
    assert sorted(rows) == sorted(EXPECTED), sorted(rows)
    for key, expected in EXPECTED.items():
        actual = {field: rows[key][field] for field in expected}
        assert actual == expected, key
        # resolved and then idle (or followed by later events): final
        assert rows[key]["completed"] == 1, key
