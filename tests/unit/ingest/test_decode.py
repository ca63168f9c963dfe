"""decode(): raw bytes become Decoded or Invalid with a precise reason, never an exception.

Reasons we write ourselves are asserted exactly. Where the reason embeds
orjson's own parser message (bad JSON), the test pins our prefix and the
stable part of orjson's wording, not its column numbers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas.events import EVENT_ADAPTER, AlertEvent, DeployEvent, TicketEvent
from streams.ingest.decode import (
    MAX_REASON_CHARS,
    Decoded,
    Invalid,
    Origin,
    decode,
    decode_line,
    format_validation_error,
)
from tests.support.factories import alert, as_line, deploy, ticket, without

ORIGIN = Origin("alerts", 3, 42)
LIMIT = 1024 * 1024


def invalid(
    raw: bytes | None,
    *,
    expected_type: str | None = "alert",
    max_bytes: int = LIMIT,
    origin: Origin = ORIGIN,
) -> Invalid:
    result = decode(raw, origin, expected_type=expected_type, max_bytes=max_bytes)
    assert isinstance(result, Invalid), result
    return result


def reason(raw: bytes | None, **kwargs: Any) -> str:
    return invalid(raw, **kwargs).reason


# --- valid input ------------------------------------------------------------------------


def test_valid_alert_is_decoded_with_raw_and_origin() -> None:
    raw = as_line(alert(event_id="ev-1", occurred_at="2026-03-02T11:00:00+01:00"))
    result = decode(raw, ORIGIN, expected_type="alert", max_bytes=LIMIT)
    assert isinstance(result, Decoded)
    assert isinstance(result.event, AlertEvent)
    assert result.event.event_id == "ev-1"
    assert result.event.occurred_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert result.raw is raw
    assert result.origin == Origin("alerts", 3, 42)


@pytest.mark.parametrize(
    ("factory", "topic", "kind", "model"),
    [
        (alert, "alerts", "alert", AlertEvent),
        (deploy, "deploys", "deploy", DeployEvent),
        (ticket, "tickets", "ticket", TicketEvent),
    ],
)
def test_each_type_on_its_own_topic(factory: Any, topic: str, kind: str, model: type) -> None:
    origin = Origin(topic, 0, 0)
    result = decode(as_line(factory()), origin, expected_type=kind, max_bytes=LIMIT)
    assert isinstance(result, Decoded)
    assert type(result.event) is model


def test_any_type_is_accepted_without_expected_type() -> None:
    for factory in (alert, deploy, ticket):
        result = decode(as_line(factory()), ORIGIN, expected_type=None, max_bytes=LIMIT)
        assert isinstance(result, Decoded)


def test_whitespace_around_the_object_is_fine() -> None:
    result = decode(
        b"  \n" + as_line(alert()) + b"\r\n", ORIGIN, expected_type="alert", max_bytes=LIMIT
    )
    assert isinstance(result, Decoded)


def test_origin_renders_as_topic_partition_offset() -> None:
    assert str(Origin("alerts", 3, 42)) == "alerts[3]@42"


# --- not JSON ---------------------------------------------------------------------------


def test_none_value() -> None:
    result = invalid(None)
    assert result.reason == "empty message (null value)"
    assert result.raw == b""
    assert result.origin == ORIGIN


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (b"", "empty document"),
        (b"{", "unexpected end of data"),
        (b'{"type": "alert",}', "trailing comma"),
        (b"{'type': 'alert'}", "expected a string key"),
    ],
    ids=["empty", "truncated", "trailing-comma", "single-quotes"],
)
def test_bad_json(raw: bytes, detail: str) -> None:
    text = reason(raw)
    assert text.startswith("not valid JSON: ")
    assert detail in text


def test_invalid_utf8() -> None:
    text = reason(b"\xff\xfe")
    assert text.startswith("not valid JSON: ")
    assert "not valid UTF-8" in text


def test_invalid_utf8_inside_a_string() -> None:
    raw = as_line(alert())[:-1] + b', "summary": "caf\xe9"}'
    assert "not valid UTF-8" in reason(raw)


@pytest.mark.parametrize(
    ("literal", "detail"),
    [
        (b"NaN", "unexpected character"),
        (b"Infinity", "unexpected character"),
        (b"-Infinity", "no digit after sign"),
    ],
)
def test_nan_and_infinity_literals_are_not_json(literal: bytes, detail: str) -> None:
    raw = as_line(alert())[:-1] + b', "summary": ' + literal + b"}"
    text = reason(raw)
    assert text.startswith("not valid JSON: ")
    assert detail in text


def test_deep_nesting_is_rejected_by_the_parser() -> None:
    raw = b"[" * 5000 + b"]" * 5000
    text = reason(raw)
    assert text.startswith("not valid JSON: ")
    assert "depth limit exceeded" in text


def test_deep_nesting_within_the_parser_limit_is_a_validation_error() -> None:
    nested = b"[" * 1000 + b'"x"' + b"]" * 1000
    raw = as_line(alert())[:-1] + b', "labels": {"team": ' + nested + b"}}"
    assert reason(raw) == ("labels.team: Input should be a valid string")


def test_number_beyond_double_range_is_not_json() -> None:
    text = reason(b'{"type": "alert", "x": 1' + b"0" * 400 + b"}")
    assert text.startswith("not valid JSON: ")
    assert "infinity" in text


def test_huge_integers_are_validation_errors() -> None:
    base = as_line(without(alert(), "event_id"))[:-1]
    raw = base + b', "event_id": 123456789012345678901234567890}'
    assert reason(raw) == "event_id: Input should be a valid string"
    base = as_line(without(alert(), "occurred_at"))[:-1]
    raw = base + b', "occurred_at": 99999999999999999999999999}'
    assert reason(raw) == (
        "occurred_at: must be an RFC 3339 string with a UTC offset, e.g. 2026-03-01T12:00:00Z"
    )


# --- JSON, but not an object ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"[]", "expected a JSON object, got list"),
        (b"[" + as_line(alert()) + b"]", "expected a JSON object, got list"),
        (b"42", "expected a JSON object, got int"),
        (b"4.2", "expected a JSON object, got float"),
        (b'"alert"', "expected a JSON object, got str"),
        (b"true", "expected a JSON object, got bool"),
        (b"null", "expected a JSON object, got NoneType"),
    ],
)
def test_json_that_is_not_an_object(raw: bytes, expected: str) -> None:
    assert reason(raw) == expected


# --- size -------------------------------------------------------------------------------


def test_oversized_message_names_both_sizes() -> None:
    assert reason(b"x" * 1025, max_bytes=1024) == (
        "message of 1025 bytes exceeds the 1024 byte limit"
    )


def test_size_is_checked_before_parsing() -> None:
    raw = as_line(alert(summary="s" * 2000))
    assert len(raw) > 1024
    result = invalid(raw, max_bytes=1024)
    assert result.reason == f"message of {len(raw)} bytes exceeds the 1024 byte limit"
    assert result.raw is raw


def test_message_of_exactly_max_bytes_is_accepted() -> None:
    raw = as_line(alert())
    result = decode(raw, ORIGIN, expected_type="alert", max_bytes=len(raw))
    assert isinstance(result, Decoded)


# --- type and topic ---------------------------------------------------------------------


def test_alert_on_the_deploys_topic() -> None:
    origin = Origin("deploys", 0, 7)
    result = invalid(as_line(alert()), expected_type="deploy", origin=origin)
    assert result.reason == "event type 'alert' does not belong on topic 'deploys'"
    assert result.origin == origin


def test_type_mismatch_is_reported_even_if_the_event_is_otherwise_invalid() -> None:
    raw = as_line({"type": "ticket"})
    assert reason(raw, expected_type="deploy", origin=Origin("deploys", 0, 0)) == (
        "event type 'ticket' does not belong on topic 'deploys'"
    )


def test_unknown_type_on_a_typed_topic_is_a_validation_error() -> None:
    assert reason(as_line(alert(type="page"))) == (
        "Input tag 'page' found using 'type' does not match any of the expected tags: "
        "'alert', 'deploy', 'ticket'"
    )


def test_missing_type() -> None:
    assert reason(b"{}") == "Unable to extract tag using discriminator 'type'"


def test_non_string_type() -> None:
    assert reason(b'{"type": ["alert"]}') == (
        "Input tag '['alert']' found using 'type' does not match any of the expected tags: "
        "'alert', 'deploy', 'ticket'"
    )


# --- validation -------------------------------------------------------------------------


def test_missing_fields_are_all_listed() -> None:
    raw = as_line(without(alert(), "service", "severity"))
    assert reason(raw) == "service: Field required; severity: Field required"


def test_naive_timestamp_reason() -> None:
    assert reason(as_line(alert(occurred_at="2026-03-02T10:00:00"))) == (
        "occurred_at: timestamp has no UTC offset (naive timestamps are rejected; add Z or +HH:MM)"
    )


def test_timestamp_overflow_is_invalid_not_a_crash() -> None:
    assert reason(as_line(alert(occurred_at="9999-12-31T23:59:59-01:00"))) == (
        "occurred_at: timestamp is outside 1970-01-01 .. 2100-01-01"
    )


def test_long_reasons_are_truncated() -> None:
    extra = {f"unknown_field_{n:03d}": 1 for n in range(200)}
    text = reason(as_line(alert(**extra)))
    assert len(text) == MAX_REASON_CHARS
    assert text.startswith("unknown_field_000: Extra inputs are not permitted; ")
    assert text.endswith("…")


# --- format_validation_error ------------------------------------------------------------


def validation_error(data: dict[str, Any]) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        EVENT_ADAPTER.validate_python(data)
    return info.value


def test_format_drops_the_discriminator_prefix_and_joins_with_semicolons() -> None:
    exc = validation_error(alert(service="", occurred_at="2026-03-02T10:00:00", labels={"a": 1}))
    assert [e["loc"][0] for e in exc.errors()] == ["alert", "alert", "alert"]
    assert format_validation_error(exc) == (
        "service: String should have at least 1 character; "
        "occurred_at: timestamp has no UTC offset (naive timestamps are rejected; "
        "add Z or +HH:MM); "
        "labels.a: Input should be a valid string"
    )


@pytest.mark.parametrize(("factory", "field"), [(deploy, "deploy_id"), (ticket, "ticket_id")])
def test_format_drops_deploy_and_ticket_prefixes(factory: Any, field: str) -> None:
    exc = validation_error(without(factory(), field))
    assert format_validation_error(exc) == f"{field}: Field required"


def test_format_without_location() -> None:
    exc = validation_error({"type": "page"})
    assert format_validation_error(exc) == (
        "Input tag 'page' found using 'type' does not match any of the expected tags: "
        "'alert', 'deploy', 'ticket'"
    )


def test_format_on_a_plain_model() -> None:
    with pytest.raises(ValidationError) as info:
        DeployEvent.model_validate(deploy(commit_sha="xyz"))
    assert format_validation_error(info.value) == (
        "commit_sha: String should match pattern '^[0-9a-fA-F]{4,64}$'"
    )


# --- decode_line ------------------------------------------------------------------------


def test_decode_line_returns_the_event_or_the_reason() -> None:
    event = decode_line(as_line(ticket(event_id="t-1")), max_bytes=LIMIT)
    assert isinstance(event, TicketEvent)
    assert event.event_id == "t-1"
    assert decode_line(b"[]", max_bytes=LIMIT) == "expected a JSON object, got list"


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
factories = st.sampled_from([alert, deploy, ticket])


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


expected_types = st.sampled_from([None, "alert", "deploy", "ticket"])


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
