"""The engine ``apply_event``: forgetting, and the state kept bounded.

Finished incidents are dropped after the retention, the last 20 succeeded
deploys are always kept (and can still be a cause), and the state stays
bounded over a long history. docs/incident-model.md, "Duplicates, lateness,
identity and versions" (point "Forgetting").

Expected values are worked out by hand; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``) unless written out.
"""

from __future__ import annotations

from datetime import UTC, datetime

from streams.engine.correlate import EngineConfig
from streams.engine.incident import incident_id
from tests.support.engine import DAY, Engine, by_start, clear, dep, fire, only, run, tkt

# --- forgetting -----------------------------------------------------------------------------


def test_incident_kept_within_retention_still_updated_days_later() -> None:
    """X: A 10:00-10:05 with T opened 10:01 (v3). A deploy started 6 days later moves
    the watermark past 10:15 -> X completed (v4); X's last event 10:05 is 6 d < 7 d
    old: X is kept, and T closed at day 6 10:30 updates it (v5: event_count 4,
    acknowledged day 6 10:30; a closed ticket does not reopen, so still completed).
    """
    engine = Engine()
    engine.feed([fire("A", 0), tkt("T", "opened", 1), clear("A", 5)])
    completion = engine.send(dep("d", 6 * DAY, status="started"))
    assert [(r["version"], r["completed"]) for r in completion.rows] == [(4, 1)]
    assert len(engine.state()["members"]) == 4
    outputs = engine.send(tkt("T", "closed", 6 * DAY + 30))
    assert [r["version"] for r in outputs.rows] == [5]
    row = only(engine.rows())
    assert row["completed"] == 1
    assert row["event_count"] == 4
    assert row["acknowledged_at"] == datetime(2026, 3, 8, 10, 30, tzinfo=UTC)
    assert row["resolved_at"] == datetime(2026, 3, 2, 10, 5, tzinfo=UTC)


def test_finished_incident_is_forgotten_and_its_ticket_treated_as_unknown() -> None:
    """X: A 10:00-10:05 with T opened 10:01. At day 8 10:00 a deploy started arrives:
    horizon day 8 09:00 > 10:05 + 10 min and 10:05 + 7 d < day 8 10:00 -> X dropped.

    T resolved at day 8 10:10 is a ticket of no incident (no row); T reopened at day 8
    10:20 then declares a NEW incident (reopen_count 0).
    """
    engine = Engine()
    engine.feed([fire("A", 0, event_id="fg-a1"), tkt("T", "opened", 1), clear("A", 5)])
    x = incident_id("checkout", "production", "fg-a1")
    engine.send(dep("d", 8 * DAY, status="started", event_id="fg-d"))
    state = engine.state()
    assert [m["event_id"] for m in state["members"]] == ["fg-d"]
    assert x not in state["emitted"]
    assert engine.send(tkt("T", "resolved", 8 * DAY + 10)).rows == []
    rows = engine.send(tkt("T", "reopened", 8 * DAY + 20, event_id="fg-t3")).rows
    assert len(rows) == 1
    new = rows[0]
    assert new["incident_id"] == incident_id("checkout", "production", "fg-t3")
    assert new["reopen_count"] == 0
    assert new["started_at"] == datetime(2026, 3, 10, 10, 20, tzinfo=UTC)
    assert new["event_count"] == 1


def test_last_20_succeeded_deploys_are_always_kept() -> None:
    """25 succeeded releases hourly from 10:00 (dp-01..dp-25) plus failed/started ones, no
    incidents; then a deploy started 30 days later. Kept: dp-06..dp-25 (the last 20
    succeeded) and the new event; the failed/started deploys and dp-01..05 are gone.
    """
    engine = Engine()
    for i in range(1, 26):
        engine.send(dep(f"d{i}", (i - 1) * 60, event_id=f"dp-{i:02d}"))
        engine.send(dep(f"d{i}", (i - 1) * 60 + 1, status="failed", event_id=f"df-{i:02d}"))
    engine.send(dep("x", 30 * DAY, status="started", event_id="dp-new"))
    kept = [m["event_id"] for m in engine.state()["members"]]
    assert kept == [f"dp-{i:02d}" for i in range(6, 26)] + ["dp-new"]


