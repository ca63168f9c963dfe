"""The correlation engine: ``(state, event) -> (state, outputs)``, pure and synchronous.

State is one plain dict per (service, environment) key, as stored in a Faust
table. The engine keeps the key's recent events sorted by event time and
derives the incidents from them, so the result does not depend on arrival
order (within the allowed lateness) or on duplicates. It does so
incrementally (``streams.engine.index``): an event re-walks only the events
after it and re-derives only the incidents it can change, with the same
result as deriving everything again. Changed incidents are emitted as new
row versions; an incident id that disappears (e.g. a late event merged two
incidents) is emitted as a delete marker so ``mttr.incidents FINAL`` never
shows it again.

Time is judged against the key's *safe watermark*: the newest event time of
the key, held back to the input watermark that ingest puts on forwarded
events while some source partition still has unread messages (see
``streams.ingest.progress``), and never moving backwards. An event is judged against
the safe watermark as its own input watermark advances it, so once every
partition is caught up an event is judged against its key's newest event
time, whatever a catch-up held back before. An event more than the allowed
lateness behind that is late (even if its ``event_id`` was seen: lateness is
judged before duplicates); state older than that horizon is pruned.

An incident is *completed* once it is resolved and either the key's safe
watermark passed ``resolved_at + quiet period`` (nothing ordinary can reopen
it any more) or ``complete_idle()`` was called for its key because its
partition went quiet (wall clock). Completion is written as a new version
with ``completed = 1``; a later event may still reopen it (then it is no
longer completed).
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field
from typing import Any

import streams.engine.rederive as small
import streams.engine.review as reviews
from streams.engine.forgetting import prune
from streams.engine.incident import Windows
from streams.engine.index import Index, copy_index, ensure_index, stamp
from streams.engine.insert import insert
from streams.engine.members import Member, sort_key
from streams.engine.segment import is_review
from streams.engine.versions import candidates, diff, incident_fields, reemit

State = dict[str, Any]


@dataclass(frozen=True)
class EngineConfig:
    """Rule windows in milliseconds (from MTTR_*_S settings)."""

    quiet_ms: int = 600_000
    allowed_lateness_ms: int = 3_600_000
    suspect_ms: int = 3_600_000
    retention_ms: int = 7 * 86_400_000  # keep finished incidents for ticket follow-ups
    review_retention_ms: int = 90 * 86_400_000  # a postmortem reviews an incident this long

    @functools.cached_property
    def windows(self) -> Windows:
        """Return the windows the incident derivation needs (built once: used per event)."""
        return Windows(
            quiet_ms=self.quiet_ms, suspect_ms=self.suspect_ms, review_ms=self.review_retention_ms
        )


@dataclass
class Outputs:
    """What one step produced: incident rows to write and whether the event was dropped."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    late: bool = False
    duplicate: bool = False


def new_state() -> State:
    """Return the empty state of a key."""
    return {
        "members": [],
        "watermark": None,  # newest event time of the key
        "safe_watermark": None,  # see the module docstring
        "seen": {},
        "emitted": {},
        "idle_completed": {},
    }


def copy_state(state: State) -> State:
    """Return a copy of ``state`` that ``apply_event`` and ``complete_idle`` may change.

    The engine changes only the state's containers (the member list, the
    ``seen``, ``emitted`` and ``idle_completed`` dicts and the index's
    containers), never a member, an ``emitted`` entry or a journal record in
    place, so copying the containers is enough: the original stays intact if
    a step fails. Much cheaper than ``deepcopy``, but still proportional to
    what the key holds: copy once per batch, not per event.
    """
    copied = dict(state)
    for name in ("seen", "emitted", "idle_completed"):
        if name in state:
            copied[name] = dict(state[name])
    copied["members"] = list(state["members"])
    if "index" in state:
        copied["index"] = copy_index(state["index"])
    return copied


def safe_watermark(state: State) -> int | None:
    """Return the key's safe watermark (states written before it existed: the watermark)."""
    if "safe_watermark" in state:
        return state["safe_watermark"]  # type: ignore[no-any-return]
    return state["watermark"]  # type: ignore[no-any-return]


def idle_pending(state: State) -> bool:
    """Return True if ``complete_idle`` would complete something (a resolved incident is not)."""
    return any(
        e["live"] and e["fields"]["resolved_at"] is not None and not e["fields"].get("completed")
        for e in state["emitted"].values()
    )


def complete_idle(
    state: State, service: str, environment: str, config: EngineConfig, now_ms: int
) -> Outputs:
    """Complete every resolved incident of the key (its partition went idle).

    Returns the new versions of the incidents that became completed; the
    state is updated in place. Cheap when nothing is pending.
    """
    if not idle_pending(state):
        return Outputs()
    index = _indexed(state, config)
    idle: dict[str, int] = state.setdefault("idle_completed", {})
    key = (service, environment)
    if index is None:
        found = [fields for _, fields in small.incidents(state, key, config)]
    else:
        found = [incident_fields(state, index, sid, key, config) for sid in index["order"]]
    live = set()
    for fields in found:
        live.add(fields["incident_id"])
        if fields["resolved_at"] is not None:
            idle[fields["incident_id"]] = fields["resolved_at"]
    for incident_id in [i for i in idle if i not in live]:
        del idle[incident_id]
    if index is None:
        return Outputs(rows=small.diff(state, small.incidents(state, key, config), now_ms))
    return Outputs(rows=diff(state, index, list(index["order"]), True, key, config, now_ms))


