"""An incident's fields: timestamps, durations, severity, links (docs/incident-model.md, "Fields").

Expected values are worked out by hand from the spec; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``) unless written out.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.engine.correlate import EngineConfig
from streams.engine.incident import Windows, derive, incident_id
from streams.engine.segment import Segment
from streams.settings import project_root
from tests.support.engine import Engine, by_start, clear, dep, fire, member, only, run, tkt
from tests.support.factories import at

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
        "started_at": datetime(2026, 3, 2, 10, 7, tzinfo=UTC),
        "detected_at": datetime(2026, 3, 2, 10, 9, 10, tzinfo=UTC),
        "acknowledged_at": datetime(2026, 3, 2, 10, 13, 5, tzinfo=UTC),
        "identified_at": None,
        "mitigated_at": datetime(2026, 3, 2, 10, 21, tzinfo=UTC),
        "resolved_at": datetime(2026, 3, 2, 10, 24, 40, tzinfo=UTC),
        "ttd_seconds": 130.0,
        "tta_seconds": 235.0,
        "tti_seconds": None,
        "ttm_seconds": 840.0,
        "ttr_seconds": 1060.0,
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
        ("release", "succeeded", None),
        ("config", "succeeded", None),
        ("rollback", "failed", None),
        ("rollback", "started", None),
    ],
)
def test_mitigated_by_succeeded_rollback_or_hotfix_only(
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


# --- durations: null, clamp --------------------------------------------------------


def test_durations_null_when_timestamps_missing() -> None:
    """An open alert incident with no tickets: only ttd (0 s) is set."""
    row = only(run([fire("A", 0)]))
    assert row["ttd_seconds"] == 0.0
    assert row["tta_seconds"] is None
    assert row["tti_seconds"] is None
    assert row["ttm_seconds"] is None
    assert row["ttr_seconds"] is None
    assert row["acknowledged_at"] is None
    assert row["identified_at"] is None
    assert row["mitigated_at"] is None
    assert row["status"] == "open"


def test_negative_ttd_and_ttr_are_clamped_and_flagged() -> None:
    """A occurred 10:00 with starts_at 10:02 (producer clock skew); resolved 10:01.

    started 10:02, detected 10:00 -> ttd -120 s -> 0.0 + ttd_negative_clamped;
    resolved 10:01 - started 10:02 = -60 s -> 0.0 + ttr_negative_clamped.
    """
    row = only(run([fire("A", 0, starts_at="2026-03-02T10:02:00Z"), clear("A", 1)]))
    assert row["started_at"] == datetime(2026, 3, 2, 10, 2, tzinfo=UTC)
    assert row["detected_at"] == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert row["ttd_seconds"] == 0.0
    assert row["ttr_seconds"] == 0.0
    assert row["quality_flags"] == ["ttd_negative_clamped", "ttr_negative_clamped"]


def test_negative_ttm_is_clamped_and_flagged() -> None:
    """A occurred 10:00 with starts_at 10:05; T mitigated 10:02 -> ttm -180 s -> 0.0."""
    row = only(run([fire("A", 0, starts_at="2026-03-02T10:05:00Z"), tkt("T", "mitigated", 2)]))
    assert row["ttm_seconds"] == 0.0
    assert row["tta_seconds"] == 120.0  # acknowledged 10:02 - detected 10:00
    assert row["quality_flags"] == ["ttd_negative_clamped", "ttm_negative_clamped"]


def test_derive_guards_tta_and_tti_of_a_hand_built_segment() -> None:
    """derive() on a hand-built segment: T acknowledged 10:00 and identified 10:01, A fired 10:05.

    tta = 10:00 - 10:05 = -300 s -> 0.0, tti = -240 s -> 0.0, both flagged. The
    engine never builds such a segment (next test).
    """
    seg = Segment(declared=False)
    for event in [tkt("T", "acknowledged", 0), tkt("T", "identified", 1), fire("A", 5)]:
        seg.add(member(event), may_hold=True)
    fields = derive(
        seg, [], "checkout", "production", Windows(quiet_ms=600_000, suspect_ms=3_600_000)
    )
    assert fields["tta_seconds"] == 0.0
    assert fields["tti_seconds"] == 0.0
    assert fields["quality_flags"] == ["tta_negative_clamped", "tti_negative_clamped"]
    assert fields["detected_at"] == 1_772_445_600_000 + 300_000  # 10:05 in epoch ms
    assert fields["acknowledged_at"] == 1_772_445_600_000  # 10:00


def test_tta_and_tti_are_never_clamped_through_the_engine() -> None:
    """T acknowledged 10:00 and identified 10:01 before A fires 10:05: no members (nothing
    was open), so acknowledged/identified stay empty and no flag is set. U acknowledged
    at A's very millisecond sorts after the firing: a member, tta 0 without a flag.
    """
    before = only(run([tkt("T", "acknowledged", 0), tkt("T", "identified", 1), fire("A", 5)]))
    assert before["acknowledged_at"] is None
    assert before["identified_at"] is None
    assert before["quality_flags"] == []
    same_ms = only(run([tkt("U", "acknowledged", 5, event_id="a-first"), fire("A", 5)]))
    assert same_ms["tta_seconds"] == 0.0
    assert same_ms["quality_flags"] == []


SKEWED = "2026-03-02T10:02:00Z"  # starts_at 2 min after the alert's occurred_at 10:00


@pytest.mark.parametrize(
    ("events", "flags", "durations"),
    [
        pytest.param(
            [fire("A", 0, starts_at=SKEWED)],
            ["ttd_negative_clamped"],
            {"ttd_seconds": 0.0},
            id="ttd",
        ),  # fmt: skip
        pytest.param(
            [fire("A", 0, starts_at=SKEWED), tkt("T", "mitigated", 1)],
            ["ttd_negative_clamped", "ttm_negative_clamped"],
            {"ttd_seconds": 0.0, "ttm_seconds": 0.0, "tta_seconds": 60.0},
            id="ttm",
        ),  # fmt: skip
        pytest.param(
            [fire("A", 0, starts_at=SKEWED), clear("A", 1)],
            ["ttd_negative_clamped", "ttr_negative_clamped"],
            {"ttd_seconds": 0.0, "ttr_seconds": 0.0},
            id="ttr",
        ),  # fmt: skip
    ],
)
def test_clamp_flags_come_only_from_starts_at_after_occurred_at(
    events: list[dict[str, object]], flags: list[str], durations: dict[str, float]
) -> None:
    """The spec's table: A occurred 10:00 with starts_at 10:02 -> started 10:02 > detected 10:00.

    ttd -120 s; T mitigated 10:01 -> ttm -60 s (tta +60 s); A resolved 10:01 -> ttr -60 s.
    Each clamped to 0 and flagged, always together with ttd_negative_clamped.
    """
    row = only(run(events))
    assert row["quality_flags"] == flags
    for name, value in durations.items():
        assert row[name] == value, name


def test_declared_incident_never_gets_a_clamp_flag() -> None:
    """T opened 10:00 declares; A fires 10:01 with starts_at 10:03 (later than occurred).

    started = min(10:00 ticket, 10:03) = 10:00 = detected: ttd 0, no flag;
    A resolved 10:02 -> ttr 120 s.
    """
    row = only(
        run([tkt("T", "opened", 0), fire("A", 1, starts_at="2026-03-02T10:03:00Z"), clear("A", 2)])
    )
    assert row["ttd_seconds"] == 0.0
    assert row["ttr_seconds"] == 120.0
    assert row["quality_flags"] == []


FLAG_NAMES = [f"{name}_negative_clamped" for name in ("ttd", "tta", "tti", "ttm", "ttr")]


TICKET_STATUSES = (
    "opened", "acknowledged", "identified", "mitigated", "resolved", "closed", "reopened",
)  # fmt: skip


@st.composite
def _histories(draw: st.DrawFn) -> list[dict[str, object]]:
    """1-8 events (plus resolutions, mitigations) of one key within 26 whole minutes.

    Ties are likely and nothing is late; event and deploy ids are unique. A firing
    alert's starts_at is often its occurred_at, else up to 5 min before or after it
    (clock skew); it is often resolved or mitigated (by a ticket) soon after.
    """
    events: list[dict[str, object]] = []
    for n in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(("alert", "alert", "ticket", "deploy")))
        minute = draw(st.integers(0, 20))
        subject = draw(st.integers(0, 2))
        if kind == "alert" and draw(st.booleans()):
            skew = draw(st.sampled_from((0, 0, -120, 120)) | st.integers(-300, 300))
            starts_at = at(minute, seconds=skew)
            events.append(fire(f"A{subject}", minute, starts_at=starts_at, event_id=f"e{n}"))
            resolve_after = draw(st.none() | st.integers(0, 6))  # minutes, often soon
            if resolve_after is not None:
                events.append(clear(f"A{subject}", minute + resolve_after, event_id=f"r{n}"))
            mitigate_after = draw(st.none() | st.integers(0, 3))  # a ticket mitigated soon
            if mitigate_after is not None:
                events.append(tkt("TM", "mitigated", minute + mitigate_after, event_id=f"m{n}"))
        elif kind == "alert":
            events.append(clear(f"A{subject}", minute, event_id=f"e{n}"))
        elif kind == "ticket":
            status = draw(st.sampled_from(TICKET_STATUSES))
            events.append(tkt(f"T{subject}", status, minute, event_id=f"e{n}"))
        else:
            repair = ("release", "rollback", "hotfix")[subject]
            events.append(dep(f"d{n}", minute, kind=repair, event_id=f"e{n}"))
    return events


@settings(max_examples=200, deadline=None, derandomize=True)
@given(events=_histories())
def test_clamp_flags_only_with_started_after_detected_never_tta_tti(
    events: list[dict[str, object]],
) -> None:
    """For any history: flags are a sub-list of the five names in their order; tta/tti
    are never clamped; ttm/ttr clamps come only with the ttd clamp, which is set exactly
    when started_at > detected_at; a declared incident has no flag; and no deploy is
    both the cause and the fix.
    """
    declared = {
        incident_id("checkout", "production", str(e["event_id"]))
        for e in events
        if e["type"] == "ticket"
    }
    for row in run(events).values():
        flags = row["quality_flags"]
        assert flags == [f for f in FLAG_NAMES if f in flags]
        assert "tta_negative_clamped" not in flags
        assert "tti_negative_clamped" not in flags
        assert ("ttd_negative_clamped" in flags) == (row["started_at"] > row["detected_at"])
        if "ttm_negative_clamped" in flags or "ttr_negative_clamped" in flags:
            assert "ttd_negative_clamped" in flags
        if row["incident_id"] in declared or row["alert_count"] == 0:
            assert flags == []
        if row["cause_deploy_id"] is not None:
            assert row["cause_deploy_id"] != row["fix_deploy_id"]


def test_clamp_flag_names_in_docs_sql_grafana_match_the_code() -> None:
    """Every `*_negative_clamped` string in docs/, sql/, grafana/, streams/ and the README is
    one the code emits (``<ttd|tta|tti|ttm|ttr>_negative_clamped``, not ``ttd_seconds_...``),
    and docs/incident-model.md lists all five.
    """
    root = project_root()
    files = [root / "README.md"]
    for folder in ("docs", "sql", "grafana", "streams"):
        suffixes = (".md", ".sql", ".json", ".py")
        files += [p for p in (root / folder).rglob("*") if p.suffix in suffixes]
    pattern = re.compile(r"[\w<>]*_negative_clamped")
    texts = [f.read_text(encoding="utf-8") for f in files]
    code = (root / "streams" / "engine" / "incident.py").read_text(encoding="utf-8")
    assert 'f"{name}_negative_clamped"' in code  # name is one of ttd, tta, tti, ttm, ttr
    texts = [t.replace('f"{name}_negative_clamped"', "") for t in texts]
    found = {m.group() for text in texts for m in pattern.finditer(text)}
    assert found <= set(FLAG_NAMES), sorted(found - set(FLAG_NAMES))
    spec = (root / "docs" / "incident-model.md").read_text(encoding="utf-8")
    assert [f for f in FLAG_NAMES if f"`{f}`" in spec] == FLAG_NAMES


# --- severity / category / title / ids / counts ------------------------------------


@pytest.mark.parametrize(
    ("events", "severity"),
    [
        pytest.param(
            [fire("A", 0, severity="low"), tkt("T", "opened", 1, severity="critical")],
            "critical",
            id="ticket-critical-beats-alert-low",
        ),  # fmt: skip
        pytest.param(
            [fire("A", 0, severity="medium"), fire("B", 1, severity="high")],
            "high",
            id="max-over-alerts",
        ),  # fmt: skip
        pytest.param(
            [fire("A", 0, severity="critical"), fire("B", 1, severity="low")],
            "critical",
            id="first-alert-critical",
        ),  # fmt: skip
        pytest.param(
            [fire("A", 0, severity="low"), clear("A", 5, severity="critical")],
            "low",
            id="resolved-alert-severity-ignored",
        ),  # fmt: skip
        pytest.param(
            [tkt("T", "opened", 0), tkt("T", "acknowledged", 1, severity="high")],
            "high",
            id="later-ticket-event-severity",
        ),  # fmt: skip
        pytest.param([tkt("T", "opened", 0, severity="low")], "low", id="declared-low"),
        pytest.param([tkt("T", "opened", 0)], "medium", id="no-severity-medium"),
    ],
)
def test_severity_is_highest_of_firing_alerts_and_tickets(
    events: list[dict[str, object]], severity: str
) -> None:
    """critical > high > medium > low over firing alerts and ticket events; medium if none."""
    assert only(run(events))["severity"] == severity


@pytest.mark.parametrize(
    ("events", "category"),
    [
        pytest.param(
            [fire("A", 0, category="performance"), fire("B", 1, category="security")],
            "security",
            id="any-security-wins",
        ),  # fmt: skip
        pytest.param(
            [fire("A", 0, category="performance"), fire("B", 1, category="other")],
            "performance",
            id="first-firing-alert",
        ),  # fmt: skip
        pytest.param(
            [fire("A", 0, category="other"), clear("S", 1, category="security")],
            "other",
            id="resolved-security-alert-ignored",
        ),  # fmt: skip
        pytest.param([tkt("T", "opened", 0)], "availability", id="declared-without-alerts"),
        pytest.param(
            [tkt("T", "opened", 0), fire("A", 1, category="performance")],
            "performance",
            id="declared-with-alert",
        ),  # fmt: skip
    ],
)
def test_category(events: list[dict[str, object]], category: str) -> None:
    """security if any firing alert is; else the first firing alert's; else availability."""
    assert only(run(events))["category"] == category


