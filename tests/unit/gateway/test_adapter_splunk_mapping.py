"""Splunk adapter: webhook alert action payloads in, exact alert events out.

Fixtures are the documentation example, a delivery captured by Zulip and a
firing/resolving pair built from the documented schema
(tests/fixtures/splunk/SOURCES.md). docs/sources/splunk.md states the mapping.
"""

from __future__ import annotations

import pytest

from streams.gateway.adapters.splunk import SplunkConfig, convert
from tests.support.observability_payloads import only_alert
from tests.support.observability_payloads import splunk as load

CONFIG = SplunkConfig()
SID = "scheduler__admin__search__RMD5c2b9a8a1f0e7d6c5_at_1713770100_4711"


def test_a_triggered_search_is_a_firing_alert_at_its_result_time() -> None:
    event = only_alert(convert(load("derived_firing.json"), CONFIG))
    assert event == {
        "event_id": "splunk-checkout-5xx/web-01-firing-1713769949250",
        "type": "alert",
        "source": "splunk",
        "service": "checkout",  # result.service
        "environment": "production",
        "occurred_at": "2024-04-22T07:12:29.250Z",  # result._time "1713769949.250"
        "alert_id": "checkout-5xx/web-01",  # result.alert_id as is
        "name": "Checkout 5xx rate",  # search_name
        "status": "firing",  # no status field
        "severity": "high",
        "labels": {
            "app": "search",
            "owner": "admin",
            "sid": SID,
            "results_link": f"http://splunk.example.local:8000/app/search/@go?sid={SID}",
        },
    }


def test_the_companion_search_resolves_the_same_alert() -> None:
    firing = only_alert(convert(load("derived_firing.json"), CONFIG))
    resolved = only_alert(convert(load("derived_resolved.json"), CONFIG))
    assert resolved["alert_id"] == firing["alert_id"]
    assert (resolved["status"], resolved["occurred_at"]) == ("resolved", "2024-04-22T07:32:29.000Z")
    assert resolved["event_id"] == "splunk-checkout-5xx/web-01-resolved-1713771149000"
    assert resolved["name"] == "Checkout 5xx rate - clear"


def test_without_an_alert_id_field_the_search_and_host_name_the_alert() -> None:
    event = only_alert(
        convert(load("zulip_search_one_result.json"), SplunkConfig(default_service="auth"))
    )
    assert event == {
        "event_id": "splunk-sudo/myserver-firing-1483557272000",
        "type": "alert",
        "source": "splunk",
        "service": "auth",  # no service field: the default
        "environment": "production",
        "occurred_at": "2017-01-04T19:14:32.000Z",
        "alert_id": "sudo/myserver",  # search_name / host
        "name": "sudo",
        "status": "firing",
        "severity": "medium",  # no severity field
        "summary": "Jan  4 11:14:32 myserver sudo: pam_unix(sudo:session): "
        "session closed for user root",  # result._raw
        "labels": {
            "app": "search",
            "owner": "admin",
            "sid": "rt_scheduler__admin__search__sudo_at_1483557185_2.2",
            "results_link": load("zulip_search_one_result.json")["results_link"],
        },
    }
    no_key = SplunkConfig(default_service="auth", alert_key_fields=("missing_field",))
    assert only_alert(convert(load("zulip_search_one_result.json"), no_key))["alert_id"] == "sudo"


@pytest.mark.parametrize(
    ("fields", "status"),
    [({"status": "RESOLVED"}, "resolved"), ({"state": "resolved"}, "resolved"),
     ({"status": "500", "state": "resolved"}, "firing"),  # the first status field present decides
     ({"status": "firing"}, "firing"), ({"status": ["resolved", "x"]}, "resolved"), ({}, "firing")],
)  # fmt: skip
def test_status_fields(fields: dict[str, object], status: str) -> None:
    payload = load("derived_firing.json")
    payload["result"].update(fields)
    assert only_alert(convert(payload, CONFIG))["status"] == status


@pytest.mark.parametrize(
    ("value", "severity"),
    [("critical", "critical"), ("FATAL", "critical"), ("error", "high"), ("warning", "medium"),
     ("info", "low"), ("6", "critical"), ("5", "high"), ("4", "medium"), ("3", "low"),
     ("page", "medium"), (None, "medium")],
)  # fmt: skip
def test_severity_field(value: str | None, severity: str) -> None:
    payload = load("derived_firing.json")
    payload["result"]["severity"] = value
    assert only_alert(convert(payload, CONFIG))["severity"] == severity


@pytest.mark.parametrize(
    ("value", "occurred_at"),
    [("1713769949", "2024-04-22T07:12:29.000Z"), ("1713769949.9999", "2024-04-22T07:12:29.999Z"),
     (1713769949, "2024-04-22T07:12:29.000Z"), (["1713769949", "1"], "2024-04-22T07:12:29.000Z"),
     ("2024-04-22T09:12:29.250+02:00", "2024-04-22T07:12:29.250Z")],
)  # fmt: skip
def test_time_field_forms(value: object, occurred_at: str) -> None:
    payload = load("derived_firing.json")
    payload["result"]["_time"] = value
    assert only_alert(convert(payload, CONFIG))["occurred_at"] == occurred_at


def test_field_names_are_configurable() -> None:
    payload = load("derived_firing.json")
    payload["result"] = {"svc": "cart", "sev": "low", "t": "1713769949", "outcome": "resolved",
                         "environment": "staging", "host": "web-02"}  # fmt: skip
    config = SplunkConfig(service_field="svc", severity_field="sev", time_field="t",
                          status_fields=("outcome",), alert_id_field="none")  # fmt: skip
    event = only_alert(convert(payload, config))
    assert (event["service"], event["severity"], event["status"], event["environment"]) == (
        "cart", "low", "resolved", "staging",
    )  # fmt: skip
    assert event["alert_id"] == "Checkout 5xx rate/web-02"


def test_a_redelivery_gives_the_same_event() -> None:
    assert convert(load("derived_firing.json"), CONFIG) == convert(
        load("derived_firing.json"), CONFIG
    )
