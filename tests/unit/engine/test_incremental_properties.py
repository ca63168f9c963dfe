"""The incremental engine gives exactly what re-deriving everything on every event gives.

Random histories of one key are applied to ``apply_event`` and, side by side, to the
from-scratch reference (``tests/support/reference_engine.py``, the engine before it
became incremental): every step must give the same verdict, the same rows (fields,
versions, delete markers) and the same public state (``tests/support/engine_pair.py``),
and the index must equal one built from scratch. The histories mix arrival orders
(permutations, jittered event-time order, late events), duplicates, input watermarks,
idle completions and windows short enough that incidents are finished and forgotten;
some steps round-trip the state through JSON, some start from a state the previous
version wrote, and a tiny journal forces the full re-walk. The thresholds between the
small-key path and the indexed one, and of folding, are drawn so that every path and
every switch between them is taken. docs/incident-model.md.
"""

from __future__ import annotations

import copy
import random
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.events import SEVERITIES
from streams.engine.correlate import EngineConfig, State, apply_event, complete_idle, copy_state
from tests.support.engine import DEFAULT_CONFIG, NOW_MS, clear, dep, fire, member, ms, tkt
from tests.support.engine_pair import PATHS, Pair, check_index, engine_paths
from tests.support.strategies import PROPERTY, histories

SHORT = EngineConfig(
    quiet_ms=600_000, allowed_lateness_ms=1_800_000, suspect_ms=2_700_000, retention_ms=5_400_000
)  # quiet 10 min, lateness 30 min, suspect 45 min, retention 90 min
BRIEF = EngineConfig(
    quiet_ms=300_000,
    allowed_lateness_ms=1_800_000,
    suspect_ms=600_000,
    retention_ms=600_000,
    review_retention_ms=5_400_000,
)  # retention shorter than the lateness: ids outlive their forgotten events; reviews 90 min
STATUSES = ("opened", "acknowledged", "identified", "mitigated", "resolved", "closed", "reopened")
KINDS = ("release", "rollback", "hotfix", "config", "remediation")

Spec = tuple[str, int, int, int, int]


MIXES = (("alert", "alert", "alert", "ticket", "deploy"), ("alert", "ticket", "deploy", "deploy"))


def _spec(rng: random.Random, span_minutes: int, mix: tuple[str, ...]) -> Spec:
    kind = rng.choice(mix)
    return (
        kind,
        rng.randint(0, span_minutes),
        rng.randint(0, 59),
        rng.randint(0, 3),
        rng.randint(0, 6),
    )


def _event(index: int, spec: Spec) -> dict[str, Any]:
    kind, minute, second, subject, variant = spec
    event_id = f"h{index:03d}"
    if kind == "alert":
        extra = {
            "severity": SEVERITIES[variant % 4],
            "category": ("security", "other")[variant % 2],
        }
        if variant == 6:
            extra["starts_at"] = f"2026-03-02T{10 + minute // 60 - 1:02d}:{minute % 60:02d}:00Z"
        make = fire if variant % 3 else clear
        return make(f"a{subject}", minute, seconds=second, event_id=event_id, **extra)
    if kind == "ticket":  # one in eight is a review (postmortem) of t0
        status = "postmortem" if subject == 3 and variant % 2 == 0 else STATUSES[variant]
        return tkt(f"t{subject % 3}", status, minute, seconds=second, event_id=event_id)
    status = ("succeeded", "succeeded", "started", "failed")[subject]
    return dep(
        f"d{variant}", minute, seconds=second, status=status, kind=KINDS[variant % 5],
        event_id=event_id,
    )  # fmt: skip


@st.composite
def _arrivals(draw: st.DrawFn) -> list[tuple[dict[str, Any], int | None]]:
    """Events in jittered event-time order, some sent again, some with an input watermark."""
    rng = draw(st.randoms(use_true_random=False))
    count, span = draw(st.integers(2, 70), label="events"), draw(st.sampled_from((60, 480)))
    mix = draw(st.sampled_from(MIXES), label="mix")
    events = [_event(i, _spec(rng, span, mix)) for i in range(count)]
    jitter = draw(st.sampled_from((0, 3, 20, 45)), label="jitter") * 60_000
    shifts = [rng.randint(0, jitter) for _ in events]
    order = sorted(range(len(events)), key=lambda i: member(events[i])["at"] + shifts[i])
    sent = [events[i] for i in order]
    for _ in range(draw(st.integers(0, 5))):
        again = draw(st.sampled_from(sent))
        sent.insert(draw(st.integers(sent.index(again) + 1, len(sent))), again)
    held = st.none() | st.none() | st.integers(0, ms(480))
    return [(event, draw(held)) for event in sent]


def _play(pair: Pair, arrivals: list[tuple[dict[str, Any], int | None]], idle_at: set[int]) -> None:
    for step, (event, watermark) in enumerate(arrivals):
        pair.send(event, input_watermark=watermark)
        if step in idle_at:
            pair.idle()
        if pair.state is not None and "index" in pair.state and pair.reference is not None:
            check_index(pair.state, pair.config, pair.reference["members"])
    pair.idle()


@PROPERTY
@given(data=st.data())
def test_any_order_of_a_short_history_matches_the_reference(data: st.DataObject) -> None:
    """A permutation of a history within 50 minutes, with duplicates and idle completions."""
    events = data.draw(st.permutations(data.draw(histories)))
    events += data.draw(st.lists(st.sampled_from(events), max_size=4))  # sent again
    idle_at = set(data.draw(st.lists(st.integers(0, len(events)), max_size=3)))
    with engine_paths(*data.draw(st.sampled_from(PATHS), label="paths")):
        _play(Pair(DEFAULT_CONFIG), [(event, None) for event in events], idle_at)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(arrivals=_arrivals(), data=st.data())
