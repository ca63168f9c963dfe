"""The review ledger: a postmortem weeks later still reviews a finished, dropped incident.

A finished incident with tickets dropped from state stays reviewable in the
key's review ledger until the horizon passes its review or its review
retention; reviews give the same rows in any arrival order within the
lateness, on every engine path. docs/incident-model.md, "Review (postmortem)",
rule 4; the rules in state: ``test_review.py``.

Expected values are worked out by hand; times are minutes after 10:00:00Z on
2026-03-02 (``BASE_TIME``) unless written out; ``DAY`` is a day in minutes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.engine.correlate import EngineConfig
from streams.engine.incident import incident_id
from tests.support.engine import (
    DAY,
    Engine,
    clear,
    dep,
    fire,
    member,
    only,
    run,
    stable_rows,
    tkt,
)
from tests.support.engine_pair import PATHS, Pair, engine_paths

X = incident_id("checkout", "production", "rv-a1")


def _resolved_x() -> list[dict[str, Any]]:
    """X: alert A fires 10:00 (rv-a1), ticket T opened 10:01, A resolved 10:05 (v1-v3)."""
    return [fire("A", 0, event_id="rv-a1"), tkt("T", "opened", 1), clear("A", 5)]


def _dropped_x() -> Engine:
    """X, then a deploy started on day 8: X completed (v4) and dropped into the ledger."""
    engine = Engine()
    engine.feed(_resolved_x())
    engine.send(dep("d", 8 * DAY, status="started", event_id="rv-d"))
    return engine


# --- weeks later: the ledger ------------------------------------------------------------------


def test_postmortem_three_weeks_later_reviews_the_dropped_incident() -> None:
    """Day 8: horizon day 8 09:00 > 10:05 + 10 min and 10:05 + 7 d < day 8 10:00: X leaves
    the state (v4, completed) for the ledger (it has ticket T, no review yet).

    T postmortem on day 21 (2026-03-23 10:00) -> v5: reviewed_at 2026-03-23 10:00,
    time_to_review = 21 d - 5 min = 1,814,100 s; nothing else changes (event_count 3).
    """
    engine = _dropped_x()
    state = engine.state()
    assert [m["event_id"] for m in state["members"]] == ["rv-d"]
    assert list(state["reviews"]) == [X]
    before = only(engine.rows())
    assert (before["version"], before["completed"], before["reviewed_at"]) == (4, 1, None)
    outputs = engine.send(tkt("T", "postmortem", 21 * DAY))
    assert [(r["incident_id"], r["version"]) for r in outputs.rows] == [(X, 5)]
    row = only(engine.rows())
    assert row["reviewed_at"] == datetime(2026, 3, 23, 10, 0, tzinfo=UTC)
    assert row["time_to_review_seconds"] == 1_814_100.0
    assert row["quality_flags"] == []
    unchanged = ("reviewed_at", "time_to_review_seconds", "version", "updated_at")
    assert {k: v for k, v in row.items() if k not in unchanged} == {
        k: v for k, v in before.items() if k not in unchanged
    }
    assert row["event_count"] == 3


def test_ledger_entry_stays_until_the_horizon_passes_reviewed_at() -> None:
    """After the day-21 review the entry is kept (an earlier review within the lateness may
    still come); a deploy at day 21 11:01 moves the horizon to 10:01 > 10:00: it goes."""
    engine = _dropped_x()
    engine.send(tkt("T", "postmortem", 21 * DAY))
    assert list(engine.state()["reviews"]) == [X]
    engine.send(dep("d", 21 * DAY + 61, status="started"))
    assert engine.state()["reviews"] == {}
    assert engine.state()["review_floor"] is None


@pytest.mark.parametrize("order", ["late first", "early first"])
def test_two_postmortems_in_any_order_earliest_wins(order: str) -> None:
    """Reviews at day 21 10:00 (P1) and 10:30 (P2), both within the lateness of each other.

    P2 first: v5 reviewed 10:30, then P1 lowers it: v6 reviewed 10:00. P1 first: v5
    reviewed 10:00, P2 changes nothing (no row). Either way reviewed_at = 10:00.
    """
    engine = _dropped_x()
    early, late = tkt("T", "postmortem", 21 * DAY), tkt("T", "postmortem", 21 * DAY + 30)
    first, second = (late, early) if order == "late first" else (early, late)
    versions = [[r["version"] for r in engine.send(e).rows] for e in (first, second)]
    assert versions == ([[5], [6]] if order == "late first" else [[5], []])
    assert only(engine.rows())["reviewed_at"] == datetime(2026, 3, 23, 10, 0, tzinfo=UTC)


def test_ledger_expires_after_the_review_retention() -> None:
    """Review retention 30 days: X resolved 10:05 may be reviewed up to day 30 10:05.

    A postmortem at day 30 10:06 (the entry is still there: horizon 09:06) is too late:
    no row. One at exactly day 30 10:05 reviews it (v5, 2,592,000 s). A deploy at
    day 30 11:06 (horizon 10:06 > 10:05) then drops the entry.
    """
    config = EngineConfig(review_retention_ms=30 * 86_400_000)
    engine = Engine(config)
    engine.feed(_resolved_x())
    engine.send(dep("d", 8 * DAY, status="started"))
    assert engine.send(tkt("T", "postmortem", 30 * DAY + 6)).rows == []
    assert list(engine.state()["reviews"]) == [X]
    rows = engine.send(tkt("T", "postmortem", 30 * DAY + 5)).rows
    assert [(r["version"], r["time_to_review_seconds"]) for r in rows] == [(5, 2_592_000.0)]
    engine.send(dep("d", 30 * DAY + 66, status="started"))
    assert engine.state()["reviews"] == {}


def test_unreviewed_entry_expires_and_a_later_postmortem_changes_nothing() -> None:
    """Review retention 30 days, no review: a deploy at day 31 (horizon day 31 09:00 >
    day 30 10:05) drops the entry; T postmortem at day 31 00:10 belongs to no incident."""
    engine = Engine(EngineConfig(review_retention_ms=30 * 86_400_000))
    engine.feed(_resolved_x())
    engine.send(dep("d", 8 * DAY, status="started"))
    engine.send(dep("d", 31 * DAY, status="started"))
    assert engine.state()["reviews"] == {}
    assert engine.send(tkt("T", "postmortem", 31 * DAY + 10)).rows == []
    assert only(engine.rows())["reviewed_at"] is None


def test_incident_without_tickets_is_not_kept_for_a_review() -> None:
    """A alone (10:00-10:05) dropped on day 8: no ticket can review it, no ledger entry."""
    engine = Engine()
    engine.feed([fire("A", 0), clear("A", 5), dep("d", 8 * DAY, status="started")])
    assert engine.state().get("reviews") in (None, {})


def test_review_in_state_never_extends_the_retention() -> None:
    """T postmortem on day 2 joins X in state (v5, reviewed day 2 10:00). X's last event
    for the retention is still 10:05 (reviews left out), so the day-8 deploy drops X, and
    no ledger entry is kept: the horizon (day 8 09:00) passed its reviewed_at."""
    engine = Engine()
    engine.feed(_resolved_x())
    engine.send(dep("d", 1 * DAY, status="started"))  # completes X (v4)
    rows = engine.send(tkt("T", "postmortem", 2 * DAY)).rows
    assert [(r["version"], r["time_to_review_seconds"]) for r in rows] == [(5, 172_500.0)]
    engine.send(dep("d", 8 * DAY, status="started", event_id="rv-d8"))
    assert [m["event_id"] for m in engine.state()["members"]] == ["rv-d8"]
    assert engine.state().get("reviews") in (None, {})


def test_a_later_arriving_event_moves_a_review_from_the_ledger_into_state() -> None:
    """X in the ledger; T postmortem day 21 10:00 reviews it (v5). Then T reopened at day 21
    09:50 arrives (10 min behind, within the lateness): with X gone it declares a new
    incident Y at 09:50, and the postmortem at 10:00 is now Y's (T is Y's member then):
    Y resolved and reviewed 10:00 (0 s), X back to unreviewed (v6), as in time order."""
    engine = _dropped_x()
    engine.send(tkt("T", "postmortem", 21 * DAY))
    engine.send(tkt("T", "reopened", 21 * DAY - 10, event_id="rv-y"))
    rows = engine.rows()
    x, y = rows[X], rows[incident_id("checkout", "production", "rv-y")]
    assert (x["version"], x["reviewed_at"], x["time_to_review_seconds"]) == (6, None, None)
    assert y["reviewed_at"] == y["resolved_at"] == datetime(2026, 3, 23, 10, 0, tzinfo=UTC)
    assert (y["time_to_review_seconds"], y["reopen_count"]) == (0.0, 0)
    in_order = _dropped_x()
    in_order.feed(
        [tkt("T", "reopened", 21 * DAY - 10, event_id="rv-y"), tkt("T", "postmortem", 21 * DAY)]
    )
    assert stable_rows(in_order.rows()) == stable_rows(rows)


# --- both engines ------------------------------------------------------------------------------


@pytest.mark.parametrize("paths", PATHS)
def test_ledger_scenario_matches_the_reference_on_every_path(paths: tuple[int, int]) -> None:
    """The weeks-later scenario with out-of-order reviews, on the small-key and indexed
    paths, gives the reference's rows and state at every step."""
    events = [
        *_resolved_x(),
        dep("d", 8 * DAY, status="started"),
        tkt("T", "postmortem", 21 * DAY + 30),
        tkt("T", "postmortem", 21 * DAY),
        dep("d", 21 * DAY + 95, status="started"),
    ]
    pair = Pair(EngineConfig(), json_roundtrip=True)
    with engine_paths(*paths):
        for event in events:
            pair.send(event)
    assert pair.state is not None and pair.state["reviews"] == {}


