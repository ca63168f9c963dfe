"""``POST /webhooks/rundeck`` through the in-process gateway, configured from settings.

2xx with the event ids once published, 202 for ignored notifications (an unmapped
job, the avgduration trigger), 400 with a precise JSON error (Rundeck's default XML,
a missing field). With ``MTTR_GATEWAY_TOKEN`` set, the route takes the token as the ``token`` query
parameter (Rundeck can only be given a URL): 401 when missing or wrong, and a
redelivery with the token gives the same ids. docs/sources/rundeck.md.
"""

from __future__ import annotations

from pydantic import SecretStr

from streams.gateway.adapters.rundeck import RundeckAdapter
from streams.gateway.sources import build_adapters
from streams.settings import Settings
from tests.support.gateway_requests import post
from tests.support.paths import FIXTURES

SETTINGS = Settings(
    rundeck_jobs={"api-test/job-run-steps/test job": "checkout"},
    rundeck_environments={"test job": "prod-eu"},
)
PATH = "/webhooks/rundeck"


def body(name: str) -> bytes:
    return (FIXTURES / "rundeck" / name).read_bytes()


def test_a_succeeded_execution_is_published_as_a_remediation_run() -> None:
    answer = post(SETTINGS, PATH, body("success.json"))
    assert (answer.status, answer.body) == (
        200,
        {"accepted": 1, "event_ids": ["rundeck-387-succeeded"]},
    )
    (event,) = answer.published
    assert (event["kind"], event["service"], event["environment"]) == (
        "remediation",
        "checkout",
        "prod-eu",
    )
    assert event["occurred_at"] == "2015-05-13T16:59:06.423Z"


def test_ignored_notifications_get_202_with_the_reason() -> None:
    unmapped = post(Settings(), PATH, body("success.json"))
    assert unmapped.status == 202
    assert unmapped.body["ignored"].endswith("is not mapped to a service")
    average = post(SETTINGS, PATH, body("derived_avgduration.json"))
    assert average.status == 202
    assert average.published == []


def test_the_default_xml_payload_gets_400_saying_how_to_fix_it() -> None:
    answer = post(SETTINGS, PATH, body("derived_notification.xml"), {"Content-Type": "text/xml"})
    assert answer.status == 400
    assert answer.body["error"].startswith("body is XML: ")
    assert "Payload Format to JSON" in answer.body["error"]


def test_a_malformed_notification_gets_400_naming_the_path() -> None:
    text = body("success.json").replace(b'"date-ended"', b'"date-finished"')
    answer = post(SETTINGS, PATH, text)
    assert (answer.status, answer.body) == (400, {"error": "execution.date-ended: missing"})


def test_the_route_is_a_token_route() -> None:
    (adapter,) = [a for a in build_adapters(SETTINGS) if a.name == "rundeck"]
    assert isinstance(adapter, RundeckAdapter)
    assert type(adapter).token_auth is True


def test_with_a_gateway_token_the_url_must_carry_it() -> None:
    settings = SETTINGS.model_copy(update={"gateway_token": SecretStr("t0k-rundeck")})
    missing = post(settings, PATH, body("success.json"))
    assert (missing.status, missing.body) == (
        401,
        {"error": "missing gateway token: send Authorization: Bearer <token>"},
    )
    wrong = post(settings, f"{PATH}?token=other", body("success.json"))
    assert (wrong.status, wrong.body) == (401, {"error": "gateway token does not match"})
    assert wrong.published == []
    first = post(settings, f"{PATH}?token=t0k-rundeck", body("success.json"))
    again = post(settings, f"{PATH}?token=t0k-rundeck", body("success.json"))
    assert first.status == again.status == 200
    assert first.body == again.body == {"accepted": 1, "event_ids": ["rundeck-387-succeeded"]}
