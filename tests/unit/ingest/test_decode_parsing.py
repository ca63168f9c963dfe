"""decode() of bytes: valid input, not JSON, JSON but not an object, the size limit.

Raw bytes become Decoded or Invalid with a precise reason, never an exception;
docs/events.md, "Dead letters". Types and validation are in
test_decode_validation.py, the properties in test_decode_properties.py.

Reasons we write ourselves are asserted exactly. Where the reason embeds
orjson's own parser message (bad JSON), the test pins our prefix and the
stable part of orjson's wording, not its column numbers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from schemas.events import AlertEvent, DeployEvent, TicketEvent
from streams.ingest.decode import Decoded, Origin, decode
from tests.support.factories import alert, as_line, deploy, ticket, without
from tests.support.rejections import LIMIT, ORIGIN, invalid, reason

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
