"""ServiceNow adapter: incident posts (our business-rule JSON) to ticket events, Basic auth.

docs/sources/servicenow.md and streams/gateway/adapters/servicenow.py; fixtures:
tests/fixtures/servicenow/SOURCES.md.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from streams.gateway.adapters.base import Converted, PayloadError, SignatureError
from streams.gateway.adapters.servicenow import ServiceNowAdapter, ServiceNowConfig, convert
from tests.support.servicenow_payloads import CONFIG, FIXTURES, load, only_event

SYS_ID = "9d385017c611228701d22104cc95c371"


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_a_new_incident_is_opened_at_opened_at() -> None:
    event = only_event(convert(load("incident_new.json"), CONFIG))
    assert event == {
        "event_id": f"servicenow-{SYS_ID}-opened-2024-05-02T09:15:00Z",
        "type": "ticket",
        "source": "servicenow",
        "service": "PaymentGateway",
        "environment": "production",
        "occurred_at": "2024-05-02T09:15:00Z",
        "ticket_id": "INC0010042",
        "status": "opened",
        "severity": "critical",
        "title": "Checkout payments failing with HTTP 502",
        "url": f"https://example.service-now.com/nav_to.do?uri=incident.do?sys_id={SYS_ID}",
    }


@pytest.mark.parametrize(
    ("fixture", "status", "occurred_at"),
    [
        ("incident_in_progress.json", "acknowledged", "2024-05-02T09:21:30Z"),
        ("incident_on_hold.json", "acknowledged", "2024-05-02T09:40:00Z"),
        ("incident_resolved.json", "resolved", "2024-05-02T10:02:45Z"),
        ("incident_reopened.json", "reopened", "2024-05-02T10:20:10Z"),
        ("incident_closed.json", "closed", "2024-05-05T10:05:00Z"),
        ("incident_canceled.json", "closed", "2024-05-02T09:30:00Z"),
        ("incident_display_values.json", "acknowledged", "2024-05-02T09:21:30Z"),
    ],
)
def test_states(fixture: str, status: str, occurred_at: str) -> None:
    event = only_event(convert(load(fixture), CONFIG))
    assert (event["status"], event["occurred_at"]) == (status, occurred_at)
    assert event["event_id"] == f"servicenow-{SYS_ID}-{status}-{occurred_at}"


def test_display_values_and_numbers_are_accepted() -> None:
    assert only_event(convert(load("incident_display_values.json"), CONFIG))["severity"] == "high"
    payload = {**load("incident_new.json"), "state": 1, "priority": 4}
    event = only_event(convert(payload, CONFIG))
    assert (event["status"], event["severity"]) == ("opened", "low")


@pytest.mark.parametrize(("priority", "severity"), [("3 - Moderate", "medium"), ("5", "low"),
                                                     ("", None), ("9", None)])  # fmt: skip
def test_priorities(priority: str, severity: str | None) -> None:
    payload = {**load("incident_new.json"), "priority": priority}
    assert only_event(convert(payload, CONFIG))["severity"] == severity


def test_a_repeated_post_in_the_same_state_gets_the_same_id() -> None:
    first = only_event(convert(load("incident_new.json"), CONFIG))
    later = {**load("incident_new.json"), "sys_updated_on": "2024-05-02 09:17:00"}
    assert only_event(convert(later, CONFIG))["event_id"] == first["event_id"]


def test_unknown_states_are_ignored_and_maps_extend() -> None:
    payload = {**load("incident_new.json"), "state": "10"}
    assert convert(payload, CONFIG) == Converted(
        ignored="incident state '10' is not in the state map"
    )
    config = ServiceNowConfig(state_map={"10": "identified"}, services={"paymentgateway": "pay"})
    event = only_event(convert(payload, config))
    assert (event["status"], event["service"]) == ("identified", "pay")


def test_service_falls_back_to_the_default() -> None:
    payload = {**load("incident_new.json"), "cmdb_ci": ""}
    assert only_event(convert(payload, ServiceNowConfig(default_service="it")))["service"] == "it"
    with pytest.raises(PayloadError, match="^cmdb_ci: empty, and no default service"):
        convert(payload, CONFIG)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"opened_at": "05/02/2024 11:15:00 AM"},
         "opened_at: '05/02/2024 11:15:00 AM' is not a UTC value 'YYYY-MM-DD HH:MM:SS'"),
        ({"opened_at": "", "sys_updated_on": None}, "sys_updated_on: expected str, got NoneType"),
        ({"sys_id": " "}, "sys_id: must not be blank"),
        ({"number": None}, "number: expected str, got NoneType"),
        ({"state": None}, "state: expected str/int, got NoneType"),
        ({"number": ""}, "number: String should have at least 1 character"),
    ],
)  # fmt: skip
def test_bad_fields_name_the_path(change: dict[str, Any], message: str) -> None:
    with pytest.raises(PayloadError) as info:
        convert({**load("incident_new.json"), **change}, CONFIG)
    assert str(info.value).startswith(message)


# --- authentication ---------------------------------------------------------------------

ADAPTER = ServiceNowAdapter(CONFIG, username="mttr", password="s3cret")


def body() -> bytes:
    return (FIXTURES / "incident_new.json").read_bytes()


def test_basic_credentials_are_required_when_configured() -> None:
    assert ADAPTER.basic_auth
    first = ADAPTER.convert(body(), basic("mttr", "s3cret"))
    assert [e["status"] for e in first.events] == ["opened"]
    assert ADAPTER.convert(body(), basic("mttr", "s3cret")) == first  # replay: same ids


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Authorization header is missing (expected Basic credentials)"),
        ({"Authorization": "Bearer abc"}, "Authorization: expected 'Basic <base64 user:password>'"),
        ({"Authorization": "Basic ***"}, "Authorization: Basic credentials are not valid base64"),
        (basic("mttr", "wrong"), "Authorization: Basic credentials do not match"),
        (basic("other", "s3cret"), "Authorization: Basic credentials do not match"),
        ({"Authorization": "Basic " + base64.b64encode(b"mttrs3cret").decode()},
         "Authorization: Basic credentials do not match"),
    ],
)  # fmt: skip
def test_wrong_or_missing_basic_credentials_are_401(headers: dict[str, str], message: str) -> None:
    with pytest.raises(SignatureError) as info:
        ADAPTER.convert(body(), headers)
    assert str(info.value) == message


def test_basic_is_checked_before_parsing_and_never_shown() -> None:
    with pytest.raises(SignatureError):
        ADAPTER.convert(b"not json", {})
    assert "s3cret" not in repr(ADAPTER)


def test_without_credentials_the_gateway_token_applies() -> None:
    adapter = ServiceNowAdapter(CONFIG)
    assert ServiceNowAdapter.token_auth is True
    assert not adapter.basic_auth
    assert adapter.convert(body(), {}).events


def test_half_configured_credentials_fail_at_start_up() -> None:
    with pytest.raises(ValueError, match="needs both a username and a password"):
        ServiceNowAdapter(CONFIG, username="mttr")
    with pytest.raises(ValueError, match="state_map"):
        ServiceNowConfig(state_map={"1": "new"})
