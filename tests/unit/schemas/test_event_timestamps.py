"""Event contract v1.1, timestamps: offsets, precision, bounds; wrong types, missing fields.

The rules in schemas/events.py with exact expectations; documented in
docs/events.md, "Timestamps" and "Validation rules". Names, literals and
commit_sha are in test_event_fields.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.factories import alert, deploy, ticket, without
from tests.support.rejections import NOT_A_STRING, parse, rejection

NAIVE = "occurred_at: timestamp has no UTC offset (naive timestamps are rejected; add Z or +HH:MM)"


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
