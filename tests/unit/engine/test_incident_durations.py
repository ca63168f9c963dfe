"""An incident's durations: null while a timestamp is missing, clamped at 0 with a flag.

docs/incident-model.md, "Fields" (the durations and ``quality_flags`` tables);
a property test checks the flags on random histories of one key.

Expected values are worked out by hand from the spec; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``) unless written out.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.engine.incident import Windows, derive, incident_id
from streams.engine.segment import Segment
from streams.settings import project_root
from tests.support.engine import clear, dep, fire, member, only, run, tkt
from tests.support.factories import at

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


FLAG_NAMES = [
    f"{name}_negative_clamped" for name in ("ttd", "tta", "tti", "ttm", "ttr", "time_to_review")
]  # time_to_review: docs/incident-model.md, "Review (postmortem)"


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
