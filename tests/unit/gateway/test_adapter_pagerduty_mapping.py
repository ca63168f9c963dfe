"""PagerDuty adapter: documented v3 payloads in, exact ticket events out.

The fixtures, the service, the severity (priority, then urgency), and ids that
are the same for a resent webhook. Fixtures are the v3 webhook documentation
examples and variants derived from them (tests/fixtures/pagerduty/SOURCES.md);
expected events are worked out by hand from the fixture text.
README.md, "Webhooks: ``mttr gateway``", and streams/gateway/adapters/pagerduty.py.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters.base import Converted
from streams.gateway.adapters.pagerduty import DEFAULT_PRIORITY_MAP, PagerDutyConfig, convert
from tests.support.pagerduty_payloads import CONFIG, load, only_event

COMMON = {
    "type": "ticket",
    "source": "pagerduty",
    "service": "API Service",  # data.service.summary
    "environment": "production",
    "ticket_id": "PGR0VU2",
    "severity": "critical",  # priority P1 (urgency high is only the fallback)
    "title": "A little bump in the road",
    "url": "https://acme.pagerduty.com/incidents/PGR0VU2",
}


# --- the fixtures -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "event_id", "occurred_at", "status"),
    [
        (
            "derived_incident_triggered.json",
            "pagerduty-PGR0VU2-opened-2020-10-02T18:40:05Z",
            "2020-10-02T18:40:05Z",
            "opened",
        ),
        (
            "derived_incident_acknowledged.json",
            "pagerduty-PGR0VU2-acknowledged-2020-10-02T18:42:10Z",
            "2020-10-02T18:42:10Z",
            "acknowledged",
        ),
        (
            "derived_incident_resolved.json",
            "pagerduty-PGR0VU2-resolved-2020-10-02T19:05:00Z",
            "2020-10-02T19:05:00Z",
            "resolved",
        ),
        (
            "derived_incident_reopened.json",
            "pagerduty-PGR0VU2-reopened-2020-10-02T19:09:30Z",
            "2020-10-02T19:09:30Z",
            "reopened",
        ),
    ],
)
def test_incident_events_become_ticket_events(
    name: str, event_id: str, occurred_at: str, status: str
) -> None:
    event = only_event(convert(load(name), CONFIG))
    assert event == {
        **COMMON,
        "event_id": event_id,
        "occurred_at": occurred_at,
        "status": status,
    }


@pytest.mark.parametrize(
    ("name", "event_type"),
    [
        ("incident_priority_updated.json", "incident.priority_updated"),
        ("service_updated.json", "service.updated"),
    ],
)
def test_documented_examples_of_other_types_are_ignored(name: str, event_type: str) -> None:
    assert convert(load(name), CONFIG) == Converted(
        ignored=f"event.event_type {event_type!r} is not converted"
    )


@pytest.mark.parametrize(
    "event_type",
    [
        "incident.annotated",
        "incident.delegated",
        "incident.escalated",
        "incident.reassigned",
        "incident.unacknowledged",
        "incident.responder.added",
        "incident.status_update_published",
        "pagey.ping",
    ],
)
def test_other_event_types_are_ignored(event_type: str) -> None:
    payload = load("derived_incident_triggered.json")
    payload["event"]["event_type"] = event_type
    assert convert(payload, CONFIG).ignored == f"event.event_type {event_type!r} is not converted"


def test_time_comes_from_the_payload() -> None:
    payload = load("derived_incident_acknowledged.json")
    payload["event"]["occurred_at"] = "2020-10-02T20:42:10.123456+02:00"
    event = only_event(convert(payload, CONFIG))
    parsed = EVENT_ADAPTER.validate_python(event)
    assert parsed.occurred_at.isoformat() == "2020-10-02T18:42:10+00:00"  # whole seconds, UTC


# --- service ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("services", "expected"),
    [
        ({}, "API Service"),
        ({"PF9KMXH": "api"}, "api"),  # by id
        ({"api service": "api"}, "api"),  # by name, any case
        ({"PF9KMXH": "by-id", "API Service": "by-name"}, "by-id"),  # id first
        ({"Other": "other"}, "API Service"),
    ],
)
def test_service_mapping(services: dict[str, str], expected: str) -> None:
    config = PagerDutyConfig(services=services)
    event = only_event(convert(load("derived_incident_triggered.json"), config))
    assert event["service"] == expected


# --- severity ---------------------------------------------------------------------------


def with_severity_fields(priority: Any, urgency: Any) -> dict[str, Any]:
    payload = load("derived_incident_triggered.json")
    payload["event"]["data"]["priority"] = priority
    payload["event"]["data"]["urgency"] = urgency
    return payload


@pytest.mark.parametrize(("name", "expected"), sorted(DEFAULT_PRIORITY_MAP.items()))
def test_default_priority_map(name: str, expected: str) -> None:
    payload = with_severity_fields({"id": "X", "summary": name}, "low")
    assert only_event(convert(payload, CONFIG))["severity"] == expected


@pytest.mark.parametrize(
    ("priority", "urgency", "expected"),
    [
        (None, "high", "high"),  # no priority: urgency
        (None, "low", "low"),
        ({"summary": "SEV-X"}, "low", "low"),  # unmapped priority: urgency
        ({"summary": "p2"}, "low", "high"),  # any case
        (None, None, None),
        (None, "medium-ish", None),
    ],
)
def test_urgency_is_the_fallback(priority: Any, urgency: Any, expected: str | None) -> None:
    payload = with_severity_fields(priority, urgency)
    assert only_event(convert(payload, CONFIG))["severity"] == expected


def test_severity_maps_are_configurable() -> None:
    config = PagerDutyConfig(priority_map={"SEV1": "critical"}, urgency_map={"high": "medium"})
    sev1 = convert(with_severity_fields({"summary": "sev1"}, "low"), config)
    p1 = convert(with_severity_fields({"summary": "P1"}, "high"), config)  # unmapped now
    assert only_event(sev1)["severity"] == "critical"
    assert only_event(p1)["severity"] == "medium"


def test_missing_title_and_url_are_null() -> None:
    payload = load("derived_incident_triggered.json")
    del payload["event"]["data"]["title"]
    payload["event"]["data"]["html_url"] = None
    event = only_event(convert(payload, CONFIG))
    assert (event["title"], event["url"]) == (None, None)


# --- determinism ------------------------------------------------------------------------


def test_a_resent_webhook_gets_the_same_ids() -> None:
    payload = load("derived_incident_resolved.json")
    assert convert(payload, CONFIG) == convert(copy.deepcopy(payload), PagerDutyConfig())


def test_each_pagerduty_event_gets_its_own_id() -> None:
    ids = {
        only_event(convert(load(f"derived_incident_{kind}.json"), CONFIG))["event_id"]
        for kind in ("triggered", "acknowledged", "resolved", "reopened")
    }
    assert len(ids) == 4
