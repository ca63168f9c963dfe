"""``POST /webhooks/splunk`` through the in-process gateway, configured from settings.

Splunk's webhook action sends only a URL: the route declares ``token_auth`` and
the gateway's token check (the token travels in that URL) answers 401; here the
adapter's answers: 2xx with the event ids, and 400 with a JSON error naming the
result field. Splunk sends nothing we ignore: every triggered alert is an event.
"""

from __future__ import annotations

import orjson

from streams.gateway.adapters.splunk import SplunkAdapter
from streams.settings import Settings
from tests.support.gateway_requests import post
from tests.support.observability_payloads import body

SETTINGS = Settings()


def test_a_firing_and_its_resolution_are_published() -> None:
    firing = post(SETTINGS, "/webhooks/splunk", body("splunk", "derived_firing.json"))
    resolved = post(SETTINGS, "/webhooks/splunk", body("splunk", "derived_resolved.json"))
    assert (firing.status, resolved.status) == (200, 200)
    assert firing.body == {
        "accepted": 1,
        "event_ids": ["splunk-checkout-5xx/web-01-firing-1713769949250"],
    }
    assert resolved.body["event_ids"] == ["splunk-checkout-5xx/web-01-resolved-1713771149000"]
    assert [e["alert_id"] for e in firing.published + resolved.published] == [
        "checkout-5xx/web-01"
    ] * 2


def test_settings_name_the_fields() -> None:
    settings = Settings(splunk_default_service="auth", splunk_alert_key_fields="splunk_server,host")
    answer = post(settings, "/webhooks/splunk", body("splunk", "zulip_search_one_result.json"))
    assert answer.status == 200
    assert answer.body["event_ids"] == ["splunk-sudo/myserver-firing-1483557272000"]


def test_a_result_without_time_is_400() -> None:
    payload = orjson.loads(body("splunk", "derived_firing.json"))
    del payload["result"]["_time"]
    answer = post(SETTINGS, "/webhooks/splunk", orjson.dumps(payload))
    assert answer.status == 400
    assert answer.body["error"].startswith("result._time: missing; the first result row")
    assert answer.published == []


def test_the_documentation_example_is_400() -> None:
    answer = post(SETTINGS, "/webhooks/splunk", body("splunk", "docs_example.json"))
    assert (answer.status, answer.body) == (
        400,
        {"error": "search_name: missing or null (an ad-hoc search; save it as an alert)"},
    )


def test_the_route_is_guarded_by_the_gateway_token() -> None:
    assert SplunkAdapter.token_auth is True
