"""``POST /webhooks/awx`` through the in-process gateway, configured from settings.

2xx with the event ids once published, 202 for ignored notifications (an unmapped
template without the service variable, an approval), 400 with a precise JSON error.
With ``MTTR_GATEWAY_TOKEN`` set, the route takes the token from the notification
template's HTTP Headers (``Authorization: Bearer``) or its basic auth password: 401
when missing or wrong. docs/sources/awx.md.
"""

from __future__ import annotations

import base64

import orjson
from pydantic import SecretStr

from streams.gateway.adapters.awx import AwxAdapter
from streams.gateway.sources import build_adapters
from streams.settings import Settings
from tests.support.gateway_requests import post
from tests.support.paths import FIXTURES

SETTINGS = Settings(
    awx_templates={"Demo Job Template": "checkout"},
    awx_environments={"demo job template": "staging"},
)
PATH = "/webhooks/awx"


def body(name: str) -> bytes:
    return (FIXTURES / "awx" / name).read_bytes()


def test_a_started_job_is_published_as_a_remediation_run() -> None:
    answer = post(SETTINGS, PATH, body("started.json"))
    assert (answer.status, answer.body) == (200, {"accepted": 1, "event_ids": ["awx-38-started"]})
    (event,) = answer.published
    assert (event["kind"], event["status"], event["service"], event["environment"]) == (
        "remediation",
        "started",
        "checkout",
        "staging",
    )


def test_the_service_variable_setting_names_the_extra_variable() -> None:
    settings = Settings(awx_service_var="target", awx_environment="prod")
    payload = orjson.loads(body("failed.json")) | {"extra_vars": '{"target": "payments"}'}
    answer = post(settings, PATH, orjson.dumps(payload))
    assert answer.body == {"accepted": 1, "event_ids": ["awx-46-failed"]}
    (event,) = answer.published
    assert (event["service"], event["environment"]) == ("payments", "prod")


def test_ignored_notifications_get_202_with_the_reason() -> None:
    unmapped = post(Settings(), PATH, body("failed.json"))
    assert unmapped.status == 202
    assert unmapped.body["ignored"].endswith("is not mapped to a service")
    approval = post(SETTINGS, PATH, body("derived_approval_running.json"))
    assert (approval.status, approval.body) == (
        202,
        {"ignored": "workflow approval notification (no job)"},
    )


def test_a_malformed_notification_gets_400_naming_the_path() -> None:
    payload = orjson.loads(body("started.json")) | {"status": "successful"}  # finished: null
    answer = post(SETTINGS, PATH, orjson.dumps(payload))
    assert (answer.status, answer.body) == (400, {"error": "finished: expected str, got NoneType"})
    broken = post(SETTINGS, PATH, b'{"id": 38,')
    assert broken.status == 400
    assert broken.body["error"].startswith("body is not valid JSON")


def test_the_route_is_a_token_route() -> None:
    (adapter,) = [a for a in build_adapters(SETTINGS) if a.name == "awx"]
    assert isinstance(adapter, AwxAdapter)
    assert type(adapter).token_auth is True


def test_with_a_gateway_token_the_headers_or_basic_auth_must_carry_it() -> None:
    settings = SETTINGS.model_copy(update={"gateway_token": SecretStr("t0k-awx")})
    missing = post(settings, PATH, body("started.json"))
    assert missing.status == 401
    assert missing.body["error"].startswith("missing gateway token")
    wrong = post(settings, PATH, body("started.json"), {"Authorization": "Bearer nope"})
    assert (wrong.status, wrong.body) == (401, {"error": "gateway token does not match"})
    bearer = post(settings, PATH, body("started.json"), {"Authorization": "Bearer t0k-awx"})
    assert bearer.body == {"accepted": 1, "event_ids": ["awx-38-started"]}
    basic = "Basic " + base64.b64encode(b"awx:t0k-awx").decode()
    assert post(settings, PATH, body("started.json"), {"Authorization": basic}).status == 200
