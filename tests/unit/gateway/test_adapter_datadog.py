"""Datadog adapter: our webhook payload template to alert events (pure).

Fixtures: tests/fixtures/datadog/ (our template filled with Datadog's documented
variable examples, see SOURCES.md).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.datadog import (
    PAYLOAD_TEMPLATE,
    DatadogAdapter,
    DatadogConfig,
    convert,
)
from tests.support.alerting_payloads import datadog, raw
from tests.support.paths import ROOT

CONFIG = DatadogConfig()


def only(payload: dict[str, Any], config: DatadogConfig = CONFIG) -> dict[str, Any]:
    converted = convert(payload, config)
    assert (converted.ignored, converted.rejected, len(converted.events)) == (None, [], 1)
    EVENT_ADAPTER.validate_python(converted.events[0])
    return converted.events[0]


def test_triggered() -> None:
    assert only(datadog("triggered.json")) == {
        "event_id": "datadog-1234567",
        "type": "alert",
        "source": "datadog",
        "service": "checkout",
        "environment": "prod",
        "occurred_at": "2014-07-29T19:37:52.000Z",  # $DATE 1406662672000 ms
        "starts_at": "2014-07-29T19:37:52.000Z",
        "alert_id": "7003283961234567890",
        "name": "Host is Down",
        "status": "firing",
        "severity": "critical",  # P1
        "labels": {
            "alert_scope": "availability-zone:us-east-1a, role:computing-node",
            "alert_transition": "Triggered",
            "event_type": "query_alert_monitor",
            "link": "https://app.datadoghq.com/event/jump_to?event_id=123456",
            "monitor_id": "1234",
            "org_id": "11023",
            "priority": "P1",
        },
        "summary": "system.load.1 over host:my-host was > 0 at least once during the last 1m",
    }


def test_recovered_closes_the_same_alert_and_gives_the_ttr() -> None:
    fired, resolved = only(datadog("triggered.json")), only(datadog("recovered.json"))
    assert (resolved["status"], resolved["alert_id"]) == ("resolved", fired["alert_id"])
    assert "starts_at" not in resolved
    start = EVENT_ADAPTER.validate_python(fired).occurred_at
    end = EVENT_ADAPTER.validate_python(resolved).occurred_at
    assert (end - start).total_seconds() == 480.5  # 1406663152500 - 1406662672000 ms


@pytest.mark.parametrize(
    ("transition", "status"),
    [("Triggered", "firing"), ("Re-Triggered", "firing"), ("Warn", "firing"),
     ("Re-Warn", "firing"), ("Recovered", "resolved"), ("recovered", "resolved")],
)  # fmt: skip
def test_transitions_converted(transition: str, status: str) -> None:
    payload = datadog("triggered.json")
    payload["alert_transition"] = transition
    assert only(payload)["status"] == status


@pytest.mark.parametrize("transition", ["No Data", "Re-No Data", "Renotify", "Null", ""])
def test_other_transitions_are_ignored(transition: str) -> None:
    payload = datadog("no_data.json")
    payload["alert_transition"] = transition
    assert convert(payload, CONFIG) == Converted(
        ignored=f"alert_transition {transition!r} is not converted"
    )


def test_no_data_fixture_is_ignored() -> None:
    assert convert(datadog("no_data.json"), CONFIG).ignored is not None


@pytest.mark.parametrize(
    ("priority", "severity"),
    [("P1", "critical"), ("P2", "high"), ("P3", "medium"), ("P4", "low"), ("P5", "low"),
     ("", "medium"), ("p2", "high")],
)  # fmt: skip
def test_priority_to_severity(priority: str, severity: str) -> None:
    payload = datadog("triggered.json")
    payload["alert_priority"] = priority
    assert only(payload)["severity"] == severity


def test_configured_tags_and_default_environment() -> None:
    payload = datadog("triggered.json")
    payload["tags"] = "monitor, app:cart, team:shop"
    config = DatadogConfig(service_tag="app", environment="staging")
    assert (only(payload, config)["service"], only(payload, config)["environment"]) == (
        "cart", "staging",
    )  # fmt: skip


def test_without_a_cycle_key_the_monitor_and_scope_are_the_alert() -> None:
    payload = datadog("triggered.json")
    payload["alert_cycle_key"] = ""
    assert only(payload)["alert_id"] == ("1234:availability-zone:us-east-1a, role:computing-node")
    payload["alert_scope"] = "host:" + "x" * 300
    alert_id = only(payload)["alert_id"]
    assert alert_id.startswith("1234:") and len(alert_id) == 5 + 64


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("tags", "monitor, env:prod", "tags: no 'service:<name>' tag on the monitor"),
        ("date", "2014-07-29", "date: expected epoch milliseconds ($DATE), got '2014-07-29'"),
        ("date", "1406662672", "date: expected epoch milliseconds ($DATE), got '1406662672'"),
        ("date", "9" * 30, "date: "),
        ("id", " ", "id: must not be blank"),
        ("alert_transition", 3, "alert_transition: expected str, got int"),
        ("alert_status", 3, "alert_status: expected str, got int"),
    ],
)
def test_malformed_payloads_name_the_path(key: str, value: Any, message: str) -> None:
    payload = datadog("triggered.json")
    payload[key] = value
    with pytest.raises(PayloadError) as caught:
        convert(payload, CONFIG)
    assert str(caught.value).startswith(message)


def test_missing_template_fields_name_the_field() -> None:
    payload = datadog("triggered.json")
    del payload["alert_transition"]
    with pytest.raises(PayloadError, match="^alert_transition: missing"):
        convert(payload, CONFIG)


def test_date_may_be_a_json_number() -> None:
    payload = datadog("triggered.json")
    payload["date"] = 1406662672000
    assert only(payload)["occurred_at"] == "2014-07-29T19:37:52.000Z"


def test_the_template_has_every_field_the_mapping_reads() -> None:
    template = json.loads(PAYLOAD_TEMPLATE)
    assert set(template) == set(datadog("triggered.json"))
    assert all(value.startswith("$") for value in template.values())


def test_the_documented_template_is_the_adapters() -> None:
    page = (ROOT / "docs" / "sources" / "datadog.md").read_text(encoding="utf-8")
    block = page.split("```json\n", 1)[1].split("```", 1)[0]
    assert json.loads(block) == json.loads(PAYLOAD_TEMPLATE)


def test_adapter_reads_the_raw_body_and_redelivery_gives_the_same_id() -> None:
    assert DatadogAdapter.token_auth is True
    adapter = DatadogAdapter()
    body = raw("datadog", "triggered.json")
    assert adapter.convert(body, {}).events == adapter.convert(body, {}).events


@pytest.mark.parametrize(
    "kwargs", [{"service_tag": " "}, {"environment_tag": ""}, {"environment": "bad\nname"}]
)
def test_invalid_configuration_fails_at_start_up(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is per field
        DatadogConfig(**kwargs)
