"""An incident's deploy links: the cause and the fix (with its repair action).

docs/incident-model.md, "Fields" (``cause_deploy_id``, ``fix_deploy_id``,
``repair_action``) and "A deploy at exactly ``started_at`` is a cause, never
a repair". Mitigation by a rollback or hotfix is in test_incident_timestamps.py.

Expected values are worked out by hand from the spec; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``) unless written out.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from streams.engine.correlate import EngineConfig
from tests.support.engine import Engine, by_start, clear, dep, fire, only, run

# --- deploy linkage -------------------------------------------------------------------


def test_cause_is_latest_succeeded_deploy_in_suspect_window() -> None:
    """A fires 10:00. Deploys: d1 ok 09:10, d2 ok 09:40, d3 failed 09:50, d4 started 09:55.

    Window [09:00, 10:00]; succeeded: d1, d2 -> latest d2. None is a member.
    """
    row = only(
        run(
            [
                dep("d1", -50),
                dep("d2", -20),
                dep("d3", -10, status="failed"),
                dep("d4", -5, status="started"),
                fire("A", 0),
            ]
        )
    )
    assert row["cause_deploy_id"] == "d2"
    assert row["event_count"] == 1


def test_cause_window_start_is_inclusive() -> None:
    """A fires 10:00; deploy at exactly 09:00:00.000 (= 10:00 - 60 min) -> cause."""
    row = only(run([dep("edge", -60), fire("A", 0)]))
    assert row["cause_deploy_id"] == "edge"


def test_deploy_just_outside_cause_window_ignored() -> None:
    """A fires 10:00; deploy at 08:59:59.999 (1 ms before 09:00) -> no cause."""
    row = only(run([dep("old", -60, seconds=-0.001), fire("A", 0)]))
    assert row["cause_deploy_id"] is None


@pytest.mark.parametrize("kind", ["release", "rollback"])
def test_deploy_at_started_at_is_the_cause_not_the_fix(kind: str) -> None:
    """The spec's example: A fires 10:00:00.000 (ttd 0); d1 (<kind>) succeeded 10:00:00.000,
    rollback d2 succeeded 10:00:00.001; A resolved 10:05.

    d1 is in the cause window [09:00, 10:00] (end included) -> cause; fix and
    mitigation need a time after started_at -> fix d2 (rollback), mitigated
    10:00:00.001, ttm 0.001 s. Both deploys join (a firing sorts first).
    """
    row = only(
        run([fire("A", 0), dep("d1", 0, kind=kind), dep("d2", 0, seconds=0.001, kind="rollback"),
             clear("A", 5)])
    )  # fmt: skip
    assert row["ttd_seconds"] == 0.0
    assert row["cause_deploy_id"] == "d1"
    assert row["fix_deploy_id"] == "d2"
    assert row["repair_action"] == "rollback"
    assert row["mitigated_at"] == datetime(2026, 3, 2, 10, 0, 0, 1000, tzinfo=UTC)
    assert row["ttm_seconds"] == 0.001
    assert row["event_count"] == 4


def test_deploy_at_started_at_alone_is_cause_and_no_fix() -> None:
    """A fires 10:00 (ttd 0); release d at 10:00:00.000; A resolved 10:05 -> cause d, no fix."""
    row = only(run([fire("A", 0), dep("d", 0), clear("A", 5)]))
    assert row["cause_deploy_id"] == "d"
    assert row["fix_deploy_id"] is None
    assert row["repair_action"] is None
    assert row["event_count"] == 3


def test_fix_window_starts_at_detected_at_inclusive_when_ttd_positive() -> None:
    """A occurred 10:05 with starts_at 10:00 (ttd 300 s); release d at 10:05:00.000.

    d is after started_at and in [detected 10:05, resolved 10:20] -> fix (a release:
    no mitigation); not in the cause window [09:00, 10:00].
    """
    row = only(run([fire("A", 5, starts_at="2026-03-02T10:00:00Z"), dep("d", 5), clear("A", 20)]))
    assert row["fix_deploy_id"] == "d"
    assert row["repair_action"] == "release"
    assert row["cause_deploy_id"] is None
    assert row["mitigated_at"] is None


def test_cause_window_is_relative_to_started_at() -> None:
    """A occurred 10:30 with starts_at 10:00; deploys at 09:05 and 10:10.

    Cause window [09:00, 10:00] -> 09:05. The 10:10 deploy is after started (no
    cause) and before detected 10:30 (no fix).
    """
    row = only(
        run(
            [dep("d-0905", -55), dep("d-1010", 10), fire("A", 30, starts_at="2026-03-02T10:00:00Z")]
        )
    )
    assert row["cause_deploy_id"] == "d-0905"
    assert row["fix_deploy_id"] is None


def test_suspect_window_is_configurable() -> None:
    """Suspect 30 min: A fires 10:00; deploy 09:29:59.999 ignored, 09:30:00.000 is the cause."""
    config = EngineConfig(suspect_ms=1_800_000)
    assert (
        only(run([dep("d", -30, seconds=-0.001), fire("A", 0)], config))["cause_deploy_id"] is None
    )
    assert only(run([dep("d", -30), fire("A", 0)], config))["cause_deploy_id"] == "d"


def test_fix_is_first_succeeded_deploy_in_detected_resolved() -> None:
    """A 10:00-10:20; failed hotfix 10:03, config ok 10:05, rollback ok 10:08, release ok 10:25.

    Fix: first succeeded in [10:00, 10:20] -> config deploy (repair_action config);
    mitigated by the rollback 10:08 (ttm 480 s); the 10:25 release (in quiet) is no fix.
    """
    row = only(
        run(
            [
                fire("A", 0),
                dep("hf", 3, kind="hotfix", status="failed"),
                dep("cfg", 5, kind="config"),
                dep("rb", 8, kind="rollback"),
                clear("A", 20),
                dep("rel", 25),
            ]
        )
    )
    assert row["fix_deploy_id"] == "cfg"
    assert row["repair_action"] == "config"
    assert row["mitigated_at"] == datetime(2026, 3, 2, 10, 8, tzinfo=UTC)
    assert row["ttm_seconds"] == 480.0


def test_fix_of_open_incident() -> None:
    """A fires 10:00 and is still firing; hotfix succeeded 10:12 -> fix (window open-ended)."""
    row = only(run([fire("A", 0), dep("hf", 12, kind="hotfix")]))
    assert row["status"] == "open"
    assert row["fix_deploy_id"] == "hf"
    assert row["repair_action"] == "hotfix"
    assert row["mitigated_at"] == datetime(2026, 3, 2, 10, 12, tzinfo=UTC)
    assert row["ttm_seconds"] == 720.0


def test_deploys_arriving_after_incident_opened_still_link() -> None:
    """A 10:00-10:20 arrives first; then release 09:30 (cause) and rollback 10:10 (fix).

    Watermark 10:20, horizon 09:20: both deploys are within the lateness and applied,
    each writing a new version: cause 09:30 in [09:00, 10:00]; fix/mitigation 10:10.
    """
    engine = Engine()
    engine.feed([fire("A", 0), clear("A", 20)])
    assert only(engine.rows())["version"] == 2
    cause_out = engine.send(dep("rel-late", -30))
    assert [r["version"] for r in cause_out.rows] == [3]
    fix_out = engine.send(dep("rb-late", 10, kind="rollback"))
    assert [r["version"] for r in fix_out.rows] == [4]
    row = only(engine.rows())
    assert row["cause_deploy_id"] == "rel-late"
    assert row["fix_deploy_id"] == "rb-late"
    assert row["repair_action"] == "rollback"
    assert row["mitigated_at"] == datetime(2026, 3, 2, 10, 10, tzinfo=UTC)
    assert row["event_count"] == 3  # the rollback joins, the release does not


def test_deploys_of_another_service_do_not_link() -> None:
    """checkout A 10:00-10:20; payments rollback 09:50 and 10:05 -> no cause, fix or mitigation."""
    rows = run(
        [
            dep("p1", -10, kind="rollback", service="payments"),
            fire("A", 0),
            dep("p2", 5, kind="rollback", service="payments"),
            clear("A", 20),
        ]
    )
    row = only(rows)
    assert row["cause_deploy_id"] is None
    assert row["fix_deploy_id"] is None
    assert row["mitigated_at"] is None
    assert row["event_count"] == 2


def test_deploy_between_incidents_links_only_where_windows_cover_it() -> None:
    """X: A 10:00-10:05. Release d 10:30 (outside X and its quiet). Y: B fires 10:40.

    d is no member of either; it is Y's cause (10:30 in [09:40, 10:40]) and not X's fix.
    """
    x, y = by_start(run([fire("A", 0), clear("A", 5), dep("d", 30), fire("B", 40)]))
    assert x["fix_deploy_id"] is None
    assert x["cause_deploy_id"] is None
    assert x["event_count"] == 2
    assert y["cause_deploy_id"] == "d"
    assert y["event_count"] == 1
