"""Hostile input at the edge, properties: ``decode()`` on generated garbage.

``decode()`` is total (never raises), agrees with the contract models
(``Decoded`` only if ``EVENT_ADAPTER`` accepts the object and its type belongs
on the topic), keeps reasons bounded, and hostile but legal strings (SQL,
quotes, backslashes, braces) pass through to the ``mttr.events`` row unchanged.
docs/security.md ("Producers → Kafka") and docs/events.md, "Dead letters". The corpus is in
test_hostile_decode.py.
"""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas.events import EVENT_ADAPTER
from streams.ingest.decode import MAX_REASON_CHARS, Decoded, Invalid, Origin, decode
from streams.ingest.rows import event_to_row
from tests.support.factories import alert, as_line
from tests.support.rejections import LIMIT, REJECTED_AT, TOPICS, assert_dead_letter
from tests.support.strategies import FIELDS, expected_types, factories, hostile_text, json_values

# --- properties -------------------------------------------------------------------------


def accepted_by_contract(raw: bytes, expected_type: str | None) -> bool:
    """The oracle: what ``decode`` must accept, computed from the models alone."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False
    if not isinstance(data, dict):
        return False
    try:
        event = EVENT_ADAPTER.validate_python(data)
    except ValidationError:
        return False
    return expected_type is None or event.type == expected_type


def check(raw: bytes, expected_type: str | None) -> Decoded | Invalid:
    topic = TOPICS.get(expected_type or "", "-")
    result = decode(raw, Origin(topic, 0, 0), expected_type=expected_type, max_bytes=LIMIT)
    assert isinstance(result, Decoded) == accepted_by_contract(raw, expected_type)
    if isinstance(result, Invalid):
        assert result.reason.strip()
        assert len(result.reason) <= MAX_REASON_CHARS
        assert_dead_letter(result)
    else:
        row = event_to_row(result, REJECTED_AT)
        assert row["raw"].encode("utf-8") == raw
        assert row["event_id"] == result.event.event_id
    return result


@settings(max_examples=300, derandomize=True, deadline=None)
@given(raw=st.binary(max_size=2000), expected_type=expected_types)
def test_arbitrary_bytes(raw: bytes, expected_type: str | None) -> None:
    check(raw, expected_type)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    factory=factories,
    position=st.integers(min_value=0),
    noise=st.binary(min_size=1, max_size=8),
    expected_type=expected_types,
)
def test_valid_event_with_bytes_spliced_in(
    factory: Any, position: int, noise: bytes, expected_type: str | None
) -> None:
    raw = as_line(factory(event_id="splice"))
    at = position % (len(raw) + 1)
    check(raw[:at] + noise + raw[at:], expected_type)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(value=json_values, expected_type=expected_types)
def test_arbitrary_json_values(value: Any, expected_type: str | None) -> None:
    check(orjson.dumps(value), expected_type)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(depth=st.integers(min_value=1, max_value=3000), opener=st.sampled_from(["[", '{"a":']))
def test_deep_nesting(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    nested = (opener * depth + "1" + closer * depth).encode()
    check(nested, "alert")
    check(as_line(alert(event_id="deep"))[:-1] + b',"labels":{"x":' + nested + b"}}", "alert")


@settings(
    max_examples=500,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    factory=factories,
    field=st.sampled_from(FIELDS),
    value=json_values,
    expected_type=expected_types,
)
def test_valid_event_with_one_field_replaced(
    factory: Any, field: str, value: Any, expected_type: str | None
) -> None:
    event = factory(event_id="one-field")
    event[field] = value
    result = check(orjson.dumps(event), expected_type)
    if isinstance(result, Decoded) and isinstance(value, str):
        assert getattr(result.event, field) == value or field in ("occurred_at", "starts_at")


@settings(max_examples=300, derandomize=True, deadline=None)
@given(factory=factories, text=hostile_text.filter(lambda t: len(t) <= 128))
def test_legal_hostile_strings_pass_unchanged(factory: Any, text: str) -> None:
    """Any string allowed in free text is kept byte for byte, wherever it may go."""
    event = factory(event_id="legal")
    if event["type"] == "alert":
        event.update(summary=text, labels={text[:256]: text})
    elif event["type"] == "deploy":
        event.update(commit_sha=None, kind="hotfix")
    else:
        event.update(title=text, url=text)
    result = check(orjson.dumps(event), event["type"])
    assert isinstance(result, Decoded)
    assert orjson.loads(event_to_row(result, REJECTED_AT)["raw"]) == event
