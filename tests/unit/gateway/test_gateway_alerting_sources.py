"""Grafana, Azure Monitor and Datadog through the in-process gateway app (no Kafka).

Every source is built from settings (``build_sources``), as ``mttr gateway`` does:
2xx with the event ids, 400 with a precise JSON error, 401 on a bad Grafana
signature, 202 for ignored kinds.
"""

from __future__ import annotations

from pydantic import SecretStr

from streams.settings import Settings
from tests.support.alerting_payloads import raw, sign_grafana
from tests.support.gateway_requests import Gateway, post

SETTINGS = Settings(
    grafana_service_labels="team",
    azure_monitor_services={"test-storageAccount": "storage"},
)
SIGNED = SETTINGS.model_copy(update={"grafana_webhook_secret": SecretStr("hmac")})


def test_grafana_notification_is_published() -> None:
    answer = post(SETTINGS, "/webhooks/grafana", raw("grafana", "docs_two_firing.json"))
    assert (answer.status, answer.body["accepted"]) == (200, 2)
    assert answer.body["event_ids"] == [
        "grafana-c6eadffa33fcdf37-firing-2021-10-12T09:51:03.157076+02:00",
        "grafana-bc97ff14869b13e3-firing-2021-10-12T09:56:03.157076+02:00",
    ]
    assert [e["service"] for e in answer.published] == ["blue", "blue"]


def test_grafana_signature_when_a_secret_is_set() -> None:
    body = raw("grafana", "derived_resolved.json")
    with Gateway(SIGNED) as gateway:
        answer = gateway.post("/webhooks/grafana", body)
        assert (answer.status, answer.body) == (
            401, {"error": "X-Grafana-Alerting-Signature header is missing"},
        )  # fmt: skip
        answer = gateway.post(
            "/webhooks/grafana", body, {"X-Grafana-Alerting-Signature": sign_grafana(body, "other")}
        )
        assert (answer.status, answer.body["error"]) == (
            401, "X-Grafana-Alerting-Signature: signature does not match the body",
        )  # fmt: skip
        signature = {"x-grafana-alerting-signature": sign_grafana(body, "hmac")}  # any header case
        answer = gateway.post("/webhooks/grafana", body, signature)
        assert (answer.status, answer.body["accepted"]) == (200, 1)
        assert [e["status"] for e in gateway.published] == ["resolved"]


def test_grafana_test_notification_is_ignored_and_bad_alerts_are_400() -> None:
    with Gateway(SETTINGS) as gateway:
        answer = gateway.post("/webhooks/grafana", raw("grafana", "derived_test_notification.json"))
        assert (answer.status, answer.body) == (
            202, {"ignored": "Grafana contact point test notification"},
        )  # fmt: skip
        answer = gateway.post("/webhooks/grafana", b'{"version": "3", "alerts": []}')
        assert answer.status == 400
        assert answer.body["error"].startswith("version: expected '1' or '4'")
        assert gateway.published == []


def test_azure_monitor_alert_is_published() -> None:
    answer = post(
        SETTINGS, "/webhooks/azure-monitor", raw("azure-monitor", "docs_metric_fired.json")
    )
    assert (answer.status, answer.body) == (200, {
        "accepted": 1,
        "event_ids": ["azure-monitor-12345678-1234-1234-1234-1234567890ab-firing"],
    })  # fmt: skip
    assert answer.published[0]["service"] == "storage"


def test_azure_monitor_without_the_common_schema_is_a_400() -> None:
    answer = post(
        SETTINGS,
        "/webhooks/azure-monitor",
        raw("azure-monitor", "docs_non_common_metric_alert.json"),
    )
    assert answer.status == 400
    assert "enable the common alert schema" in answer.body["error"]
    assert answer.published == []


def test_datadog_triggered_recovered_and_no_data() -> None:
    with Gateway(SETTINGS) as gateway:
        for name, event_id in (("triggered.json", "datadog-1234567"),
                               ("recovered.json", "datadog-1234901")):  # fmt: skip
            answer = gateway.post("/webhooks/datadog", raw("datadog", name))
            assert (answer.status, answer.body) == (200, {"accepted": 1, "event_ids": [event_id]})
        answer = gateway.post("/webhooks/datadog", raw("datadog", "no_data.json"))
        assert (answer.status, answer.body) == (
            202, {"ignored": "alert_transition 'No Data' is not converted"},
        )  # fmt: skip
        assert [e["status"] for e in gateway.published] == ["firing", "resolved"]


def test_datadog_payload_without_our_template_is_a_precise_400() -> None:
    answer = post(
        SETTINGS, "/webhooks/datadog", b'{"body": "$EVENT_MSG", "title": "[Triggered] x"}'
    )
    assert (answer.status, answer.body) == (400, {
        "error": "alert_transition: missing (send the payload template of docs/sources/datadog.md)"
    })  # fmt: skip
    assert answer.published == []
