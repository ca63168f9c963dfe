"""``POST /webhooks/opsgenie`` through the in-process gateway, configured from settings.

Opsgenie cannot sign its webhooks: the route declares ``token_auth`` and the
gateway's bearer-token check (tested with the gateway) answers 401; here the
adapter's own answers: 2xx with the event ids, 202 for an ignored action, 400
with a JSON error naming the payload path.
"""

from __future__ import annotations

import orjson

from streams.gateway.adapters.opsgenie import OpsgenieAdapter
from streams.settings import Settings
from tests.support.gateway_requests import post
from tests.support.observability_payloads import body

SETTINGS = Settings(opsgenie_service_tag_prefix="service=")
ALERT_ID = "f3efa74b-29cc-4a4f-9bb7-804d7c1be544-1639476708514"


def test_an_action_is_published_with_its_event_id() -> None:
    answer = post(SETTINGS, "/webhooks/opsgenie", body("opsgenie", "derived_acknowledge.json"))
    assert answer.status == 200
    assert answer.body == {
        "accepted": 1,
        "event_ids": [f"opsgenie-{ALERT_ID}-acknowledge-1639477012345"],
    }
    (event,) = answer.published
    assert (event["type"], event["status"], event["service"]) == (
        "ticket",
        "acknowledged",
        "gdpr-deleter-srv",
    )


def test_alerts_mode_publishes_alert_events() -> None:
    settings = Settings(opsgenie_mode="alerts", opsgenie_service_tag_prefix="service=")
    answer = post(settings, "/webhooks/opsgenie", body("opsgenie", "derived_close.json"))
    assert answer.status == 200
    assert [(e["type"], e["status"]) for e in answer.published] == [("alert", "resolved")]


def test_an_ignored_action_is_202() -> None:
    answer = post(SETTINGS, "/webhooks/opsgenie", body("opsgenie", "zulip_addnote.json"))
    assert answer.status == 202
    assert answer.body == {"ignored": "action 'AddNote' is not converted in tickets mode"}
    assert answer.published == []


def test_a_malformed_payload_is_400_naming_the_path() -> None:
    payload = orjson.loads(body("opsgenie", "derived_create.json"))
    del payload["alert"]["createdAt"]
    answer = post(SETTINGS, "/webhooks/opsgenie", orjson.dumps(payload))
    assert answer.status == 400
    assert answer.body == {"error": "alert.createdAt: missing"}
    no_service = post(Settings(), "/webhooks/opsgenie", body("opsgenie", "derived_create.json"))
    assert no_service.status == 400
    assert no_service.body["error"].startswith("alert: no service")


def test_the_route_is_guarded_by_the_gateway_token() -> None:
    assert OpsgenieAdapter.token_auth is True
