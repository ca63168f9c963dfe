"""PagerDuty adapter: invalid payloads name the JSON path; invalid configuration fails at
start-up.

README.md, "Webhooks: ``mttr gateway``", and streams/gateway/adapters/pagerduty.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.pagerduty import PagerDutyConfig, convert
from tests.support.pagerduty_payloads import CONFIG, load, only_event

# --- invalid payloads name the path -----------------------------------------------------


def broken(edit: Any) -> dict[str, Any]:
    payload = load("derived_incident_triggered.json")
    edit(payload)
    return payload


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("x", "body: expected a JSON object, got str"),
        ({}, "event: missing"),
        ({"event": []}, "event.event_type: missing"),
        (
            broken(lambda p: p["event"].update(event_type=None)),
            "event.event_type: expected str, got NoneType",
        ),
        (broken(lambda p: p["event"].pop("occurred_at")), "event.occurred_at: missing"),
        (
            broken(lambda p: p["event"].update(occurred_at="2020-10-02T18:40:05")),
            "event.occurred_at: timestamp has no UTC offset (naive timestamps are rejected; "
            "add Z or +HH:MM)",
        ),
        (
            broken(lambda p: p["event"].update(occurred_at="1601664005")),
            "event.occurred_at: must be an RFC 3339 string with a UTC offset, "
            "e.g. 2026-03-01T12:00:00Z",
        ),
        (broken(lambda p: p["event"].pop("data")), "event.data: missing"),
        (
            broken(lambda p: p["event"]["data"].update(type="incident_note")),
            "event.data.type: expected 'incident' for incident.triggered, got 'incident_note'",
        ),
        (broken(lambda p: p["event"]["data"].pop("id")), "event.data.id: missing"),
        (broken(lambda p: p["event"]["data"].pop("service")), "event.data.service: missing"),
        (
            broken(lambda p: p["event"]["data"]["service"].pop("summary")),
            "event.data.service.summary: missing",
        ),
        (
            broken(lambda p: p["event"]["data"]["service"].update(summary="  ")),
            "event.data.service.summary: must not be blank",
        ),
        (
            broken(lambda p: p["event"]["data"]["priority"].pop("summary")),
            "event.data.priority.summary: missing",
        ),
        (
            broken(lambda p: p["event"]["data"].update(priority=None, urgency=1)),
            "event.data.urgency: expected str, got int",
        ),
        (
            broken(lambda p: p["event"]["data"].update(title=5)),
            "event.data.title: expected str, got int",
        ),
        (
            broken(lambda p: p["event"]["data"].update(html_url="https://x/" + "a" * 2048)),
            "event.data.html_url: String should have at most 2048 characters",
        ),
        (
            broken(lambda p: p["event"]["data"].update(id=" ")),
            "event.data.id: must not be blank",
        ),
        (
            broken(lambda p: p["event"]["data"].update(id="P\x00")),
            "event.data.id: must not contain control characters or line breaks",
        ),
    ],
)
def test_invalid_payloads_name_the_json_path(payload: Any, message: str) -> None:
    with pytest.raises(PayloadError) as info:
        convert(payload, CONFIG)
    assert str(info.value) == message


def test_an_ignored_type_needs_no_incident_fields() -> None:
    assert convert({"event": {"event_type": "service.deleted"}}, CONFIG).ignored is not None


# --- configuration ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"priority_map": {"P1": "sev1"}}, r"priority_map\['P1'\]: 'sev1' is not one of"),
        ({"urgency_map": {"high": "urgent"}}, r"urgency_map\['high'\]: 'urgent' is not one of"),
        ({"services": {"PF9KMXH": ""}}, r"invalid service/environment name ''"),
        ({"environment": "a\tb"}, r"invalid service/environment name 'a\\tb'"),
    ],
)
def test_invalid_configuration_fails_at_start_up(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PagerDutyConfig(**kwargs)


def test_environment_is_configurable() -> None:
    config = PagerDutyConfig(environment="staging")
    event = only_event(convert(load("derived_incident_triggered.json"), config))
    assert event["environment"] == "staging"
