"""decode() with its fast path gives the verdict of the pydantic models on every input.

``decode()`` first tries ``schemas.fast`` (msgspec) and falls back to
``decode_by_models`` (orjson and the models, the code every reason comes from).
These properties compare the two on generated input, for every expected type:
the same ``Decoded`` event (same values, types, fields set) or the same
``Invalid`` reason. docs/architecture.md ("Two validators"); docs/events.md,
"Dead letters". The fast path itself is in tests/unit/schemas/test_fast_events.py.
"""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.fast import parse_event
from streams.ingest.decode import Decoded, Invalid, Origin, decode, decode_by_models
from tests.support.event_inputs import assert_same_event, raw_events
from tests.support.factories import as_line
from tests.support.rejections import LIMIT, TOPICS
from tests.support.strategies import expected_types, factories, json_values

SLOW = settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def assert_same_verdict(raw: bytes, expected_type: str | None) -> Decoded | Invalid:
    """``decode(raw)`` must be what the models alone make of ``raw``."""
    origin = Origin(TOPICS.get(expected_type or "", "-"), 1, 2)
    new = decode(raw, origin, expected_type=expected_type, max_bytes=LIMIT)
    old = decode_by_models(raw, origin, expected_type=expected_type)
    assert type(new) is type(old)
    assert new.raw == old.raw
    assert new.origin == old.origin
    if isinstance(new, Invalid):
        assert isinstance(old, Invalid)
        assert new.reason == old.reason
    else:
        assert isinstance(old, Decoded)
        assert new.raw is raw
        assert_same_event(new.event, old.event)
    return new


@settings(SLOW, max_examples=1500)
@given(raw=raw_events(), expected_type=expected_types)
def test_events_near_the_contract(raw: bytes, expected_type: str | None) -> None:
    assert_same_verdict(raw, expected_type)


@SLOW
@given(raw=raw_events())
def test_events_on_their_own_topic(raw: bytes) -> None:
    """An event the fast path accepts is decoded on its own topic, as the models decode it."""
    event = parse_event(raw)
    result = assert_same_verdict(raw, event.type if event is not None else "alert")
    assert isinstance(result, Decoded) or event is None


@SLOW
@given(raw=st.binary(max_size=300), expected_type=expected_types)
def test_arbitrary_bytes(raw: bytes, expected_type: str | None) -> None:
    assert_same_verdict(raw, expected_type)


@SLOW
@given(value=json_values, expected_type=expected_types)
def test_arbitrary_json(value: Any, expected_type: str | None) -> None:
    assert_same_verdict(orjson.dumps(value), expected_type)


@SLOW
@given(
    factory=factories,
    position=st.integers(min_value=0),
    noise=st.binary(min_size=1, max_size=6),
    expected_type=expected_types,
)
def test_valid_events_with_bytes_spliced_in(
    factory: Any, position: int, noise: bytes, expected_type: str | None
) -> None:
    raw = as_line(factory(event_id="splice", environment="staging"))
    at = position % (len(raw) + 1)
    assert_same_verdict(raw[:at] + noise + raw[at:], expected_type)


def test_duplicate_keys_count_once_in_the_labels_limit() -> None:
    """65 label entries with one key twice are 64 labels: valid on both paths."""
    entries = ",".join(f'"k{n}":"v"' for n in range(64)) + ',"k0":"w"'
    raw = (
        b'{"type":"alert","event_id":"d","service":"s","occurred_at":"2026-03-02T10:00:00Z",'
        b'"alert_id":"a","name":"n","status":"firing","severity":"low","labels":{'
        + entries.encode()
        + b"}}"
    )
    result = assert_same_verdict(raw, "alert")
    assert isinstance(result, Decoded)
    assert parse_event(raw) is not None
