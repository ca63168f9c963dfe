"""Properties of the engine on random small histories of one key.

Order independence (``completed`` included, before and after
``complete_idle``), duplicate insensitivity, and the invariants of every
emitted row. docs/incident-model.md, "Keys and order" and "Duplicates,
lateness, identity and versions". The histories (2-25 events within 50
minutes, nothing late) are ``histories`` in tests/support/strategies.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from schemas.events import SEVERITIES
from streams.engine.members import from_ms
from tests.support.engine import DEFAULT_CONFIG, Engine, member, stable, stable_rows
from tests.support.strategies import PROPERTY, histories

# --- property tests ---------------------------------------------------------------------------

DURATIONS = ("ttd_seconds", "tta_seconds", "tti_seconds", "ttm_seconds", "ttr_seconds")


def check_row(row: dict[str, Any]) -> None:
    """Invariants every emitted (non-deleted) row satisfies."""
    flags = row["quality_flags"]
    for name in DURATIONS:
        assert row[name] is None or row[name] >= 0.0, (name, row)
    assert (row["status"] == "resolved") == (row["resolved_at"] is not None)
    assert row["status"] in ("open", "resolved")
    if row["started_at"] > row["detected_at"]:
        assert "ttd_negative_clamped" in flags
        assert row["ttd_seconds"] == 0.0
    else:
        assert row["ttd_seconds"] == (row["detected_at"] - row["started_at"]).total_seconds()
    if row["resolved_at"] is None:
        assert row["ttr_seconds"] is None
    elif "ttr_negative_clamped" in flags:
        assert row["ttr_seconds"] == 0.0
        assert row["resolved_at"] < row["started_at"]
    else:
        assert row["ttr_seconds"] == (row["resolved_at"] - row["started_at"]).total_seconds()
    assert row["alert_count"] == len(row["alert_ids"])
    assert row["alert_ids"] == sorted(set(row["alert_ids"]))
    assert row["ticket_ids"] == sorted(set(row["ticket_ids"]))
    assert row["event_count"] >= 1
    assert row["alert_count"] + len(row["ticket_ids"]) >= 1  # opened by an alert or a ticket
    assert row["severity"] in SEVERITIES
    assert row["completed"] in (0, 1)
    assert not row["completed"] or row["status"] == "resolved"  # only resolved ones complete


@PROPERTY
@given(data=st.data())
def test_any_arrival_order_gives_same_incidents(data: st.DataObject) -> None:
    """A permutation of a history (all within the lateness) yields the same incidents,
    ``completed`` included: watermark completion depends only on the final watermark
    (the newest event time, the same for every order), so a final row is completed
    iff it resolved and the newest event is past resolved_at + quiet. After
    complete_idle both orders agree again and every resolved incident is completed.
    """
    events = data.draw(histories)
    shuffled = data.draw(st.permutations(events))
    engines = [Engine(), Engine()]
    engines[0].feed(events)
    engines[1].feed(shuffled)
    assert stable_rows(engines[1].rows()) == stable_rows(engines[0].rows())
    watermark = from_ms(max(member(e)["at"] for e in events))
    quiet = timedelta(milliseconds=DEFAULT_CONFIG.quiet_ms)
    for row in engines[0].rows().values():
        resolved = row["resolved_at"]
        assert row["completed"] == int(resolved is not None and watermark > resolved + quiet)
    for engine in engines:
        engine.idle()
    assert stable_rows(engines[1].rows()) == stable_rows(engines[0].rows())
    for row in engines[0].rows().values():
        assert row["completed"] == int(row["status"] == "resolved")


@PROPERTY
@given(data=st.data())
def test_duplicates_change_nothing(data: st.DataObject) -> None:
    """Re-sending random events (after their first delivery) changes no row, no version."""
    events = data.draw(histories)
    sequence = list(events)
    picks = data.draw(
        st.lists(st.tuples(st.integers(0, 24), st.integers(0, 99)), min_size=1, max_size=8)
    )
    for which, where in picks:
        original = events[which % len(events)]
        first = sequence.index(original)
        # somewhere after the first delivery (possibly right at the end)
        position = first + 1 + where * (len(sequence) - first) // 100
        sequence.insert(position, dict(original))
    plain = Engine()
    plain.feed(events)
    engine = Engine()
    seen: set[str] = set()
    for event in sequence:
        previous = dict(engine.latest)
        outputs = engine.send(event)
        if event["event_id"] in seen:
            assert outputs.duplicate is True
            for row in outputs.rows:
                assert row == previous[row["incident_id"]]
        seen.add(event["event_id"])
    assert {iid: stable(r) | {"version": r["version"]} for iid, r in engine.rows().items()} == {
        iid: stable(r) | {"version": r["version"]} for iid, r in plain.rows().items()
    }


@PROPERTY
@given(data=st.data())
def test_every_emitted_row_satisfies_invariants(data: st.DataObject) -> None:
    """Durations >= 0 or None; started <= detected unless flagged; status resolved iff
    resolved_at; completed only if resolved; ttr == resolved - started; versions per id
    go up by exactly 1 (completion versions from complete_idle included)."""
    events = data.draw(histories)
    for order in (events, data.draw(st.permutations(events))):
        engine = Engine()
        engine.feed(order)
        engine.idle()  # completion versions follow the same rules
        versions: dict[str, list[int]] = {}
        for row in engine.emitted:
            versions.setdefault(row["incident_id"], []).append(row["version"])
            if not row["is_deleted"]:
                check_row(row)
        for iid, seq in versions.items():
            assert seq == list(range(1, len(seq) + 1)), (iid, seq)
