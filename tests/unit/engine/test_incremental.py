"""The incremental engine on hand-made cases: states of the previous version, JSON, ids.

A state as the previous version wrote it (no index, a digest per emitted entry)
loads and continues exactly as that version would; a state round-tripped through
JSON works; an id outlives its forgotten event as long as the lateness horizon
says; a late event splits an incident whose start was folded. The indexed path is
forced (``engine_paths``) where the small-key path would take over. Every step is
compared with the from-scratch reference (``tests/support/engine_pair.py``).
docs/incident-model.md, "Duplicates, lateness, identity and versions";
docs/architecture.md, ``streams/engine/``.

Times are minutes after BASE_TIME 2026-03-02T10:00:00Z.
"""

from __future__ import annotations

import orjson
import pytest

from streams.engine.correlate import EngineConfig, apply_event
from streams.engine.incident import incident_id
from streams.engine.members import from_ms
from tests.support.engine import DEFAULT_CONFIG, NOW_MS, clear, dep, fire, member, ms, tkt
from tests.support.engine_pair import Pair, check_index, engine_paths

# A state of checkout/production as the previous version wrote it to the changelog:
# alert A fired 10:00 (event w-a1) and ticket T opened 10:01 (w-t1), open, version 2.
WRITTEN_BEFORE = orjson.loads(
    b"""{"members":[
 {"event_id":"w-a1","type":"alert","at":1772445600000,"subject":"A","status":"firing",
  "severity":"high","category":"availability","starts_at":1772445600000,"kind":null,
  "title":"HighErrorRate"},
 {"event_id":"w-t1","type":"ticket","at":1772445660000,"subject":"T","status":"opened",
  "severity":null,"category":null,"starts_at":null,"kind":null,"title":"Checkout down"}],
 "watermark":1772445660000,"safe_watermark":1772445660000,
 "seen":{"w-a1":1772445600000,"w-t1":1772445660000},
 "emitted":{"8926be29a379d48e93a0c221":{"version":2,"digest":"37f2f88b49c150ca","live":true,
  "updated_at":1800000000002,"updated_watermark":1772445660000,"fields":{
  "incident_id":"8926be29a379d48e93a0c221","service":"checkout","environment":"production",
  "status":"open","severity":"high","category":"availability","title":"Checkout down",
  "started_at":1772445600000,"detected_at":1772445600000,"acknowledged_at":null,
  "identified_at":null,"mitigated_at":null,"resolved_at":null,"ttd_seconds":0.0,
  "tta_seconds":null,"tti_seconds":null,"ttm_seconds":null,"ttr_seconds":null,"alert_count":1,
  "alert_ids":["A"],"ticket_ids":["T"],"event_count":2,"cause_deploy_id":null,
  "fix_deploy_id":null,"repair_action":null,"reopen_count":0,"quality_flags":[],"completed":0}}},
 "idle_completed":{},"partition":3}"""
)
WRITTEN_ID = incident_id("checkout", "production", "w-a1")


@pytest.mark.parametrize("big", [96, 0])
def test_a_state_written_by_the_previous_version_continues_where_it_stopped(big: int) -> None:
    """The written incident resolves at 10:05 in version 3: ttr 300 s, all three events
    counted; the previous version's digest is not needed. Sent again, ``w-t1`` is a
    duplicate that re-emits version 3. On the small-key path (a key of 3 events) and on
    the indexed one (the index is built when the state is read)."""
    with engine_paths(big, 0):
        _continue_written_state(with_index=big == 0)


def _continue_written_state(*, with_index: bool) -> None:
    state = orjson.loads(orjson.dumps(WRITTEN_BEFORE))
    assert list(state["emitted"]) == [WRITTEN_ID]
    state, outputs = apply_event(
        state, member(clear("A", 5)), "checkout", "production", DEFAULT_CONFIG, NOW_MS
    )
    assert [(row["incident_id"], row["version"]) for row in outputs.rows] == [(WRITTEN_ID, 3)]
    row = outputs.rows[0]
    assert (row["status"], row["ttr_seconds"], row["event_count"]) == ("resolved", 300.0, 3)
    assert state["partition"] == 3 and ("index" in state) is with_index
    if with_index:
        check_index(state, DEFAULT_CONFIG, state["members"])
    again = apply_event(
        state, member(tkt("T", "opened", 1, event_id="w-t1")), "checkout", "production",
        DEFAULT_CONFIG, NOW_MS + 1,
    )[1]  # fmt: skip
    assert again.duplicate and [r["version"] for r in again.rows] == [3]


def test_a_state_read_back_from_json_gives_the_same_rows() -> None:
    """Every step on an indexed state that went through JSON (as the table stores it)
    matches."""
    pair = Pair(DEFAULT_CONFIG, json_roundtrip=True)
    with engine_paths(0, 0):
        for event in [fire("A", 0), tkt("T", "opened", 1), fire("B", 2), clear("A", 3)]:
            pair.send(event)
        pair.send(dep("rb", 4, kind="rollback"))
        pair.send(clear("B", 6))
        assert pair.idle().rows[0]["completed"] == 1


