"""Azure Monitor adapter: common-alert-schema notifications to alert events (pure).

Fixtures: tests/fixtures/azure-monitor/ (Microsoft Learn samples and variants, see
SOURCES.md).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters.azure_monitor import AzureMonitorAdapter, AzureMonitorConfig, convert
from streams.gateway.adapters.base import PayloadError
from tests.support.alerting_payloads import azure, raw

STORAGE = AzureMonitorConfig(services={"test-storageAccount": "storage"})
FIRED_ID = (
    "/subscriptions/11111111-1111-1111-1111-111111111111/providers/"
    "Microsoft.AlertsManagement/alerts/12345678-1234-1234-1234-1234567890ab"
)


def only(payload: dict[str, Any], config: AzureMonitorConfig) -> dict[str, Any]:
    converted = convert(payload, config)
    assert (converted.ignored, converted.rejected, len(converted.events)) == (None, [], 1)
    EVENT_ADAPTER.validate_python(converted.events[0])
    return converted.events[0]


def test_fired_sample_by_mapped_resource_name() -> None:
    assert only(azure("docs_metric_fired.json"), STORAGE) == {
        "event_id": "azure-monitor-12345678-1234-1234-1234-1234567890ab-firing",
        "type": "alert",
        "source": "azure-monitor",
        "service": "storage",
        "environment": "production",
        "occurred_at": "2021-11-15T09:35:24.3468506Z",
        "starts_at": "2021-11-15T09:35:24.3468506Z",
        "alert_id": FIRED_ID,
        "name": "test-metricAlertRule",
        "status": "firing",
        "severity": "low",  # Sev3
        "labels": {
            "alertRule": "test-metricAlertRule",
            "customKey1": "value1",
            "customKey2": "value2",
            "monitorCondition": "Fired",
            "monitoringService": "Platform",
            "severity": "Sev3",
            "signalType": "Metric",
        },
        "summary": "Alert rule description",
    }


def test_resolved_sample_happens_at_resolved_date_time() -> None:
    config = AzureMonitorConfig(services={"wcus-r2-gen2": "vm-fleet"})
    event = only(azure("docs_metric_resolved.json"), config)
    assert (event["status"], event["service"]) == ("resolved", "vm-fleet")
    assert event["occurred_at"] == "2019-03-22T14:03:16.2246313Z"
    assert event["starts_at"] == "2019-03-22T13:58:24.3713213Z"
    assert event["event_id"] == "azure-monitor-b9569717-bc32-442f-add5-83a997729330-resolved"
    assert "summary" not in event  # the description is empty


def test_fired_then_resolved_pair_gives_the_ttr() -> None:
    fired = only(azure("derived_metric_fired_with_service.json"), AzureMonitorConfig())
    resolved = only(azure("derived_metric_resolved_with_service.json"), AzureMonitorConfig())
    assert (fired["service"], fired["environment"]) == ("storage-api", "staging")
    assert resolved["alert_id"] == fired["alert_id"]
    assert fired["event_id"] != resolved["event_id"]
    start = EVENT_ADAPTER.validate_python(fired).occurred_at
    end = EVENT_ADAPTER.validate_python(resolved).occurred_at
    assert (end - start).total_seconds() == 1036.777  # 09:52:41.123 - 09:35:24.346


@pytest.mark.parametrize(
    ("severity", "expected"),
    [("Sev0", "critical"), ("Sev1", "high"), ("Sev2", "medium"), ("Sev3", "low"),
     ("Sev4", "low"), ("sev1", "high")],
)  # fmt: skip
def test_severity_mapping(severity: str, expected: str) -> None:
    payload = azure("docs_metric_fired.json")
    payload["data"]["essentials"]["severity"] = severity
    assert only(payload, STORAGE)["severity"] == expected


@pytest.mark.parametrize(
    ("services", "path_end"),
    [
        ({"/SUBSCRIPTIONS/11111111-1111-1111-1111-111111111111/resourcegroups/test-RG/providers/"
          "Microsoft.Storage/storageAccounts/test-storageAccount": "by-id"}, "by-id"),
        ({"test-storageaccount": "by-name"}, "by-name"),
        ({"test-metricAlertRule": "by-rule"}, "by-rule"),
    ],
)  # fmt: skip
def test_service_lookup_by_target_id_name_or_rule(services: dict[str, str], path_end: str) -> None:
    payload = azure("docs_metric_fired.json")
    assert only(payload, AzureMonitorConfig(services=services))["service"] == path_end


def test_service_property_wins_over_the_map_and_is_configurable() -> None:
    payload = azure("derived_metric_fired_with_service.json")
    assert only(payload, STORAGE)["service"] == "storage-api"
    config = AzureMonitorConfig(services=STORAGE.services, service_property="customKey1")
    assert only(azure("docs_metric_fired.json"), config)["service"] == "value1"


def test_configuration_item_is_looked_up() -> None:
    payload = azure("docs_metric_fired.json")
    payload["data"]["essentials"]["alertTargetIDs"] = []
    config = AzureMonitorConfig(services={"TEST-STORAGEACCOUNT": "ci"})
    assert only(payload, config)["service"] == "ci"


def test_no_service_is_a_precise_400() -> None:
    with pytest.raises(PayloadError, match=r"^data\.essentials: no service: set the custom"):
        convert(azure("docs_metric_fired.json"), AzureMonitorConfig())


def test_resolved_without_resolved_time_takes_the_window_end() -> None:
    payload = azure("derived_metric_resolved_with_service.json")
    del payload["data"]["essentials"]["resolvedDateTime"]
    event = only(payload, AzureMonitorConfig())
    assert event["occurred_at"] == "2021-12-15T01:19:11.719Z"
    del payload["data"]["alertContext"]["condition"]["windowEndTime"]
    with pytest.raises(PayloadError, match=r"^data\.essentials\.resolvedDateTime: missing"):
        convert(payload, AzureMonitorConfig())


def test_not_the_common_schema_asks_to_enable_it() -> None:
    with pytest.raises(PayloadError) as caught:
        convert(azure("docs_non_common_metric_alert.json"), STORAGE)
    assert str(caught.value) == (
        "schemaId: expected 'azureMonitorCommonAlertSchema', got 'AzureMonitorMetricAlert': "
        "enable the common alert schema on the action group's webhook action"
    )
    with pytest.raises(PayloadError, match="got None: enable the common alert schema"):
        convert({"WorkspaceId": "x", "AlertRuleName": "legacy log alert"}, STORAGE)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda e: e.update(monitorCondition="Acknowledged"),
         "data.essentials.monitorCondition: expected Fired or Resolved, got 'Acknowledged'"),
        (lambda e: e.update(severity="Sev9"), "data.essentials.severity: expected Sev0 to Sev4"),
        (lambda e: e.pop("alertId"), "data.essentials.alertId: missing"),
        (lambda e: e.pop("firedDateTime"), "data.essentials.firedDateTime: missing"),
        (lambda e: e.update(firedDateTime="11/15/2021 9:35:24 AM"),
         "data.essentials.firedDateTime: must be an RFC 3339"),
        (lambda e: e.update(alertRule=7), "data.essentials.alertRule: expected str, got int"),
    ],
)  # fmt: skip
def test_malformed_payloads_name_the_path(mutate: Any, message: str) -> None:
    payload = azure("docs_metric_fired.json")
    mutate(payload["data"]["essentials"])
    with pytest.raises(PayloadError) as caught:
        convert(payload, STORAGE)
    assert str(caught.value).startswith(message)


def test_not_an_object() -> None:
    with pytest.raises(PayloadError, match="expected a JSON object, got list"):
        convert([], STORAGE)


def test_redelivery_gives_the_same_id_and_the_adapter_reads_the_raw_body() -> None:
    adapter = AzureMonitorAdapter(STORAGE)
    assert AzureMonitorAdapter.token_auth is True
    body = raw("azure-monitor", "docs_metric_fired.json")
    first = adapter.convert(body, {}).events
    assert first == adapter.convert(body, {}).events
    assert first == convert(copy.deepcopy(azure("docs_metric_fired.json")), STORAGE).events


def test_invalid_configuration_fails_at_start_up() -> None:
    with pytest.raises(ValueError, match="invalid service/environment name"):
        AzureMonitorConfig(services={"vm": "bad\nname"})
    with pytest.raises(ValueError, match="invalid service/environment name"):
        AzureMonitorConfig(environment=" ")
