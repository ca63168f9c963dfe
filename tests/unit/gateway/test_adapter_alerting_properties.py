"""Grafana, Azure Monitor and Datadog adapters, properties.

* Any value at any path an adapter reads gives valid events, an ignore or a
  ``PayloadError``, never another exception (the gateway answers 400, not 500).
* Datadog's ``$DATE``: any epoch millisecond in the contract's range becomes that
  exact instant.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters import azure_monitor, datadog, grafana
from streams.gateway.adapters.base import Converted, PayloadError
from tests.support import alerting_payloads
from tests.support.strategies import JSON

GRAFANA_CONFIG = grafana.GrafanaConfig(service_labels=("team",))
AZURE_CONFIG = azure_monitor.AzureMonitorConfig(services={"test-storageAccount": "storage"})
CASES: dict[str, tuple[Callable[[], Any], Callable[[Any], Converted], list[tuple[Any, ...]]]] = {
    "grafana": (
        lambda: alerting_payloads.grafana("derived_resolved.json"),
        lambda p: grafana.convert(p, GRAFANA_CONFIG),
        [("version",), ("alerts",), ("alerts", 0), ("alerts", 0, "status"),
         ("alerts", 0, "labels"), ("alerts", 0, "labels", "team"),
         ("alerts", 0, "labels", "alertname"), ("alerts", 0, "labels", "instance"),
         ("alerts", 0, "annotations"), ("alerts", 0, "annotations", "summary"),
         ("alerts", 0, "fingerprint"), ("alerts", 0, "startsAt"), ("alerts", 0, "endsAt")],
    ),
    "azure-monitor": (
        lambda: alerting_payloads.azure("derived_metric_resolved_with_service.json"),
        lambda p: azure_monitor.convert(p, AZURE_CONFIG),
        [("schemaId",), ("data",), ("data", "essentials"), ("data", "customProperties"),
         ("data", "customProperties", "service"), ("data", "customProperties", "environment"),
         ("data", "alertContext"), ("data", "alertContext", "properties"),
         ("data", "alertContext", "condition"),
         *[("data", "essentials", key) for key in (
             "alertId", "alertRule", "severity", "monitorCondition", "alertTargetIDs",
             "configurationItems", "firedDateTime", "resolvedDateTime", "description",
             "signalType")]],
    ),
    "datadog": (
        lambda: alerting_payloads.datadog("triggered.json"),
        lambda p: datadog.convert(p, datadog.DatadogConfig()),
        [(key,) for key in (
            "id", "date", "alert_id", "alert_cycle_key", "alert_transition", "alert_title",
            "alert_status", "alert_priority", "alert_scope", "tags", "link", "event_type")],
    ),
}  # fmt: skip
MUTATIONS = [(name, path) for name, (_, _, paths) in CASES.items() for path in paths]


@settings(max_examples=400, deadline=None)
@given(case=st.sampled_from(MUTATIONS), value=JSON)
def test_any_value_anywhere_is_converted_ignored_or_a_payload_error(
    case: tuple[str, tuple[Any, ...]], value: Any
) -> None:
    name, path = case
    load, convert, _ = CASES[name]
    payload = load()
    target = payload
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    try:
        converted = convert(payload)
    except PayloadError:
        return
    for event in converted.events:
        EVENT_ADAPTER.validate_python(event)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(ms=st.integers(min_value=10**11, max_value=4_102_444_799_999))  # .. 2099-12-31
def test_datadog_date_is_the_exact_instant(ms: int) -> None:
    payload = alerting_payloads.datadog("triggered.json")
    payload["date"] = str(ms)
    (event,) = datadog.convert(payload, datadog.DatadogConfig()).events
    parsed = EVENT_ADAPTER.validate_python(event)
    assert parsed.occurred_at == EPOCH + timedelta(milliseconds=ms)
