"""The incremental engine and the from-scratch reference, driven side by side.

``Pair.send`` applies one event to both (``apply_event`` and
``reference_engine.reference_apply``) and asserts the same verdict, the same
rows (versions, fields, delete markers, order) and the same public state
(members, remembered ids, emitted versions and fields, watermarks, idle
completions); ``Pair.idle`` does the same for ``complete_idle``. Options: a JSON
round trip of the incremental state after every step (as the Faust table
stores it), and starting the incremental engine from the reference's state
(written by the previous version) after the first ``handover`` events.

``engine_paths`` sets the thresholds between the small-key path (no index) and
the indexed one, and of folding, so that tests take every path. Folding drops
incidents' events before the lateness horizon from the incremental state's
members (``streams.engine.fold``); the reference keeps them, so members are
compared as "ours are the reference's minus folded ones, all at or before the fold".

``check_index`` compares a state's index with one built from scratch from all the
key's members (the reference's: segments by their first event, assignments, journal
records, aggregates), its fold with a walk up to the fold, and checks that the prune
floors (``loose_floor``, ``finish_floor``, ``dead_floor``) are lower bounds.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import orjson

from streams.engine.correlate import EngineConfig, Outputs, State, apply_event, complete_idle
from streams.engine.forgetting import MAX_DEPLOYS, finish_at
from streams.engine.incident import can_cause
from streams.engine.index import foldable, is_succeeded_deploy, new_index, rebuild, walk
from streams.engine.members import Member, sort_key
from tests.support.engine import NOW_MS, member
from tests.support.reference_engine import reference_apply, reference_complete_idle

PATHS = ((0, 0), (4, 2), (96, 48))
"""(BIG, SMALL) of ``streams.engine.rederive``: always indexed, switching often, the defaults."""


@contextmanager
def engine_paths(big: int, small: int, fold_min: int = 1024) -> Iterator[None]:
    """Run with these thresholds: index above ``big`` events, none below ``small``, folds from
    ``fold_min`` members."""
    with (
        mock.patch("streams.engine.rederive.BIG", big),
        mock.patch("streams.engine.rederive.SMALL", small),
        mock.patch("streams.engine.fold.FOLD_MIN", fold_min),
    ):
        yield


PUBLIC = (
    "members", "watermark", "safe_watermark", "seen", "idle_completed", "reviews", "review_floor"
)  # fmt: skip
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
        mine, reference = public(self.state), public(self.reference)
        kept = {m["event_id"] for m in mine.pop("members")}
        everything = reference.pop("members")
        assert mine == reference
        assert self.state["members"] == [m for m in everything if m["event_id"] in kept]
        folded = [m for m in everything if m["event_id"] not in kept]
        if folded:
            fold = self.state["index"]["fold"]
            assert all(list(sort_key(m)) <= fold["key"] for m in folded)
            assert not any(is_succeeded_deploy(m) for m in folded)
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


def _named(scan: dict[str, Any], sid: int) -> str | None:
    return None if sid < 0 else scan["segs"][str(sid)]["first"]  # type: ignore[no-any-return]


def _record(scan: dict[str, Any], record: list[Any] | None) -> list[Any] | None:
    return None if record is None else [_named(scan, record[0]), *record[1:]]


def _segment(seg: dict[str, Any]) -> dict[str, Any]:
    names = ("first", "key0", "at0", "declared", "nfire", "resolved", "reopens", "agg")
    sets = {name: sorted(seg[name]) for name in ("firing", "holding", "reopeners")}
    return {name: seg[name] for name in names} | sets


def _scan(scan: dict[str, Any]) -> dict[str, Any]:
    segs = scan["segs"]
    return {
        "order": [segs[str(sid)]["first"] for sid in scan["order"]],
        "segs": {seg["first"]: _segment(seg) for seg in segs.values()},
        "owner": {ticket: _named(scan, sid) for ticket, sid in scan["owner"].items()},
    }


def _assign(index: dict[str, Any], members: list[Member]) -> dict[str, str | None]:
    return {m["event_id"]: _named(index, s) for m, s in zip(members, index["assign"], strict=True)}


def check_index(state: State, config: EngineConfig, everything: list[Member]) -> None:
    """Assert the state's index equals one built from ``everything`` (the key's members,
    folded ones included), its fold a walk up to the fold; floors are lower bounds."""
    index, members = state["index"], state["members"]
    full = copy.deepcopy({k: v for k, v in state.items() if k != "index"}) | {"members": everything}
    fresh = rebuild(full, config.quiet_ms, config.allowed_lateness_ms)
    assert len(index["assign"]) == len(members)
    if index["horizon"] is not None:
        assert _scan(index) == _scan(fresh)
        ours = _assign(index, members)
        assert ours == {k: v for k, v in _assign(fresh, everything).items() if k in ours}
        assert (index["deploys"], index["horizon"]) == (fresh["deploys"], fresh["horizon"])
        assert sorted(map(tuple, index["forgotten"])) == sorted(map(tuple, fresh["forgotten"]))
        below = sum(1 for m in members if m["at"] < index["horizon"])
        assert index["below"] == below
        assign = index["assign"]
        assert index["foldable"] == sum(foldable(members[p], assign[p]) for p in range(below))
    kept = min(len(index["journal"]), len(fresh["journal"]))
    ours_journal = [_record(index, r) for r in index["journal"][len(index["journal"]) - kept :]]
    theirs = [_record(fresh, r) for r in fresh["journal"][len(fresh["journal"]) - kept :]]
    assert ours_journal == theirs
    if index["fold"] is not None:
        prefix, key = new_index(), index["fold"]["key"]
        walk(prefix, [m for m in everything if list(sort_key(m)) <= key], config.quiet_ms)
        assert _scan(index["fold"]) == _scan(prefix)
    _check_floors(state, config)


def _check_floors(state: State, config: EngineConfig) -> None:
    index = state["index"]
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