def _indexed(state: State, config: EngineConfig) -> Index | None:
    """Return the key's index; None for a key on the small-key path.

    A key without an index that holds more than ``small.BIG`` events (written
    by the previous version) gets one built.
    """
    if "index" not in state and len(state["members"]) <= small.BIG:
        return None
    return ensure_index(state, config.quiet_ms, config.allowed_lateness_ms)


def apply_event(
    state: State | None,
    member: Member,
    service: str,
    environment: str,
    config: EngineConfig,
    now_ms: int,
    input_watermark: int | None = None,
) -> tuple[State, Outputs]:
    """Apply one event of the key; ``now_ms`` only stamps ``updated_at``.

    ``input_watermark`` is the one ingest forwarded with the event (None: all
    source partitions were caught up). An event more than the allowed
    lateness behind ``max(safe watermark, min(key watermark, input
    watermark))`` is rejected (``late``) and changes nothing, whether or not
    its ``event_id`` was seen. Otherwise a duplicate ``event_id`` changes
    nothing but re-emits the current row of its incident (same version),
    which repairs a row lost between a state write and a crash.

    ``state`` is changed in place and returned (a new one when None): pass a
    copy (``copy_state``) if the original must survive a failing step. A key
    with few events is derived again from all of them (``rederive``); a key
    with more has an index, and its cost depends on how many of the key's
    events sort after this one and on the incidents it changes, not on how
    many events the key holds.
    """
    state = state if state is not None else new_state()
    reference = _advance(safe_watermark(state), state["watermark"], input_watermark)
    if reference is not None and member["at"] < reference - config.allowed_lateness_ms:
        return state, Outputs(late=True)
    index = _indexed(state, config)
    key = (service, environment)
    if member["event_id"] in state["seen"]:
        if index is None:
            return state, Outputs(
                small.reemit(state, member["event_id"], key, config), duplicate=True
            )
        rows = reemit(state, index, member["event_id"], key, config)
        return state, Outputs(rows=rows, duplicate=True)
    if index is None:
        bisect.insort(state["members"], member, key=sort_key)
        _remember(state, member, reference, input_watermark)
        rows = small.apply(state, key, config, now_ms)
        if len(state["members"]) > small.BIG:
            ensure_index(state, config.quiet_ms, config.allowed_lateness_ms)
        return state, Outputs(rows=rows)
    old_safe = safe_watermark(state)
    change = insert(state, index, member, config.quiet_ms)
    _remember(state, member, reference, input_watermark)
    sids = list(index["order"]) if change.structural else candidates(
        index, change.touched, member, old_safe, state["safe_watermark"],
        config.quiet_ms, config.suspect_ms,
    )  # fmt: skip
    rows = diff(state, index, sids, change.structural, key, config, now_ms)
    kept = len(state.get("reviews") or ())
    prune(state, index, config, change.touched, key)
    horizon = state["safe_watermark"] - config.allowed_lateness_ms
    if state.get("reviews") and (
        is_review(member)
        or change.structural
        or len(state["reviews"]) != kept
        or reviews.due(state, horizon)
    ):
        rows += reviews.settle(state, _loose_reviews(state, index), horizon, config, now_ms)
    fold = index["fold"]
    if len(state["members"]) < small.SMALL and (fold is None or not fold["segs"]):
        del state["index"]  # few events again: back to the small-key path
    else:
        index["stamp"] = stamp(state)
    return state, Outputs(rows=rows)


def _loose_reviews(state: State, index: Index) -> list[Member]:
    """Return the reviews at or after the lateness horizon that joined no incident in state."""
    members: list[Member] = state["members"]
    assign: list[int] = index["assign"]
    return [
        members[p]
        for p in range(index["below"], len(members))
        if assign[p] < 0 and is_review(members[p])
    ]


def _remember(
    state: State, member: Member, reference: int | None, input_watermark: int | None
) -> None:
    """Remember the event's id; advance the key's watermark and safe watermark."""
    state["seen"][member["event_id"]] = member["at"]
    watermark = state["watermark"]
    watermark = member["at"] if watermark is None else max(watermark, member["at"])
    state["watermark"] = watermark
    state["safe_watermark"] = _advance(reference, watermark, input_watermark)


def _advance(safe: int | None, watermark: int | None, input_watermark: int | None) -> int | None:
    """Return the safe watermark once the key's newest event time is ``watermark``.

    ``min(watermark, input watermark)`` (just ``watermark`` when the event came
    caught up), never below ``safe``. Applied *before* judging an event too:
    the input watermark it was forwarded with counts for it, so the first
    event read caught up after a catch-up is judged against the key's newest
    event time, not against the watermark the catch-up held back.
    """
    if watermark is None:
        return safe
    reached = watermark if input_watermark is None else min(watermark, input_watermark)
    return reached if safe is None else max(safe, reached)