def test_title_first_ticket_title_over_alert_name() -> None:
    """A (HighErrorRate) 10:00; T opened 10:01 "Checkout 5xx"; U opened 10:02 "Payments slow"."""
    row = only(
        run(
            [
                fire("A", 0, name="HighErrorRate"),
                tkt("T", "opened", 1, title="Checkout 5xx"),
                tkt("U", "opened", 2, title="Payments slow"),
            ]
        )
    )
    assert row["title"] == "Checkout 5xx"


def test_title_first_firing_alert_name_without_ticket_titles() -> None:
    """A (High5xx) 10:00, B (Latency) 10:01, untitled T 10:02 -> "High5xx".

    The spec says "the first ticket title"; an untitled ticket is skipped.
    """
    row = only(
        run([fire("A", 0, name="High5xx"), fire("B", 1, name="Latency"), tkt("T", "opened", 2)])
    )
    assert row["title"] == "High5xx"


def test_title_skips_untitled_first_ticket() -> None:
    """T opened 10:00 without title, U opened 10:01 "DB failover" -> "DB failover"."""
    row = only(run([tkt("T", "opened", 0), tkt("U", "opened", 1, title="DB failover")]))
    assert row["title"] == "DB failover"


def test_alert_ids_distinct_fired_ticket_ids_distinct_event_count() -> None:
    """A fires 10:00 and again 10:01; B fires 10:02; C resolved 10:03 (never fired);
    T opened 10:04, acknowledged 10:05; U identified 10:06; deploy started 10:07,
    succeeded 10:08.

    alert_ids [A, B] (count 2); ticket_ids [T, U]; event_count 9 (deploys included).
    """
    row = only(
        run(
            [
                fire("B", 2),
                fire("A", 0),
                fire("A", 1),
                clear("C", 3),
                tkt("U", "identified", 6),
                tkt("T", "opened", 4),
                tkt("T", "acknowledged", 5),
                dep("d", 7, status="started"),
                dep("d", 8),
            ]
        )
    )
    assert row["alert_ids"] == ["A", "B"]
    assert row["alert_count"] == 2
    assert row["ticket_ids"] == ["T", "U"]
    assert row["event_count"] == 9


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
