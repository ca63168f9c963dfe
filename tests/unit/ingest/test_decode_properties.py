"""Properties of decode(): total on arbitrary bytes, JSON and mutated events; key order.

decode() never raises and every reason is bounded; the order of an object's
keys does not matter; control characters in reasons are escaped.
docs/events.md, "Dead letters". The examples are in test_decode_parsing.py and
test_decode_validation.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.ingest.decode import MAX_REASON_CHARS, Decoded, Invalid, Origin, decode
from tests.support.factories import alert, as_line, deploy, ticket
from tests.support.rejections import LIMIT, ORIGIN
from tests.support.strategies import expected_types, factories

# --- properties -------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)


@st.composite
def mutated_events(draw: st.DrawFn) -> dict[str, Any]:
    """A valid event with some fields removed or replaced by arbitrary JSON values."""
    event = draw(factories)(event_id="prop-1")
    for key in draw(st.lists(st.sampled_from(sorted(event)), max_size=3, unique=True)):
        if draw(st.booleans()):
            del event[key]
        else:
            event[key] = draw(json_values)
    return event


def assert_total(raw: bytes, expected_type: str | None) -> None:
    result = decode(raw, ORIGIN, expected_type=expected_type, max_bytes=4096)
    assert isinstance(result, Decoded | Invalid)
    if isinstance(result, Invalid):
        assert result.reason
        assert len(result.reason) <= MAX_REASON_CHARS


@settings(max_examples=200, derandomize=True, deadline=None)
@given(raw=st.binary(max_size=200), expected_type=expected_types)
def test_decode_never_raises_on_arbitrary_bytes(raw: bytes, expected_type: str | None) -> None:
    assert_total(raw, expected_type)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(value=json_values, expected_type=expected_types)
def test_decode_never_raises_on_arbitrary_json(value: Any, expected_type: str | None) -> None:
    assert_total(orjson.dumps(value), expected_type)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(event=mutated_events(), expected_type=expected_types)
def test_decode_never_raises_on_mutated_events(
    event: dict[str, Any], expected_type: str | None
) -> None:
    assert_total(orjson.dumps(event), expected_type)


@st.composite
def shuffled_events(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    factory = draw(factories)
    extras = {
        alert: {"environment": "staging", "summary": "p99 high", "labels": {"b": "2", "a": "1"}},
        deploy: {"version": "1.4.2", "commit_sha": "abc123", "kind": "rollback"},
        ticket: {"severity": "low", "title": "Checkout down", "url": "https://t/INC-1"},
    }[factory]
    event = factory(event_id="shuffle-1", occurred_at="2026-03-02T11:00:00.123456+01:00", **extras)
    items = draw(st.permutations(list(event.items())))
    return event, dict(items)


@settings(max_examples=100, derandomize=True, deadline=None)
@given(pair=shuffled_events())
def test_key_order_does_not_matter(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    canonical, shuffled = pair
    first = decode(as_line(canonical), ORIGIN, expected_type=None, max_bytes=LIMIT)
    second = decode(as_line(shuffled), ORIGIN, expected_type=None, max_bytes=LIMIT)
    assert isinstance(first, Decoded)
    assert isinstance(second, Decoded)
    assert second.event == first.event
    assert second.event.occurred_at == datetime(2026, 3, 2, 10, 0, 0, 123000, tzinfo=UTC)


def test_control_characters_in_reasons_are_escaped() -> None:
    """A sender's CR/LF must not forge a log line or a second header line."""
    raw = b'{"type": "x\\r\\nWARNING forged line"}'
    result = decode(raw, Origin("alerts", 0, 7), expected_type=None, max_bytes=1 << 20)
    assert isinstance(result, Invalid)
    assert "\r" not in result.reason and "\n" not in result.reason
    assert "x\\x0d\\x0aWARNING forged line" in result.reason
