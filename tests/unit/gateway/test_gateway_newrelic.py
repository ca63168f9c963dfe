"""``POST /webhooks/newrelic`` through the in-process gateway, configured from settings.

The workflow's webhook destination cannot sign: the route declares
``token_auth`` and the gateway's bearer-token check answers 401; here the
adapter's answers: 2xx with the event ids, 202 for an ignored state, 400 with
a JSON error that says which template line is missing.
"""

from __future__ import annotations

from streams.gateway.adapters.newrelic import NewRelicAdapter
from streams.settings import Settings
from tests.support.gateway_requests import post
from tests.support.observability_payloads import body

SETTINGS = Settings()


def test_activation_and_its_acknowledgement_publish_one_event_id() -> None:
    ids = []
    for name in ("derived_activated.json", "derived_acknowledged.json"):
        answer = post(SETTINGS, "/webhooks/newrelic", body("newrelic", name))
        assert answer.status == 200
        ids.append(answer.body["event_ids"])
    assert (
        ids[0] == ids[1] == ["newrelic-13bbcdca-f0b6-470d-b0be-b34583c58869-firing-1713769949494"]
    )


def test_a_closed_issue_is_published_as_resolved() -> None:
    settings = Settings(newrelic_environment="staging")
    answer = post(settings, "/webhooks/newrelic", body("newrelic", "derived_closed.json"))
    assert answer.status == 200
    (event,) = answer.published
    assert (event["status"], event["environment"], event["occurred_at"]) == (
        "resolved",
        "staging",
        "2024-04-22T06:17:37.383Z",
    )


def test_a_created_issue_is_202() -> None:
    answer = post(SETTINGS, "/webhooks/newrelic", body("newrelic", "zulip_created_default.json"))
    assert (answer.status, answer.body) == (202, {"ignored": "state 'CREATED' is not converted"})


def test_the_default_template_is_400_naming_the_missing_line() -> None:
    answer = post(SETTINGS, "/webhooks/newrelic", body("newrelic", "zulip_activated_default.json"))
    assert answer.status == 400
    assert answer.body["error"].startswith("activatedAt: missing or null; add the")
    assert answer.published == []


def test_the_route_is_guarded_by_the_gateway_token() -> None:
    assert NewRelicAdapter.token_auth is True
