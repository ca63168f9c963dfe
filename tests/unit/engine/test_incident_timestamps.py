"""An incident's timestamps: started_at / detected_at, acknowledged / identified / mitigated.

docs/incident-model.md, "Fields" (rows ``started_at`` to ``mitigated_at``).

Expected values are worked out by hand from the spec; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``) unless written out.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.engine import clear, dep, fire, only, run, tkt

# --- started_at / detected_at ----------------------------------------------------


def test_started_from_earliest_starts_at_detected_from_earliest_occurred_at() -> None:
    """A occurred 10:04 (starts_at 10:04); B occurred 10:05 with starts_at 10:01.

    started = min(10:04, 10:01) = 10:01; detected = min(10:04, 10:05) = 10:04;
    ttd = 180 s.
    """
    row = only(run([fire("A", 4), fire("B", 5, starts_at="2026-03-02T10:01:00Z")]))
    assert row["started_at"] == datetime(2026, 3, 2, 10, 1, tzinfo=UTC)
    assert row["detected_at"] == datetime(2026, 3, 2, 10, 4, tzinfo=UTC)
    assert row["ttd_seconds"] == 180.0


def test_starts_at_defaults_to_occurred_at() -> None:
    """A fires 10:03 without starts_at -> started = detected = 10:03, ttd 0."""
    row = only(run([fire("A", 3)]))
    assert row["started_at"] == datetime(2026, 3, 2, 10, 3, tzinfo=UTC)
    assert row["ttd_seconds"] == 0.0
    assert row["quality_flags"] == []


def test_starts_at_of_resolved_alert_is_ignored() -> None:
    """A fires 10:05; its resolved event 10:10 carries starts_at 09:00 -> started stays 10:05."""
    row = only(run([fire("A", 5), clear("A", 10, starts_at="2026-03-02T09:00:00Z")]))
    assert row["started_at"] == datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    assert row["ttr_seconds"] == 300.0


def test_declared_incident_alert_starting_earlier_moves_start() -> None:
    """T opened 10:10 (declares); A fires 10:12 with starts_at 10:02.

    started = min(10:10 ticket, 10:02) = 10:02; detected = min(10:10, 10:12) = 10:10;
    ttd 480 s.
    """
    row = only(run([tkt("T", "opened", 10), fire("A", 12, starts_at="2026-03-02T10:02:00Z")]))
    assert row["started_at"] == datetime(2026, 3, 2, 10, 2, tzinfo=UTC)
    assert row["detected_at"] == datetime(2026, 3, 2, 10, 10, tzinfo=UTC)
    assert row["ttd_seconds"] == 480.0


def test_millisecond_precision_durations() -> None:
    """starts_at 10:07:00.000, fired 10:09:10.250, resolved 10:24:40.125.

    ttd = 130.25 s; ttr = 17 min 40.125 s = 1060.125 s.
    """
    row = only(
        run(
            [
                fire("A", 9, seconds=10.25, starts_at="2026-03-02T10:07:00.000Z"),
                clear("A", 24, seconds=40.125),
            ]
        )
    )
    assert row["detected_at"] == datetime(2026, 3, 2, 10, 9, 10, 250000, tzinfo=UTC)
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 24, 40, 125000, tzinfo=UTC)
    assert row["ttd_seconds"] == 130.25
    assert row["ttr_seconds"] == 1060.125


# --- acknowledged / identified / mitigated -----------------------------------------


@pytest.mark.parametrize(
    "status", ["acknowledged", "identified", "mitigated", "resolved", "closed"]
)
def test_acknowledged_by_any_ack_status(status: str) -> None:
    """A fires 10:00; T opened 10:01; T <status> 10:04 -> acknowledged 10:04, tta 240 s."""
    row = only(run([fire("A", 0), tkt("T", "opened", 1), tkt("T", status, 4)]))
    assert row["acknowledged_at"] == datetime(2026, 3, 2, 10, 4, tzinfo=UTC)
    assert row["tta_seconds"] == 240.0


@pytest.mark.parametrize("status", ["opened", "reopened"])
def test_opening_ticket_status_is_not_an_acknowledgement(status: str) -> None:
    """A fires 10:00; T opened/reopened 10:01 -> acknowledged_at / tta empty."""
    row = only(run([fire("A", 0), tkt("T", status, 1)]))
    assert row["acknowledged_at"] is None
    assert row["tta_seconds"] is None


def test_acknowledged_and_identified_are_earliest_over_tickets() -> None:
    """A 10:00; T opened 10:01; U identified 10:04; T acknowledged 10:06; T identified 10:09.

    acknowledged = min(10:04, 10:06, 10:09) = 10:04 -> tta 240 s;
    identified = min(10:04, 10:09) = 10:04 -> tti 240 s.
    """
    row = only(
        run(
            [
                fire("A", 0),
                tkt("T", "opened", 1),
                tkt("U", "identified", 4),
                tkt("T", "acknowledged", 6),
                tkt("T", "identified", 9),
            ]
        )
    )
    assert row["acknowledged_at"] == datetime(2026, 3, 2, 10, 4, tzinfo=UTC)
    assert row["identified_at"] == datetime(2026, 3, 2, 10, 4, tzinfo=UTC)
    assert row["tta_seconds"] == 240.0
    assert row["tti_seconds"] == 240.0


def test_identified_only_from_identified_status() -> None:
    """A 10:00 (starts_at 09:58); T acknowledged 10:02, mitigated 10:05, identified 10:07.

    detected 10:00 -> tta 120 s, tti 420 s; started 09:58 -> ttm = 10:05 - 09:58 = 420 s.
    """
    row = only(
        run(
            [
                fire("A", 0, starts_at="2026-03-02T09:58:00Z"),
                tkt("T", "acknowledged", 2),
                tkt("T", "mitigated", 5),
                tkt("T", "identified", 7),
            ]
        )
    )
    assert row["identified_at"] == datetime(2026, 3, 2, 10, 7, tzinfo=UTC)
    assert row["tti_seconds"] == 420.0
    assert row["tta_seconds"] == 120.0
    assert row["mitigated_at"] == datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    assert row["ttm_seconds"] == 420.0


@pytest.mark.parametrize(
    ("kind", "status", "mitigated"),
    [
        ("rollback", "succeeded", datetime(2026, 3, 2, 10, 7, tzinfo=UTC)),
        ("hotfix", "succeeded", datetime(2026, 3, 2, 10, 7, tzinfo=UTC)),
        ("remediation", "succeeded", datetime(2026, 3, 2, 10, 7, tzinfo=UTC)),
        ("release", "succeeded", None),
        ("config", "succeeded", None),
        ("rollback", "failed", None),
        ("rollback", "started", None),
        ("remediation", "failed", None),
        ("remediation", "started", None),
    ],
)
def test_mitigated_by_succeeded_rollback_hotfix_or_remediation_only(
    kind: str, status: str, mitigated: datetime | None
) -> None:
    """A 10:00-10:20; deploy <kind> <status> 10:07 -> mitigated 10:07 (ttm 420 s) or none."""
    row = only(run([fire("A", 0), dep("d", 7, kind=kind, status=status), clear("A", 20)]))
    assert row["mitigated_at"] == mitigated
    assert row["ttm_seconds"] == (420.0 if mitigated else None)


def test_mitigated_is_earliest_of_ticket_and_repair_deploy() -> None:
    """A 10:00; T mitigated 10:09; hotfix succeeded 10:06; A resolved 10:20.

    mitigated = min(10:09, 10:06) = 10:06 -> ttm 360 s.
    """
    row = only(
        run([fire("A", 0), tkt("T", "mitigated", 9), dep("h", 6, kind="hotfix"), clear("A", 20)])
    )
    assert row["mitigated_at"] == datetime(2026, 3, 2, 10, 6, tzinfo=UTC)
    assert row["ttm_seconds"] == 360.0


def test_repair_windows_start_after_started_at() -> None:
    """A occurred 10:05 with starts_at 10:00; rollbacks at 10:00:00.000 and 10:00:00.001.

    A deploy at started_at is a cause, never a repair: the 10:00 rollback is the
    cause (latest in [09:00, 10:00]) and does not mitigate; the one 1 ms later
    mitigates (ttm 0.001 s). The fix window starts at detected 10:05: no fix.
    """
    row = only(
        run(
            [
                dep("rb-start", 0, kind="rollback"),
                dep("rb-after", 0, seconds=0.001, kind="rollback"),
                fire("A", 5, starts_at="2026-03-02T10:00:00Z"),
                clear("A", 20),
            ]
        )
    )
    assert row["cause_deploy_id"] == "rb-start"
    assert row["mitigated_at"] == datetime(2026, 3, 2, 10, 0, 0, 1000, tzinfo=UTC)
    assert row["ttm_seconds"] == 0.001
    assert row["fix_deploy_id"] is None


def test_mitigation_window_ends_at_resolved_at_inclusive() -> None:
    """A 10:00, resolved 10:20:00.000; rollback at 10:20:00.000 mitigates (ttm 1200 s);
    a hotfix at 10:20:00.001 (after resolution, in quiet) would not.
    """
    at_end = only(run([fire("A", 0), clear("A", 20), dep("rb", 20, kind="rollback")]))
    assert at_end["mitigated_at"] == datetime(2026, 3, 2, 10, 20, tzinfo=UTC)
    assert at_end["ttm_seconds"] == 1200.0
    assert at_end["fix_deploy_id"] == "rb"
    after = only(run([fire("A", 0), clear("A", 20), dep("hf", 20, seconds=0.001, kind="hotfix")]))
    assert after["mitigated_at"] is None
    assert after["ttm_seconds"] is None
    assert after["fix_deploy_id"] is None
    assert after["event_count"] == 3  # the hotfix joins in the quiet period
