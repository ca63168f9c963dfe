"""decode() of JSON objects: type and topic, validation, format_validation_error, decode_line.

Raw bytes become Decoded or Invalid with a precise reason, never an exception;
docs/events.md, "Topics and keys", "Validation rules" and "Dead letters".

Reasons we write ourselves are asserted exactly. Where the reason embeds
orjson's own parser message (bad JSON), the test pins our prefix and the
stable part of orjson's wording, not its column numbers.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from schemas.events import EVENT_ADAPTER, DeployEvent, TicketEvent
from streams.ingest.decode import MAX_REASON_CHARS, Origin, decode_line, format_validation_error
from tests.support.factories import alert, as_line, deploy, ticket, without
from tests.support.rejections import LIMIT, invalid, reason

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
        "'alert', 'deploy', 'ticket', 'change'"
    )


def test_missing_type() -> None:
    assert reason(b"{}") == "Unable to extract tag using discriminator 'type'"


def test_non_string_type() -> None:
    assert reason(b'{"type": ["alert"]}') == (
        "Input tag '['alert']' found using 'type' does not match any of the expected tags: "
        "'alert', 'deploy', 'ticket', 'change'"
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
        "'alert', 'deploy', 'ticket', 'change'"
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