def test_an_id_outlives_its_forgotten_event_until_the_horizon_passes_it() -> None:
    """Retention 10 min < lateness 30 min (quiet 5, suspect 10). X: A 10:00-10:05 with T
    opened 10:01; T acknowledged 11:00 updates X (last event 11:00). A deploy started
    11:11 finishes X (11:11 > 11:00 + 10 min and > 10:05 + 5 + 30 min): its events go,
    but the acknowledgement's id is remembered (11:00 >= horizon 10:41): sent again it
    is a duplicate that re-emits nothing. A deploy 11:31 moves the horizon to 11:01:
    sent again now, it is late.
    """
    config = EngineConfig(
        quiet_ms=300_000, allowed_lateness_ms=1_800_000, suspect_ms=600_000, retention_ms=600_000
    )
    with engine_paths(0, 0):
        _forget_after_the_horizon(Pair(config))


def _forget_after_the_horizon(pair: Pair) -> None:
    ack = tkt("T", "acknowledged", 60, event_id="id-ack")
    for event in [fire("A", 0), tkt("T", "opened", 1), clear("A", 5), ack]:
        pair.send(event)
    pair.send(dep("x", 71, status="started", event_id="id-x"))
    assert pair.state is not None
    assert [m["event_id"] for m in pair.state["members"]] == ["id-x"]
    assert pair.state["seen"] == {"id-ack": ms(60), "id-x": ms(71)}
    outputs = pair.send(ack)
    assert (outputs.duplicate, outputs.rows) == (True, [])
    pair.send(dep("y", 91, status="started"))
    assert "id-ack" not in pair.state["seen"]
    assert pair.send(ack).late


def test_a_late_resolution_splits_an_incident_whose_start_was_folded() -> None:
    """Folding from 1 member (default windows). A fires 10:00, B fires 10:10 and resolves
    10:20, a deploy starts 11:12, C fires 11:15: one incident (A still firing), and at
    11:15 (horizon 10:15) both firings are folded away. A resolved at 11:00 arrives: the
    incident resolves at 11:00, the deploy (after 11:10) belongs to no incident any more
    and C opens a new one. The first incident's fields (event count 4, alerts A and B)
    come from its aggregates at the fold plus its members after it."""
    pair = Pair(DEFAULT_CONFIG)
    events = [fire("A", 0), fire("B", 10), clear("B", 20), dep("d", 72, status="started")]
    with engine_paths(0, 0, fold_min=1):
        for event in [*events, fire("C", 75)]:
            pair.send(event)
        assert pair.state is not None and pair.state["index"]["folded"] == 2
        rows = pair.send(clear("A", 60)).rows
    first, second = sorted(rows, key=lambda row: row["started_at"])
    assert (first["resolved_at"], first["event_count"], first["alert_ids"]) == (
        from_ms(ms(60)), 4, ["A", "B"],
    )  # fmt: skip
    assert (second["version"], second["alert_ids"]) == (1, ["C"])


def test_an_index_of_version_1_gets_the_names_and_reviews_of_version_2() -> None:
    """An indexed state written before reviews and fingerprints (index v1: aggregates
    without ``names`` and ``review``) is upgraded when read: Latency fires 10:00, Errors
    10:01, T opened 10:02; then T postmortem 10:03 gives the fingerprint "Errors +
    Latency" and reviewed_at 10:03, as a state written by this version does."""
    events = [
        fire("L", 0, name="Latency", event_id="u-l"),
        fire("E", 1, name="Errors", event_id="u-e"),
        tkt("T", "opened", 2, event_id="u-t"),
    ]
    with engine_paths(0, 0):
        state = None
        for step, event in enumerate(events):
            args = ("checkout", "production", DEFAULT_CONFIG, NOW_MS + step)
            state = apply_event(state, member(event), *args)[0]
        assert state is not None
        old = orjson.loads(orjson.dumps(state))
        old["index"]["v"] = 1
        for seg in old["index"]["segs"].values():
            del seg["agg"]["names"], seg["agg"]["review"]
        review = member(tkt("T", "postmortem", 3, event_id="u-p"))
        args = ("checkout", "production", DEFAULT_CONFIG, NOW_MS + 9)
        upgraded, ours = apply_event(old, review, *args)
        current, theirs = apply_event(state, review, *args)
    assert ours.rows == theirs.rows
    assert [(r["fingerprint"], r["reviewed_at"]) for r in ours.rows] == [
        ("Errors + Latency", from_ms(ms(3)))
    ]
    assert upgraded["index"]["v"] == 2 and upgraded == current
