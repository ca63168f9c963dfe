"""POST /webhooks/servicenow through the in-process gateway: 2xx with ids, 202, 400, 401."""

from __future__ import annotations

import base64

from pydantic import SecretStr

from streams.settings import Settings
from tests.support.gateway_requests import post
from tests.support.servicenow_payloads import FIXTURES

SETTINGS = Settings(servicenow_username="mttr", servicenow_password=SecretStr("s3cret"))
AUTH = {"Authorization": "Basic " + base64.b64encode(b"mttr:s3cret").decode()}
SYS_ID = "9d385017c611228701d22104cc95c371"


def test_a_resolved_incident_is_accepted_with_its_event_id() -> None:
    answer = post(
        SETTINGS, "/webhooks/servicenow", (FIXTURES / "incident_resolved.json").read_bytes(), AUTH
    )
    assert (answer.status, answer.body) == (
        200,
        {"accepted": 1, "event_ids": [f"servicenow-{SYS_ID}-resolved-2024-05-02T10:02:45Z"]},
    )


def test_an_unmapped_state_is_202() -> None:
    body = (FIXTURES / "incident_new.json").read_bytes().replace(b'"state": "1"', b'"state": "-5"')
    answer = post(SETTINGS, "/webhooks/servicenow", body, AUTH)
    assert (answer.status, answer.body) == (
        202,
        {"ignored": "incident state '-5' is not in the state map"},
    )


def test_a_display_value_time_is_400() -> None:
    body = (
        (FIXTURES / "incident_new.json")
        .read_bytes()
        .replace(b'"2024-05-02 09:15:00"', b'"02.05.2024 11:15:00"')
    )
    answer = post(SETTINGS, "/webhooks/servicenow", body, AUTH)
    assert answer.status == 400
    assert answer.body["error"].startswith("opened_at: '02.05.2024 11:15:00' is not a UTC value")


def test_wrong_or_missing_basic_credentials_are_401() -> None:
    body = (FIXTURES / "incident_new.json").read_bytes()
    assert post(SETTINGS, "/webhooks/servicenow", body).status == 401
    wrong = {"Authorization": "Basic " + base64.b64encode(b"mttr:guess").decode()}
    answer = post(SETTINGS, "/webhooks/servicenow", body, wrong)
    assert (answer.status, answer.body) == (
        401,
        {"error": "Authorization: Basic credentials do not match"},
    )
