"""Grafana, Azure Monitor and Datadog through the in-process gateway app (no Kafka).

Every source is built from settings (``build_sources``), as ``mttr gateway`` does:
2xx with the event ids, 400 with a precise JSON error, 401 on a bad Grafana
signature, 202 for ignored kinds.
"""

from __future__ import annotations

from pydantic import SecretStr

from streams.settings import Settings
from tests.support.alerting_payloads import Gateway, raw, sign_grafana

SETTINGS = Settings(
    grafana_service_labels="team",
    azure_monitor_services={"test-storageAccount": "storage"},
)
SIGNED = SETTINGS.model_copy(update={"grafana_webhook_secret": SecretStr("hmac")})


def test_grafana_notification_is_published() -> None:
    gateway = Gateway(SETTINGS)
    status, answer = gateway.post("/webhooks/grafana", raw("grafana", "docs_two_firing.json"))
    assert (status, answer["accepted"]) == (200, 2)
    assert answer["event_ids"] == [
        "grafana-c6eadffa33fcdf37-firing-2021-10-12T09:51:03.157076+02:00",
        "grafana-bc97ff14869b13e3-firing-2021-10-12T09:56:03.157076+02:00",
    ]
    assert [e["service"] for e in gateway.published] == ["blue", "blue"]


def test_grafana_signature_when_a_secret_is_set() -> None:
    body = raw("grafana", "derived_resolved.json")
    gateway = Gateway(SIGNED)
    status, answer = gateway.post("/webhooks/grafana", body)
    assert (status, answer) == (401, {"error": "X-Grafana-Alerting-Signature header is missing"})
    status, answer = gateway.post(
        "/webhooks/grafana", body, {"X-Grafana-Alerting-Signature": sign_grafana(body, "other")}
    )
    assert (status, answer["error"]) == (
        401, "X-Grafana-Alerting-Signature: signature does not match the body",
    )  # fmt: skip
    signature = {"x-grafana-alerting-signature": sign_grafana(body, "hmac")}  # any header case
    status, answer = gateway.post("/webhooks/grafana", body, signature)
    assert (status, answer["accepted"]) == (200, 1)
    assert gateway.published[0]["status"] == "resolved"


def test_grafana_test_notification_is_ignored_and_bad_alerts_are_400() -> None:
    gateway = Gateway(SETTINGS)
    status, answer = gateway.post(
        "/webhooks/grafana", raw("grafana", "derived_test_notification.json")
    )
    assert (status, answer) == (202, {"ignored": "Grafana contact point test notification"})
    status, answer = gateway.post("/webhooks/grafana", b'{"version": "3", "alerts": []}')
    assert status == 400
    assert answer["error"].startswith("version: expected '1' or '4'")
    assert gateway.published == []


def test_azure_monitor_alert_is_published() -> None:
    gateway = Gateway(SETTINGS)
    status, answer = gateway.post(
        "/webhooks/azure-monitor", raw("azure-monitor", "docs_metric_fired.json")
    )
    assert (status, answer) == (200, {
        "accepted": 1,
        "event_ids": ["azure-monitor-12345678-1234-1234-1234-1234567890ab-firing"],
    })  # fmt: skip
    assert gateway.published[0]["service"] == "storage"


def test_azure_monitor_without_the_common_schema_is_a_400() -> None:
    gateway = Gateway(SETTINGS)
    status, answer = gateway.post(
        "/webhooks/azure-monitor", raw("azure-monitor", "docs_non_common_metric_alert.json")
    )
    assert status == 400
    assert "enable the common alert schema" in answer["error"]
    assert gateway.published == []


def test_datadog_triggered_recovered_and_no_data() -> None:
    gateway = Gateway(SETTINGS)
    for name, event_id in (("triggered.json", "datadog-1234567"),
                           ("recovered.json", "datadog-1234901")):  # fmt: skip
        status, answer = gateway.post("/webhooks/datadog", raw("datadog", name))
        assert (status, answer) == (200, {"accepted": 1, "event_ids": [event_id]})
    status, answer = gateway.post("/webhooks/datadog", raw("datadog", "no_data.json"))
    assert (status, answer) == (202, {"ignored": "alert_transition 'No Data' is not converted"})
    assert [e["status"] for e in gateway.published] == ["firing", "resolved"]


def test_datadog_payload_without_our_template_is_a_precise_400() -> None:
    status, answer = Gateway(SETTINGS).post(
        "/webhooks/datadog", b'{"body": "$EVENT_MSG", "title": "[Triggered] x"}'
    )
    assert (status, answer) == (400, {
        "error": "alert_transition: missing (send the payload template of docs/sources/datadog.md)"
    })  # fmt: skip
