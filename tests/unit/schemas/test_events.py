"""Event contract v1: the rules in schemas/events.py, with exact expectations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.events import (
    EVENT_ADAPTER,
    AlertEvent,
    DeployEvent,
    TicketEvent,
)
from streams.ingest.decode import format_validation_error
from tests.support.factories import alert, deploy, ticket, without

NAIVE = "occurred_at: timestamp has no UTC offset (naive timestamps are rejected; add Z or +HH:MM)"
NOT_A_STRING = (
    "occurred_at: must be an RFC 3339 string with a UTC offset, e.g. 2026-03-01T12:00:00Z"
)
CONTROL_CHARS = "must not contain control characters or line breaks"


def parse(data: dict[str, Any]) -> AlertEvent | DeployEvent | TicketEvent:
    return EVENT_ADAPTER.validate_python(data)


def rejection(data: dict[str, Any]) -> str:
    """Return the one-line reason ``data`` is rejected (fails if it is accepted)."""
    with pytest.raises(ValidationError) as info:
        parse(data)
    return format_validation_error(info.value)


# --- timestamps -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["2026-03-02T10:00:00", "2026-03-02T10:00:00.123"],
    ids=["naive", "naive-ms"],
)
def test_timestamp_without_offset_is_rejected(value: str) -> None:
    assert rejection(alert(occurred_at=value)) == NAIVE


def test_date_without_time_is_rejected() -> None:
    assert rejection(alert(occurred_at="2026-03-02")) == NOT_A_STRING


@pytest.mark.parametrize("value", [1772445600, 1772445600.5, 1772445600000, None, True], ids=repr)
def test_timestamp_that_is_not_a_string_is_rejected(value: object) -> None:
    assert rejection(alert(occurred_at=value)) == NOT_A_STRING


@pytest.mark.parametrize("value", ["1772445600", "1772445600000"], ids=["seconds", "millis"])
def test_epoch_number_in_a_string_is_rejected(value: str) -> None:
    assert rejection(alert(occurred_at=value)) == NOT_A_STRING


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-02T11:21:00+01:00", datetime(2026, 3, 2, 10, 21, tzinfo=UTC)),
        ("2026-03-02T10:21:00Z", datetime(2026, 3, 2, 10, 21, tzinfo=UTC)),
        ("2026-03-02T10:21:00+00:00", datetime(2026, 3, 2, 10, 21, tzinfo=UTC)),
        ("2026-03-02T05:21:00-05:00", datetime(2026, 3, 2, 10, 21, tzinfo=UTC)),
        ("2026-03-02T00:30:00+05:30", datetime(2026, 3, 1, 19, 0, tzinfo=UTC)),
    ],
)
def test_offsets_are_converted_to_utc(value: str, expected: datetime) -> None:
    event = parse(alert(occurred_at=value))
    assert event.occurred_at == expected
    assert event.occurred_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "microsecond"),
    [
        ("2026-03-02T10:00:00.123999Z", 123000),
        ("2026-03-02T10:00:00.123000Z", 123000),
        ("2026-03-02T10:00:00.000999Z", 0),
        ("2026-03-02T10:00:00.999999Z", 999000),
        ("2026-03-02T10:00:00.5Z", 500000),
    ],
)
def test_sub_millisecond_digits_are_truncated_not_rounded(value: str, microsecond: int) -> None:
    event = parse(alert(occurred_at=value))
    assert event.occurred_at == datetime(2026, 3, 2, 10, 0, 0, microsecond, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1970-01-01T00:00:00Z", datetime(1970, 1, 1, tzinfo=UTC)),
        ("2099-12-31T23:59:59.999Z", datetime(2099, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)),
        ("2099-12-31T23:59:59.999999Z", datetime(2099, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)),
    ],
)
def test_timestamps_inside_bounds_are_accepted(value: str, expected: datetime) -> None:
    assert parse(alert(occurred_at=value)).occurred_at == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (
            "2100-01-01T00:00:00Z",
            "occurred_at: timestamp 2100-01-01T00:00:00+00:00 is outside 1970-01-01 .. 2100-01-01",
        ),
        (
            "1969-12-31T23:59:59.999Z",
            "occurred_at: timestamp 1969-12-31T23:59:59.999000+00:00 is outside "
            "1970-01-01 .. 2100-01-01",
        ),
        (
            # Inside the bounds as written, outside once converted to UTC.
            "1970-01-01T00:30:00+01:00",
            "occurred_at: timestamp 1969-12-31T23:30:00+00:00 is outside 1970-01-01 .. 2100-01-01",
        ),
    ],
)
def test_timestamps_outside_bounds_are_rejected(value: str, reason: str) -> None:
    assert rejection(alert(occurred_at=value)) == reason


@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"], ids=["y9999", "y1"]
)
def test_timestamps_at_the_edge_of_datetime_are_a_validation_error(value: str) -> None:
    assert rejection(alert(occurred_at=value)) == (
        "occurred_at: timestamp is outside 1970-01-01 .. 2100-01-01"
    )


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("event_id", 5, "event_id: Input should be a valid string"),
        ("service", ["api"], "service: Input should be a valid string"),
        ("environment", None, "environment: Input should be a valid string"),
        ("severity", 1, "severity: Input should be 'critical', 'high', 'medium' or 'low'"),
        ("labels", {"team": 1}, "labels.team: Input should be a valid string"),
        ("labels", ["team"], "labels: Input should be a valid dictionary"),
    ],
)
def test_wrong_types_are_rejected_not_coerced(field: str, value: object, reason: str) -> None:
    assert rejection(alert(**{field: value})) == reason


@pytest.mark.parametrize(
    ("factory", "field"),
    [
        (alert, "event_id"),
        (alert, "service"),
        (alert, "occurred_at"),
        (alert, "alert_id"),
        (alert, "name"),
        (alert, "status"),
        (alert, "severity"),
        (deploy, "deploy_id"),
        (deploy, "status"),
        (ticket, "ticket_id"),
        (ticket, "status"),
    ],
)
def test_missing_required_field_is_rejected(factory: Any, field: str) -> None:
    assert rejection(without(factory(), field)) == f"{field}: Field required"


def test_all_errors_are_reported_together() -> None:
    reason = rejection(without(alert(service="", occurred_at="2026-03-02T10:00:00"), "name"))
    assert reason == (
        f"service: String should have at least 1 character; {NAIVE}; name: Field required"
    )


# --- names and identifiers --------------------------------------------------------------


def test_empty_service_is_rejected() -> None:
    assert rejection(alert(service="")) == "service: String should have at least 1 character"


def test_service_of_128_characters_is_accepted() -> None:
    assert parse(alert(service="s" * 128)).service == "s" * 128


def test_service_over_128_characters_is_rejected() -> None:
    assert rejection(alert(service="s" * 129)) == (
        "service: String should have at most 128 characters"
    )


def test_event_id_limit_is_256_characters() -> None:
    assert parse(alert(event_id="e" * 256)).event_id == "e" * 256
    assert rejection(alert(event_id="e" * 257)) == (
        "event_id: String should have at most 256 characters"
    )


@pytest.mark.parametrize(
    "value",
    ["check\nout", "check\tout", "\x00", "checkout\r", "check\x1bout", "check\x7fout"],
    ids=["LF", "TAB", "NUL", "CR", "ESC", "DEL"],
)
@pytest.mark.parametrize("field", ["service", "environment", "source", "event_id"])
def test_control_characters_are_rejected(field: str, value: str) -> None:
    assert rejection(alert(**{field: value})) == f"{field}: {CONTROL_CHARS}"


def test_unicode_names_are_accepted() -> None:
    assert parse(alert(service="zahlungsdienst-ü-日本")).service == "zahlungsdienst-ü-日本"


# --- literals ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["firing", "resolved"])
def test_alert_statuses(status: str) -> None:
    assert parse(alert(status=status)).status == status


@pytest.mark.parametrize("severity", ["critical", "high", "medium", "low"])
def test_alert_severities(severity: str) -> None:
    event = parse(alert(severity=severity))
    assert isinstance(event, AlertEvent)
    assert event.severity == severity


@pytest.mark.parametrize("category", ["availability", "performance", "security", "other"])
def test_alert_categories(category: str) -> None:
    event = parse(alert(category=category))
    assert isinstance(event, AlertEvent)
    assert event.category == category


@pytest.mark.parametrize("status", ["started", "succeeded", "failed"])
def test_deploy_statuses(status: str) -> None:
    assert parse(deploy(status=status)).status == status


@pytest.mark.parametrize("kind", ["release", "rollback", "hotfix", "config"])
def test_deploy_kinds(kind: str) -> None:
    event = parse(deploy(kind=kind))
    assert isinstance(event, DeployEvent)
    assert event.kind == kind


@pytest.mark.parametrize(
    "status",
    ["opened", "acknowledged", "identified", "mitigated", "resolved", "closed", "reopened"],
)
def test_ticket_statuses(status: str) -> None:
    assert parse(ticket(status=status)).status == status


@pytest.mark.parametrize("severity", ["critical", "high", "medium", "low"])
def test_ticket_severities(severity: str) -> None:
    event = parse(ticket(severity=severity))
    assert isinstance(event, TicketEvent)
    assert event.severity == severity


@pytest.mark.parametrize(
    ("factory", "overrides", "reason"),
    [
        (alert, {"status": "open"}, "status: Input should be 'firing' or 'resolved'"),
        (alert, {"status": "FIRING"}, "status: Input should be 'firing' or 'resolved'"),
        (
            alert,
            {"severity": "warning"},
            "severity: Input should be 'critical', 'high', 'medium' or 'low'",
        ),
        (
            alert,
            {"category": "latency"},
            "category: Input should be 'availability', 'performance', 'security' or 'other'",
        ),
        (
            deploy,
            {"status": "done"},
            "status: Input should be 'started', 'succeeded' or 'failed'",
        ),
        (
            deploy,
            {"kind": "canary"},
            "kind: Input should be 'release', 'rollback', 'hotfix' or 'config'",
        ),
        (
            ticket,
            {"status": "new"},
            "status: Input should be 'opened', 'acknowledged', 'identified', 'mitigated', "
            "'resolved', 'closed' or 'reopened'",
        ),
    ],
)
def test_unknown_literals_are_rejected(
    factory: Any, overrides: dict[str, str], reason: str
) -> None:
    assert rejection(factory(**overrides)) == reason


def test_unknown_type_is_rejected() -> None:
    assert rejection(alert(type="page")) == (
        "Input tag 'page' found using 'type' does not match any of the expected tags: "
        "'alert', 'deploy', 'ticket'"
    )


def test_missing_type_is_rejected() -> None:
    assert rejection(without(alert(), "type")) == (
        "Unable to extract tag using discriminator 'type'"
    )


# --- deploy commit_sha ------------------------------------------------------------------


@pytest.mark.parametrize(
    "sha",
    ["abcd", "0123456789abcdef0123456789abcdef01234567", "DEADBEEF", "a" * 64],
    ids=["4-chars", "sha1", "upper", "64-chars"],
)
def test_commit_sha_accepted(sha: str) -> None:
    event = parse(deploy(commit_sha=sha))
    assert isinstance(event, DeployEvent)
    assert event.commit_sha == sha


@pytest.mark.parametrize(
    "sha",
    ["abc", "a" * 65, "g123456", "abcd ef", " abcd", "abcd\n", ""],
    ids=["3-chars", "65-chars", "non-hex", "space", "leading-space", "newline", "empty"],
)
def test_commit_sha_rejected(sha: str) -> None:
    assert rejection(deploy(commit_sha=sha)) == (
        "commit_sha: String should match pattern '^[0-9a-fA-F]{4,64}$'"
    )


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-02T10:00Z",  # no seconds
        "2026-03-02T10:00:00+0530",  # offset without colon
        "2026-03-02 10:00:00Z",  # space instead of T
        "2026-03-02T10:00:00,5Z",  # comma decimal separator
        "2026-03-02T10:00:00Z trailing",
    ],
)
def test_only_strict_rfc3339_is_accepted(value: str) -> None:
    assert rejection(alert(occurred_at=value)) == NOT_A_STRING


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-02t10:00:00z", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
        ("2026-03-02T15:30:00.123456789+05:30", datetime(2026, 3, 2, 10, 0, 0, 123000, tzinfo=UTC)),
    ],
)
def test_rfc3339_variants_that_are_accepted(value: str, expected: datetime) -> None:
    assert parse(alert(occurred_at=value)).occurred_at == expected
