"""PagerDuty adapter: documented v3 payloads in, exact ticket events out; signatures.

Fixtures are the v3 webhook documentation examples, variants derived from
them, and the signed body of PagerDuty's own client library tests
(tests/fixtures/pagerduty/SOURCES.md). Expected events are worked out by
hand from the fixture text.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.events import EVENT_ADAPTER, TicketEvent
from streams.gateway.adapters.base import Converted, PayloadError, SignatureError
from streams.gateway.adapters.pagerduty import (
    DEFAULT_PRIORITY_MAP,
    PagerDutyConfig,
    convert,
    verify_signature,
)
from tests.support import paths

FIXTURES = paths.FIXTURES / "pagerduty"
CONFIG = PagerDutyConfig()
# go-pagerduty webhookv3 tests: this secret signs signed_priority_updated.body.json as below.
GO_SECRET = "lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itBAYzwU0TARw8lJqRnkKl2iB1anSb0Z+IK"
GO_SIGNATURE = "v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd"
GO_MISMATCH = "v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5"

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


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def signed_body() -> bytes:
    # Published without a trailing newline; tolerate one added by an editor.
    return (FIXTURES / "signed_priority_updated.body.json").read_bytes().removesuffix(b"\n")


def only_event(converted: Converted) -> dict[str, Any]:
    assert converted.ignored is None
    assert len(converted.events) == 1
    event = converted.events[0]
    assert isinstance(EVENT_ADAPTER.validate_python(event), TicketEvent)
    return event


def sign(body: bytes, secret: str) -> str:
    return "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- the fixtures -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "event_id", "occurred_at", "status"),
    [
        (
            "derived_incident_triggered.json",
            "pagerduty-01DERIVEDTRIGGERED00000001",
            "2020-10-02T18:40:05.000Z",
            "opened",
        ),
        (
            "derived_incident_acknowledged.json",
            "pagerduty-01DERIVEDACKNOWLEDGED00001",
            "2020-10-02T18:42:10.500Z",
            "acknowledged",
        ),
        (
            "derived_incident_resolved.json",
            "pagerduty-01DERIVEDRESOLVED000000001",
            "2020-10-02T19:05:00.000Z",
            "resolved",
        ),
        (
            "derived_incident_reopened.json",
            "pagerduty-01DERIVEDREOPENED000000001",
            "2020-10-02T19:09:30.250Z",
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
    assert parsed.occurred_at.isoformat() == "2020-10-02T18:42:10.123000+00:00"


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
        (broken(lambda p: p["event"].pop("id")), "event.id: missing"),
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
            broken(lambda p: p["event"].update(id=" ")),
            "event.id: must not be blank",
        ),
        (
            broken(lambda p: p["event"].update(id="01\x00")),
            "event.id: must not contain control characters or line breaks",
        ),
    ],
)
def test_invalid_payloads_name_the_json_path(payload: Any, message: str) -> None:
    with pytest.raises(PayloadError) as info:
        convert(payload, CONFIG)
    assert str(info.value) == message


def test_an_ignored_type_needs_no_incident_fields() -> None:
    assert convert({"event": {"event_type": "service.deleted"}}, CONFIG).ignored is not None


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


# --- signature --------------------------------------------------------------------------


def test_published_signature_verifies() -> None:
    verify_signature(signed_body(), GO_SIGNATURE, [GO_SECRET])
    verify_signature(signed_body(), GO_SIGNATURE, GO_SECRET)  # one secret as a plain string


def test_the_signed_body_is_the_documented_example_it_claims_to_be() -> None:
    assert convert(json.loads(signed_body()), CONFIG) == Converted(
        ignored="event.event_type 'incident.priority_updated' is not converted"
    )


@pytest.mark.parametrize(
    "header",
    [
        f"{GO_MISMATCH},{GO_SIGNATURE}",  # rotation: the second one matches
        f"{GO_SIGNATURE}, {GO_MISMATCH}",
        f"v0=abc,{GO_SIGNATURE}",  # other versions are skipped
        GO_SIGNATURE.upper().replace("V1=", "v1="),
    ],
)
def test_any_matching_v1_signature_is_enough(header: str) -> None:
    verify_signature(signed_body(), header, [GO_SECRET])


def test_any_configured_secret_may_match() -> None:
    body = (FIXTURES / "derived_incident_triggered.json").read_bytes()
    verify_signature(body, sign(body, "new"), ["old", "new"])
    verify_signature(body, sign(body, "old"), ["old", "new"])


@pytest.mark.parametrize(
    ("header", "secrets", "message"),
    [
        (None, [GO_SECRET], "X-PagerDuty-Signature header is missing"),
        ("", [GO_SECRET], "X-PagerDuty-Signature header is missing"),
        ("0c0b9495b893a39e", [GO_SECRET], "X-PagerDuty-Signature: no 'v1=<hex>' signature"),
        ("v2=0c0b9495b893a39e", [GO_SECRET], "X-PagerDuty-Signature: no 'v1=<hex>' signature"),
        (GO_MISMATCH, [GO_SECRET], "X-PagerDuty-Signature: no signature matches the body"),
        (GO_SIGNATURE, ["wrong"], "X-PagerDuty-Signature: no signature matches the body"),
        (GO_SIGNATURE[:-2], [GO_SECRET], "X-PagerDuty-Signature: no signature matches the body"),
        ("v1=zzzé", [GO_SECRET], "X-PagerDuty-Signature: no signature matches the body"),
        (GO_SIGNATURE, [], "no PagerDuty webhook secret is configured"),
        (GO_SIGNATURE, ["", ""], "no PagerDuty webhook secret is configured"),
    ],
)
def test_bad_signatures_are_rejected(header: str | None, secrets: Any, message: str) -> None:
    with pytest.raises(SignatureError) as info:
        verify_signature(signed_body(), header, secrets)
    assert str(info.value) == message


def test_a_signature_of_another_body_is_rejected() -> None:
    replayed = (FIXTURES / "derived_incident_resolved.json").read_bytes()
    with pytest.raises(SignatureError, match="no signature matches"):
        verify_signature(replayed, GO_SIGNATURE, [GO_SECRET])


def test_a_reformatted_body_is_rejected() -> None:
    # Same JSON, different bytes: the signature covers the raw body.
    reformatted = json.dumps(json.loads(signed_body()), indent=2).encode()
    with pytest.raises(SignatureError, match="no signature matches"):
        verify_signature(reformatted, GO_SIGNATURE, [GO_SECRET])


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


# --- robustness -------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
PATHS = [
    ("event",),
    ("event", "id"),
    ("event", "event_type"),
    ("event", "occurred_at"),
    ("event", "data"),
    ("event", "data", "type"),
    ("event", "data", "id"),
    ("event", "data", "title"),
    ("event", "data", "html_url"),
    ("event", "data", "service"),
    ("event", "data", "service", "id"),
    ("event", "data", "service", "summary"),
    ("event", "data", "priority"),
    ("event", "data", "urgency"),
]


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from(PATHS), value=JSON)
def test_any_value_anywhere_is_converted_ignored_or_a_payload_error(
    path: tuple[str, ...], value: Any
) -> None:
    payload: Any = load("derived_incident_triggered.json")
    target = payload
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    try:
        converted = convert(payload, CONFIG)
    except PayloadError:
        return
    for event in converted.events:
        EVENT_ADAPTER.validate_python(event)
