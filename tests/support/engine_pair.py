"""The incremental engine and the from-scratch reference, driven side by side.

``Pair.send`` applies one event to both (``apply_event`` and
``reference_engine.reference_apply``) and asserts the same verdict, the same
rows (versions, fields, delete markers, order) and the same public state
(members, remembered ids, emitted versions and fields, watermarks, idle
completions); ``Pair.idle`` does the same for ``complete_idle``. Options: a JSON
round trip of the incremental state after every step (as the Faust table
stores it), and starting the incremental engine from the reference's state
(written by the previous version) after the first ``handover`` events.

``check_index`` compares a state's index with one built from scratch from its
members (segments by their first event, assignments, journal records, aggregates)
and checks that the prune floors (``loose_floor``, ``finish_floor``, ``dead_floor``) are lower
bounds.
"""

from __future__ import annotations

import copy
from typing import Any

import orjson

from streams.engine.correlate import EngineConfig, Outputs, State, apply_event, complete_idle
from streams.engine.forgetting import MAX_DEPLOYS, finish_at
from streams.engine.incident import can_cause
from streams.engine.index import rebuild
from tests.support.engine import NOW_MS, member
from tests.support.reference_engine import reference_apply, reference_complete_idle

PUBLIC = ("members", "watermark", "safe_watermark", "seen", "idle_completed")
SERVICE, ENVIRONMENT = "checkout", "production"


def public(state: State) -> dict[str, Any]:
    """Return what both engines must agree on (emitted entries without the old digest)."""
    found = {name: state.get(name) for name in PUBLIC}
    found["emitted"] = {
        incident: {k: v for k, v in entry.items() if k != "digest"}
        for incident, entry in state["emitted"].items()
    }
    return found


class Pair:
    """A reference state and an incremental state of one key, compared after every step."""

    def __init__(
        self, config: EngineConfig, *, json_roundtrip: bool = False, handover: int = 0
    ) -> None:
        self.config = config
        self.json_roundtrip = json_roundtrip
        self.handover = handover
        self.reference: State | None = None
        self.state: State | None = None
        self.steps = 0

    def _agree(self, ours: Outputs, theirs: Outputs) -> None:
        assert (ours.late, ours.duplicate) == (theirs.late, theirs.duplicate)
        assert ours.rows == theirs.rows
        assert self.state is not None and self.reference is not None
        assert public(self.state) == public(self.reference)
        if self.json_roundtrip:
            self.state = orjson.loads(orjson.dumps(self.state))

    def send(self, event: dict[str, Any], input_watermark: int | None = None) -> Outputs:
        """Apply ``event`` to both engines; return the incremental engine's outputs."""
        self.steps += 1
        now, item = NOW_MS + self.steps, member(event)
        args = (SERVICE, ENVIRONMENT, self.config, now, input_watermark)
        self.reference, theirs = reference_apply(self.reference, item, *args)
        if self.steps <= self.handover:
            self.state = copy.deepcopy(self.reference)
            return theirs
        self.state, ours = apply_event(self.state, item, *args)
        self._agree(ours, theirs)
        return ours

    def idle(self) -> Outputs:
        """Call ``complete_idle`` on both (the key's partition went quiet)."""
        if self.reference is None or self.state is None:
            return Outputs()
        self.steps += 1
        args = (SERVICE, ENVIRONMENT, self.config, NOW_MS + self.steps)
        theirs = reference_complete_idle(self.reference, *args)
        if self.steps <= self.handover:
            self.state = copy.deepcopy(self.reference)
            return theirs
        ours = complete_idle(self.state, *args)
        self._agree(ours, theirs)
        return ours


def _named(index: dict[str, Any], sid: int) -> str | None:
    return None if sid < 0 else index["segs"][str(sid)]["first"]  # type: ignore[no-any-return]


def _record(index: dict[str, Any], record: list[Any] | None) -> list[Any] | None:
    return None if record is None else [_named(index, record[0]), *record[1:]]


def _segment(seg: dict[str, Any]) -> dict[str, Any]:
    names = ("first", "key0", "at0", "declared", "nfire", "resolved", "reopens", "agg")
    sets = {name: sorted(seg[name]) for name in ("firing", "holding", "reopeners")}
    return {name: seg[name] for name in names} | sets


def _view(index: dict[str, Any]) -> dict[str, Any]:
    segs = index["segs"]
    return {
        "order": [segs[str(sid)]["first"] for sid in index["order"]],
        "segs": {seg["first"]: _segment(seg) for seg in segs.values()},
        "owner": {ticket: _named(index, sid) for ticket, sid in index["owner"].items()},
        "assign": [_named(index, sid) for sid in index["assign"]],
        "deploys": index["deploys"],
        "forgotten": sorted(map(tuple, index["forgotten"])),
        "horizon": index["horizon"],
        "below": index["below"],
    }


def check_index(state: State, config: EngineConfig) -> None:
    """Assert the state's index equals one built from scratch, floors being lower bounds."""
    index = state["index"]
    fresh_state = copy.deepcopy({k: v for k, v in state.items() if k != "index"})
    fresh = rebuild(fresh_state, config.quiet_ms, config.allowed_lateness_ms)
    assert len(index["assign"]) == len(state["members"])
    if index["horizon"] is not None:
        assert _view(index) == _view(fresh)
    kept = min(len(index["journal"]), len(fresh["journal"]))
    ours = [_record(index, r) for r in index["journal"][len(index["journal"]) - kept :]]
    theirs = [_record(fresh, r) for r in fresh["journal"][len(fresh["journal"]) - kept :]]
    assert ours == theirs
    causes = [d["event_id"] for d in index["deploys"] if can_cause(d)][-MAX_DEPLOYS:]
    loose = [
        m["at"]
        for m, sid in zip(state["members"], index["assign"], strict=True)
        if sid < 0 and m["event_id"] not in causes
    ]
    if loose:
        assert index["loose_floor"] is not None and index["loose_floor"] <= min(loose)
    ends = [finish_at(s, config) for s in index["segs"].values() if s["resolved"] is not None]
    if ends:
        assert index["finish_floor"] is not None and index["finish_floor"] <= min(ends)
    dead = [e["updated_watermark"] for e in state["emitted"].values() if not e["live"]]
    if dead:
        assert index["dead_floor"] is not None and index["dead_floor"] <= min(dead)