def test_long_histories_with_forgetting_match_the_reference(
    arrivals: list[tuple[dict[str, Any], int | None]], data: st.DataObject
) -> None:
    """Eight hours of one key with 30-minute lateness and 90-minute retention: late events,
    finished and forgotten incidents, catch-ups; JSON round trips; a hand-over from a
    state the previous version wrote."""
    idle_at = set(data.draw(st.lists(st.integers(0, len(arrivals)), max_size=3)))
    pair = Pair(
        data.draw(st.sampled_from((SHORT, BRIEF)), label="config"),
        json_roundtrip=data.draw(st.booleans(), label="json"),
        handover=data.draw(st.integers(0, len(arrivals)), label="handover"),
    )
    paths = data.draw(st.sampled_from(PATHS), label="paths")
    with engine_paths(*paths, fold_min=data.draw(st.sampled_from((1024, 1, 4)), label="fold")):
        _play(pair, arrivals, idle_at)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(arrivals=_arrivals())
def test_a_tiny_journal_walks_everything_again_with_the_same_result(
    arrivals: list[tuple[dict[str, Any], int | None]],
) -> None:
    """With a journal of 2 records, most insertions take the full re-walk (from the fold,
    folding as soon as 2 members can go)."""
    with mock.patch("streams.engine.index.JOURNAL", 2), engine_paths(0, 0, fold_min=2):
        _play(Pair(SHORT), arrivals, set())


@settings(max_examples=100, deadline=None, derandomize=True)
@given(data=st.data())
def test_a_flapping_storm_shuffled_in_blocks_matches_the_reference(data: st.DataObject) -> None:
    """Up to 12 alerts flapping within one long incident (one alert fires throughout), sent
    in event-time order shuffled within blocks, some twice: the shape of an alert storm."""
    count = data.draw(st.integers(1, 12), label="alerts")
    events = [fire("base", 0, event_id="s-base"), clear("base", 100, event_id="s-end")]
    for alert in range(count):
        times = sorted(data.draw(st.lists(st.integers(1, 5999), min_size=2, max_size=8)))
        for cycle, second in enumerate(times):
            make = clear if cycle % 2 else fire
            events.append(make(f"x{alert}", 0, seconds=second, event_id=f"s{alert}-{cycle}"))
    events.sort(key=lambda e: member(e)["at"])
    events += data.draw(st.lists(st.sampled_from(events), max_size=5))
    block = data.draw(st.integers(1, 12), label="block")
    fold_min = data.draw(st.sampled_from((1024, 3)), label="fold")
    sent: list[dict[str, Any]] = []
    for start in range(0, len(events), block):
        sent.extend(data.draw(st.permutations(events[start : start + block])))
    with engine_paths(*data.draw(st.sampled_from(PATHS), label="paths"), fold_min=fold_min):
        _play(Pair(DEFAULT_CONFIG), [(event, None) for event in sent], set())


@settings(max_examples=60, deadline=None, derandomize=True)
@given(data=st.data())
def test_many_deploys_keep_the_same_cause_candidates_as_the_reference(
    data: st.DataObject,
) -> None:
    """25-45 succeeded releases and remediations over eight hours among a few alerts, in
    jittered order: which deploys the state keeps (the last 20 that can be a cause, those
    within the suspect window) and every cause and fix link match."""
    rng = data.draw(st.randoms(use_true_random=False))
    events = [
        dep(f"r{i}", rng.randint(0, 480), kind=rng.choice(("release", "remediation", "config")),
            event_id=f"r{i:02d}")
        for i in range(data.draw(st.integers(25, 45), label="deploys"))
    ]  # fmt: skip
    for i in range(data.draw(st.integers(0, 12), label="alerts")):
        make = fire if i % 2 == 0 else clear
        events.append(make(f"a{i % 3}", rng.randint(0, 480), event_id=f"a{i:02d}"))
    jitter = data.draw(st.sampled_from((0, 20, 40)), label="jitter") * 60_000
    events.sort(key=lambda e: member(e)["at"] + rng.randint(0, jitter))
    with engine_paths(*data.draw(st.sampled_from(PATHS), label="paths")):
        _play(Pair(SHORT), [(event, None) for event in events], set())


@settings(max_examples=100, deadline=None, derandomize=True)
@given(arrivals=_arrivals(), data=st.data())
def test_steps_on_a_copy_leave_an_indexed_state_intact(
    arrivals: list[tuple[dict[str, Any], int | None]], data: st.DataObject
) -> None:
    """copy_state copies what a step changes in place, index and fold included: every
    apply_event and complete_idle on copy_state(s) leaves s deep-equal to before."""
    idle_at = set(data.draw(st.lists(st.integers(0, len(arrivals)), max_size=3)))
    state: State | None = None
    with engine_paths(0, 0, fold_min=data.draw(st.sampled_from((1, 4)), label="fold")):
        for step, (event, watermark) in enumerate(arrivals):
            previous, snapshot = state, copy.deepcopy(state)
            args = ("checkout", "production", SHORT, NOW_MS + step)
            working = None if previous is None else copy_state(previous)
            state = apply_event(working, member(event), *args, watermark)[0]
            assert previous == snapshot
            if step in idle_at:
                snapshot = copy.deepcopy(state)
                complete_idle(copy_state(state), *args)
                assert state == snapshot