# --- properties: any arrival order within the lateness -------------------------------------

LEDGER = EngineConfig(
    quiet_ms=600_000,
    allowed_lateness_ms=1_800_000,
    suspect_ms=2_700_000,
    retention_ms=5_400_000,
    review_retention_ms=6 * 3_600_000,
)  # quiet 10 min, lateness 30 min, suspect 45 min, retention 90 min, reviews 6 h


@st.composite
def _reviewed_histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Twelve hours of one key: incidents with tickets, reviews up to 8 h after them (in
    state, in the ledger, beyond the review retention), reviews of unknown tickets and
    deploys that move the watermark on."""
    events: list[dict[str, Any]] = []
    for n in range(draw(st.integers(1, 5), label="incidents")):
        start = draw(st.integers(0, 600))
        events += [
            fire(f"A{n}", start, name=draw(st.sampled_from(("Latency", "Errors")))),
            tkt(f"T{n}", draw(st.sampled_from(("opened", "acknowledged"))), start + 1),
            clear(f"A{n}", start + draw(st.integers(2, 30))),
        ]
        for _ in range(draw(st.integers(0, 2))):
            later = start + draw(st.integers(0, 480))
            events.append(tkt(f"T{n}", "postmortem", later, seconds=draw(st.integers(0, 59))))
    for _ in range(draw(st.integers(0, 2))):
        events.append(tkt("U", "postmortem", draw(st.integers(0, 720))))
    for minute in sorted(draw(st.lists(st.integers(0, 720), max_size=12))):
        events.append(dep("d", minute, status="started"))
    return events


def _final(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return stable_rows(run(events, LEDGER))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(events=_reviewed_histories(), data=st.data())
def test_reviews_give_the_same_rows_in_any_order_within_the_lateness(
    events: list[dict[str, Any]], data: st.DataObject
) -> None:
    """Sent in time order or shuffled by up to 25 minutes (less than the 30-minute
    lateness: nothing is late), on any engine path: the same current rows, and the
    incremental engine agrees with the reference at every step."""
    in_order = sorted(events, key=lambda e: member(e)["at"])
    rng = data.draw(st.randoms(use_true_random=False))
    shuffled = sorted(events, key=lambda e: member(e)["at"] + rng.randint(0, 1_500_000))
    expected = _final(in_order)
    assert _final(shuffled) == expected
    pair = Pair(LEDGER)
    with engine_paths(*data.draw(st.sampled_from(PATHS), label="paths"), fold_min=4):
        for event in shuffled:
            assert not pair.send(event).late
