"""The hand-computed month of docs/metrics.md: checkout/prod, June 2026, no randomness.

``add_worked_example()`` adds its incidents and deploys to the seeded history
(tests/support/view_history.py) as current rows like any other; the view tests
check the hand-computed ``dora_monthly`` and ``sla_compliance`` values of
docs/metrics.md on them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tests.support.event_rows import deploy_row

if TYPE_CHECKING:
    from tests.support.view_history import History


# --- the hand-computed month of docs/metrics.md ------------------------------------

WORKED_MONTH = datetime(2026, 6, 1, tzinfo=UTC)  # after the seeded history: nothing else in it
WORKED_INCIDENTS = (  # (started_at, ttr_seconds, cause_deploy_id) of checkout/prod, critical
    (datetime(2026, 6, 3, 9, 30, tzinfo=UTC), 600.0, "dep-worked-0603"),
    (datetime(2026, 6, 10, 12, 0, tzinfo=UTC), 1200.0, None),
    (datetime(2026, 6, 20, 8, 0, tzinfo=UTC), 3000.0, None),
    # resolved 2026-06-30 23:59:59.999: still June
    (datetime(2026, 6, 30, 22, 53, 19, 999000, tzinfo=UTC), 4000.0, None),
    # resolved 2026-07-01 00:00:00.000: July (UTC), in no June figure
    (datetime(2026, 6, 29, 20, 13, 20, tzinfo=UTC), 100_000.0, None),
)
WORKED_DEPLOYS = (  # (deploy_id, occurred_at, kind) of checkout/prod, all succeeded
    ("dep-worked-0603", datetime(2026, 6, 3, 9, 0, tzinfo=UTC), "release"),
    # a remediation run is no deployment (contract v1.1): in no dora_monthly figure,
    # and July, with only a remediation run, still has no row
    ("rem-worked-0610", datetime(2026, 6, 10, 12, 5, tzinfo=UTC), "remediation"),
    ("dep-worked-0615", datetime(2026, 6, 15, 10, 0, tzinfo=UTC), "release"),
    ("rem-worked-0702", datetime(2026, 7, 2, 8, 0, tzinfo=UTC), "remediation"),
)


def add_worked_example(history: History) -> None:
    """Add the docs/metrics.md example month: checkout/prod, June 2026, no randomness.

    Its incidents and deploys are current rows like any other (the model sees
    them too); tests/integration/views/test_views_sla_dora.py checks the hand-computed values.
    """
    for n, (started, ttr, cause) in enumerate(WORKED_INCIDENTS):
        resolved_at = started + timedelta(seconds=ttr)
        history.versions.append(
            {
                "incident_id": f"inc-worked-{n}",
                "service": "checkout",
                "environment": "prod",
                "status": "resolved",
                "severity": "critical",
                "category": "availability",
                "title": f"worked example #{n}",
                "started_at": started,
                "detected_at": started,
                "acknowledged_at": None,
                "identified_at": None,
                "mitigated_at": None,
                "resolved_at": resolved_at,
                "ttd_seconds": 0.0,
                "tta_seconds": None,
                "tti_seconds": None,
                "ttm_seconds": None,
                "ttr_seconds": ttr,
                "alert_count": 1,
                "alert_ids": [f"alert-worked-{n}"],
                "ticket_ids": [],
                "event_count": 2,
                "cause_deploy_id": cause,
                "fix_deploy_id": None,
                "repair_action": None,
                "reopen_count": 0,
                "completed": 1,
                "quality_flags": [],
                "reviewed_at": None,
                "time_to_review_seconds": None,
                "fingerprint": "",
                "is_deleted": 0,
                "version": 1,
                "updated_at": resolved_at + timedelta(seconds=1),
            }
        )
    redelivered = history.event_rows.pop()  # stays the last row (the view tests rely on it)
    for n, (deploy_id, occurred_at, kind) in enumerate(WORKED_DEPLOYS):
        event = deploy_row(
            deploy_id, "checkout", "prod", occurred_at,
            event_id=f"ev-worked-{n}",
            raw=f'{{"deploy_id":"{deploy_id}","status":"succeeded","kind":"{kind}"}}',
            kafka_offset=2_000_000 + n,
            kind=kind,
        )  # fmt: skip
        history.events.append(event)
        history.event_rows.append(event)
    history.event_rows.append(redelivered)
