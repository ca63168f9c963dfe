"""Event contract v1.1, fields: names and identifiers, literals, a deploy's commit_sha.

The rules in schemas/events.py with exact expectations; documented in
docs/events.md, "Common fields", "Alert", "Deploy", "Ticket" and "Validation
rules". Timestamps are in test_event_timestamps.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from schemas.events import AlertEvent, DeployEvent, TicketEvent
from tests.support.factories import alert, deploy, ticket, without
from tests.support.rejections import NOT_A_STRING, parse, rejection

CONTROL_CHARS = "must not contain control characters or line breaks"


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


@pytest.mark.parametrize("kind", ["release", "rollback", "hotfix", "config", "remediation"])
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
            "kind: Input should be 'release', 'rollback', 'hotfix', 'config' or 'remediation'",
        ),
        (
            ticket,
            {"status": "new"},
            "status: Input should be 'opened', 'acknowledged', 'identified', 'mitigated', "
            "'resolved', 'closed', 'reopened' or 'postmortem'",
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
        "'alert', 'deploy', 'ticket', 'change'"
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
