"""An incident's fields on the spec's worked example (the demo's ``checkout`` incident).

docs/incident-model.md, "Worked example (the demo's ``checkout`` incident)" and
"Fields".

Expected values are worked out by hand from the spec; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``) unless written out.
"""

from __future__ import annotations

from datetime import UTC, datetime

from streams.engine.incident import incident_id
from tests.support.engine import clear, dep, fire, only, run, tkt

# --- the spec's worked example ---------------------------------------------------


def worked_example() -> list[dict[str, object]]:
    return [
        dep("checkout-412", 2, seconds=30, event_id="w-d412"),
        fire(
            "5c1f0e2d",
            9,
            seconds=10,
            starts_at="2026-03-02T10:07:00Z",
            severity="critical",
            event_id="w-a1",
        ),  # fmt: skip
        tkt("Q1XYZ", "opened", 9, seconds=40, event_id="w-t1"),
        tkt("Q1XYZ", "acknowledged", 13, seconds=5, event_id="w-t2"),
        dep(
            "checkout-413",
            0,
            kind="rollback",
            occurred_at="2026-03-02T11:21:00+01:00",
            event_id="w-d413",
        ),  # fmt: skip
        clear("5c1f0e2d", 24, seconds=40, event_id="w-a2"),
        tkt("Q1XYZ", "resolved", 31, event_id="w-t3"),
    ]


def test_worked_example_checkout_incident() -> None:
    """The spec's checkout incident, every field.

    started 10:07:00, detected 10:09:10 -> ttd 130 s; ack 10:13:05 -> tta 235 s;
    mitigated 10:21:00 (rollback) -> ttm 840 s; resolved 10:24:40 -> ttr 1060 s;
    cause checkout-412 (10:02:30 in [09:07, 10:07]); fix checkout-413 (rollback).
    Members: everything but the 10:02:30 deploy -> event_count 6.
    """
    row = only(run(worked_example()))
    expected = {
        "incident_id": incident_id("checkout", "production", "w-a1"),
        "service": "checkout",
        "environment": "production",
        "status": "resolved",
        "severity": "critical",
        "category": "availability",
        "title": "HighErrorRate",  # the ticket has no title -> the alert's name
        "fingerprint": "HighErrorRate",  # the one firing alert's name
        "started_at": datetime(2026, 3, 2, 10, 7, tzinfo=UTC),
        "detected_at": datetime(2026, 3, 2, 10, 9, 10, tzinfo=UTC),
        "acknowledged_at": datetime(2026, 3, 2, 10, 13, 5, tzinfo=UTC),
        "identified_at": None,
        "mitigated_at": datetime(2026, 3, 2, 10, 21, tzinfo=UTC),
        "resolved_at": datetime(2026, 3, 2, 10, 24, 40, tzinfo=UTC),
        "reviewed_at": None,  # no postmortem
        "ttd_seconds": 130.0,
        "tta_seconds": 235.0,
        "tti_seconds": None,
        "ttm_seconds": 840.0,
        "ttr_seconds": 1060.0,
        "time_to_review_seconds": None,
        "alert_count": 1,
        "alert_ids": ["5c1f0e2d"],
        "ticket_ids": ["Q1XYZ"],
        "event_count": 6,
        "cause_deploy_id": "checkout-412",
        "fix_deploy_id": "checkout-413",
        "repair_action": "rollback",
        "reopen_count": 0,
        # last event 10:31:00 is not past resolved 10:24:40 + 10 min quiet -> not completed
        "completed": 0,
        "quality_flags": [],
        "is_deleted": 0,
    }
    assert {k: v for k, v in row.items() if k not in ("version", "updated_at")} == expected


def test_worked_example_is_the_same_in_reverse_arrival_order() -> None:
    """All seven events arrive newest first (all within 1 h lateness): same fields."""
    forward = only(run(worked_example()))
    backward = only(run(list(reversed(worked_example()))))
    for name in ("version", "updated_at"):
        forward.pop(name)
        backward.pop(name)
    assert backward == forward