def test_last_20_deploys_give_cause_to_long_running_condition() -> None:
    """Release 'old' at day 0 10:00; a deploy started at day 30 10:00 moves the watermark
    (horizon day 30 09:00, so 'old' is far outside the suspect window before it, but it is
    one of the last 20 succeeded deploys and is kept).

    A fires at day 30 10:00 with starts_at day 0 10:30: cause window [day 0 09:30,
    day 0 10:30] -> cause 'old'; ttd = 30 d - 30 min = 2_592_000 - 1_800 = 2_590_200 s.
    """
    engine = Engine()
    engine.send(dep("old", 0))
    engine.send(dep("x", 30 * DAY, status="started"))
    assert [m["subject"] for m in engine.state()["members"]] == ["old", "x"]
    engine.send(fire("A", 30 * DAY, starts_at="2026-03-02T10:30:00Z"))
    row = only(engine.rows())
    assert row["started_at"] == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert row["detected_at"] == datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
    assert row["ttd_seconds"] == 2_590_200.0
    assert row["cause_deploy_id"] == "old"


def test_member_deploy_of_forgotten_incident_still_links_as_cause() -> None:
    """Config: retention 1 h, suspect 24 h (quiet 10 min, lateness 1 h).

    X: A 10:00-10:05 with rollback 'rb' 10:03 (a member). A deploy started 14:00
    moves the watermark: horizon 13:00 > 10:15 and 10:05 + 1 h < 14:00 -> X is
    forgotten. B fires 14:10: cause window [03-01 14:10, 03-02 14:10] contains
    'rb' (the latest succeeded deploy, one of the last 20) -> cause 'rb'.
    (Without the 14:00 event the same B row gets cause 'rb'.)
    """
    config = EngineConfig(retention_ms=3_600_000, suspect_ms=86_400_000)
    events = [fire("A", 0), dep("rb", 3, kind="rollback"), clear("A", 5)]
    events += [dep("x", 240, status="started"), fire("B", 250)]
    rows = by_start(run(events, config))
    assert rows[-1]["started_at"] == datetime(2026, 3, 2, 14, 10, tzinfo=UTC)
    assert rows[-1]["cause_deploy_id"] == "rb"


def test_state_stays_bounded_over_long_history() -> None:
    """500 days, one incident a day: release 09:50, A fires 10:00, T<d> opened 10:01,
    A resolved 10:05, T<d> resolved 10:06 (joins in quiet).

    Every incident: ttr 300 s, cause = that day's release, 4 members.
    At the end (watermark day 499 10:06): incidents whose last event (10:06) is
    not older than 7 d are kept: days 492..499 -> 8 x 4 = 32 members; plus the
    last 20 succeeded releases (days 480..499) -> 52 members. 'seen' keeps back to
    the horizon (day 499 09:06): the 5 events of day 499. 'emitted': 8 live ids.
    """
    engine = Engine()
    for d in range(500):
        base = d * DAY
        engine.feed(
            [
                dep(f"rel-{d}", base - 10),
                fire("A", base),
                tkt(f"T{d}", "opened", base + 1),
                clear("A", base + 5),
                tkt(f"T{d}", "resolved", base + 6),
            ]
        )
    state = engine.state()
    assert len(state["members"]) == 52
    assert len(state["seen"]) == 5
    assert len(state["emitted"]) == 8
    rows = by_start(engine.rows())
    assert len(rows) == 500
    assert {r["ttr_seconds"] for r in rows} == {300.0}
    assert {r["event_count"] for r in rows} == {4}
    assert rows[0]["cause_deploy_id"] == "rel-0"
    assert rows[-1]["cause_deploy_id"] == "rel-499"
    assert rows[-1]["started_at"] == datetime(
        2027, 7, 14, 10, 0, tzinfo=UTC
    )  # day 499: +365 d = 2027-03-02, +134 d
