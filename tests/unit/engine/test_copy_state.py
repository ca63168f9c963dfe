"""copy_state: a step on the copy never changes the original (what replaced deepcopy)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from streams.engine.correlate import State, apply_event, complete_idle, copy_state
from tests.support.engine import DEFAULT_CONFIG, NOW_MS, member
from tests.support.strategies import PROPERTY, histories


def _keyed(state: State | None) -> State | None:
    return None if state is None else copy.deepcopy(state)


@PROPERTY
@given(data=st.data())
def test_steps_on_a_copy_leave_the_original_intact(data: st.DataObject) -> None:
    """Every apply_event and complete_idle on copy_state(s) leaves s deep-equal to before,
    and gives the same state and outputs as the same step on a deep copy."""
    events: list[dict[str, Any]] = data.draw(st.permutations(data.draw(histories)))
    idle_after = set(data.draw(st.lists(st.integers(0, len(events) - 1), max_size=4)))
    state: State | None = None
    for step, event in enumerate(events):
        before = _keyed(state)
        on_copy = apply_event(
            None if state is None else copy_state(state),
            member(event), "checkout", "production", DEFAULT_CONFIG, NOW_MS + step,
        )  # fmt: skip
        on_deep = apply_event(
            _keyed(state), member(event), "checkout", "production", DEFAULT_CONFIG, NOW_MS + step
        )
        assert state == before
        assert on_copy == on_deep
        state = on_copy[0]
        if step in idle_after:
            before = _keyed(state)
            working, deep = copy_state(state), copy.deepcopy(state)
            outputs = complete_idle(working, "checkout", "production", DEFAULT_CONFIG, NOW_MS)
            assert outputs == complete_idle(deep, "checkout", "production", DEFAULT_CONFIG, NOW_MS)
            assert state == before
            assert working == deep
            state = working
