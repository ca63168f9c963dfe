"""Alertmanager webhook v4 payloads to alert events (pure).

The payload shape is Alertmanager's documented webhook format (version "4");
the end-to-end test with a live Prometheus and Alertmanager is
tests/integration/test_alertmanager_e2e.py.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters.alertmanager import AlertmanagerConfig, convert
from streams.gateway.adapters.base import PayloadError

CONFIG = AlertmanagerConfig()


def alert(status: str = "firing", **labels: str) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": "TargetDown", "job": "shop", "severity": "warning", **labels},
        "annotations": {"summary": "shop is down"},
        "startsAt": "2026-03-02T10:00:00.123456789Z",
        "endsAt": "2026-03-02T10:07:30Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": "5c1f0e2d9a8b7c6d",
    }


def payload(*alerts: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "4",
        "groupKey": '{}:{alertname="TargetDown"}',
        "truncatedAlerts": 0,
        "status": alerts[0]["status"],
        "receiver": "mttr",
        "groupLabels": {"alertname": "TargetDown"},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": list(alerts),
    }


def test_firing_alert() -> None:
    (event,) = convert(payload(alert()), CONFIG).events
    assert event == {
        "event_id": "am-5c1f0e2d9a8b7c6d-firing-2026-03-02T10:00:00.123456789Z",
        "type": "alert",
        "source": "alertmanager",
        "service": "shop",
        "environment": "production",
        "occurred_at": "2026-03-02T10:00:00.123456789Z",
        "starts_at": "2026-03-02T10:00:00.123456789Z",
        "alert_id": "5c1f0e2d9a8b7c6d",
        "name": "TargetDown",
        "status": "firing",
        "severity": "medium",  # warning
        "category": "availability",
        "labels": {"alertname": "TargetDown", "job": "shop", "severity": "warning"},
        "summary": "shop is down",
    }
    EVENT_ADAPTER.validate_python(event)


def test_resolved_alert_happens_at_ends_at() -> None:
    (event,) = convert(payload(alert("resolved")), CONFIG).events
    assert (event["status"], event["occurred_at"]) == ("resolved", "2026-03-02T10:07:30Z")
    assert event["starts_at"] == "2026-03-02T10:00:00.123456789Z"
    parsed = EVENT_ADAPTER.validate_python(event)
    assert (parsed.occurred_at - parsed.starts_at).total_seconds() == 449.877  # ms precision


@pytest.mark.parametrize(
    ("label", "severity"),
    [("critical", "critical"), ("HIGH", "high"), ("medium", "medium"), ("low", "low"),
     ("warning", "medium"), ("info", "low"), ("page", "medium")],
)  # fmt: skip
def test_severity_mapping(label: str, severity: str) -> None:
    (event,) = convert(payload(alert(severity=label)), CONFIG).events
    assert event["severity"] == severity


def test_service_label_wins_over_job_and_environment_label() -> None:
    (event,) = convert(payload(alert(service="checkout", env="staging")), CONFIG).events
    assert (event["service"], event["environment"]) == ("checkout", "staging")


def test_configured_service_labels() -> None:
    config = AlertmanagerConfig(service_labels=("app",))
    (event,) = convert(payload(alert(app="cart")), config).events
    assert event["service"] == "cart"
    with pytest.raises(
        PayloadError, match=r"alerts\.0\.labels: none of the service labels \(app\)"
    ):
        convert(payload(alert()), config)


def test_security_category() -> None:
    (event,) = convert(payload(alert(category="security")), CONFIG).events
    assert event["category"] == "security"


def test_same_notification_twice_gives_the_same_ids() -> None:
    body = payload(alert(), alert("resolved"))
    first = [e["event_id"] for e in convert(body, CONFIG).events]
    assert first == [e["event_id"] for e in convert(copy.deepcopy(body), CONFIG).events]
    assert len(set(first)) == 2


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: p.update(version="3"), "version: expected '4'"),
        (lambda p: p.pop("alerts"), "alerts: missing"),
        (lambda p: p.update(alerts=[]), "alerts: empty (a notification carries at least one"),
        (lambda p: p["alerts"][0].pop("fingerprint"), "alerts.0.fingerprint: missing"),
        (lambda p: p["alerts"][0].update(status="pending"), "alerts.0.status: expected firing"),
        (lambda p: p["alerts"][0].update(startsAt=5), "alerts.0.startsAt: expected str, got int"),
        (lambda p: p["alerts"][0]["labels"].update(job=1), "alerts.0.labels: values must be"),
    ],
)
def test_malformed_payloads_name_the_path(mutate: Any, message: str) -> None:
    body = payload(alert())
    mutate(body)
    with pytest.raises(PayloadError, match=message.replace(".", r"\.").replace("(", r"\(")):
        convert(body, CONFIG)


def test_not_an_object() -> None:
    with pytest.raises(PayloadError, match="expected a JSON object, got list"):
        convert([], CONFIG)


def test_an_unusable_alert_is_left_out_not_the_notification() -> None:
    """Alertmanager does not retry a 4xx: the good alert of the group must still get through."""
    config = AlertmanagerConfig(service_labels=("service",))
    good, bad = alert(service="cart"), alert()
    bad["fingerprint"] = "0000000000000bad"
    converted = convert(payload(good, bad), config)
    assert [e["service"] for e in converted.events] == ["cart"]
    assert converted.rejected == ["alerts.1.labels: none of the service labels (service) is set"]


def test_an_invalid_label_value_is_named_by_its_path() -> None:
    converted = convert(payload(alert(), alert(service="bad\nname")), CONFIG)
    assert len(converted.events) == 1
    assert converted.rejected[0].startswith("alerts.1.labels: must not contain control characters")
