"""Grafana Alerting adapter: the documented webhook payload to alert events (pure).

Fixtures: tests/fixtures/grafana/ (the docs' example and variants, see SOURCES.md).
The mapping is Alertmanager's (``alert_notification``); these tests pin what
Grafana adds: version "1" (and "4"), its extra fields, test notifications.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from schemas.events import EVENT_ADAPTER, AlertEvent
from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.grafana import GrafanaConfig, convert
from tests.support.alerting_payloads import grafana, grafana_notification

TEAM = GrafanaConfig(service_labels=("team",))  # the docs' alerts name no service or job


def test_documented_notification_gives_one_event_per_alert() -> None:
    converted = convert(grafana("docs_two_firing.json"), TEAM)
    assert converted.rejected == []
    first, second = converted.events
    assert first == {
        "event_id": "grafana-c6eadffa33fcdf37-firing-2021-10-12T09:51:03.157076+02:00",
        "type": "alert",
        "source": "grafana",
        "service": "blue",
        "environment": "production",
        "occurred_at": "2021-10-12T09:51:03.157076+02:00",
        "starts_at": "2021-10-12T09:51:03.157076+02:00",
        "alert_id": "c6eadffa33fcdf37",
        "name": "High memory usage",
        "status": "firing",
        "severity": "medium",  # no severity label
        "category": "availability",
        "labels": {"alertname": "High memory usage", "team": "blue", "zone": "us-1"},
        "summary": "This alert was triggered for zone us-1",
    }
    assert (second["alert_id"], second["name"]) == ("bc97ff14869b13e3", "High CPU usage")
    parsed = EVENT_ADAPTER.validate_python(first)
    assert isinstance(parsed, AlertEvent)
    assert parsed.occurred_at.isoformat() == "2021-10-12T07:51:03.157000+00:00"  # UTC, ms


def test_resolved_alert_happens_at_ends_at_and_gives_the_ttr() -> None:
    (fired,) = convert(grafana("docs_two_firing.json"), TEAM).events[:1]
    (resolved,) = convert(grafana("derived_resolved.json"), TEAM).events
    assert resolved["event_id"] == "grafana-c6eadffa33fcdf37-resolved-2021-10-12T10:03:33.5+02:00"
    assert (resolved["status"], resolved["alert_id"]) == ("resolved", fired["alert_id"])
    assert resolved["starts_at"] == fired["starts_at"]
    start = EVENT_ADAPTER.validate_python(fired).occurred_at
    end = EVENT_ADAPTER.validate_python(resolved).occurred_at
    assert (end - start).total_seconds() == 750.343  # 10:03:33.500 - 09:51:03.157


def test_default_service_labels_reject_the_docs_alerts_by_path() -> None:
    with pytest.raises(PayloadError) as caught:
        convert(grafana("docs_two_firing.json"), GrafanaConfig())
    assert str(caught.value) == (
        "alerts.0.labels: none of the service labels (service, job) is set; "
        "alerts.1.labels: none of the service labels (service, job) is set"
    )


def test_service_environment_and_severity_labels_as_for_alertmanager() -> None:
    body = grafana_notification(
        "firing", "2026-03-02T10:00:00Z", service="checkout", env="staging", severity="critical"
    )
    (event,) = convert(body, GrafanaConfig()).events
    assert (event["service"], event["environment"], event["severity"]) == (
        "checkout", "staging", "critical",
    )  # fmt: skip


def test_alertmanager_version_4_is_accepted_too() -> None:
    body = grafana_notification("firing", "2026-03-02T10:00:00Z", service="checkout")
    body["version"] = "4"
    (event,) = convert(body, GrafanaConfig()).events
    assert event["source"] == "grafana"


@pytest.mark.parametrize("version", [None, "0", "2", 1])
def test_other_versions_are_refused(version: Any) -> None:
    body = grafana_notification("firing", "2026-03-02T10:00:00Z", service="checkout")
    body["version"] = version
    with pytest.raises(PayloadError, match=r"^version: expected '1' or '4' \(Grafana Alerting"):
        convert(body, GrafanaConfig())


def test_contact_point_test_notification_is_ignored() -> None:
    assert convert(grafana("derived_test_notification.json"), GrafanaConfig()) == Converted(
        ignored="Grafana contact point test notification"
    )


def test_a_test_alert_beside_real_ones_is_left_out_silently() -> None:
    body = grafana("docs_two_firing.json")
    body["alerts"].append(grafana("derived_test_notification.json")["alerts"][0])
    converted = convert(body, TEAM)
    assert [e["alert_id"] for e in converted.events] == ["c6eadffa33fcdf37", "bc97ff14869b13e3"]
    assert converted.rejected == []


def test_one_unusable_alert_does_not_cost_the_others() -> None:
    body = grafana("docs_two_firing.json")
    del body["alerts"][1]["labels"]["team"]
    converted = convert(body, TEAM)
    assert [e["alert_id"] for e in converted.events] == ["c6eadffa33fcdf37"]
    assert converted.rejected == ["alerts.1.labels: none of the service labels (team) is set"]


def test_same_notification_twice_gives_the_same_ids() -> None:
    body = grafana("docs_two_firing.json")
    first = [e["event_id"] for e in convert(body, TEAM).events]
    assert first == [e["event_id"] for e in convert(copy.deepcopy(body), TEAM).events]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: p.pop("alerts"), "alerts: missing"),
        (lambda p: p["alerts"][0].pop("startsAt"), "alerts.0.startsAt: missing"),
        (lambda p: p["alerts"][0].update(status="pending"), "alerts.0.status: expected firing"),
        (lambda p: p["alerts"][0].update(startsAt="12/10/2021"), "alerts.0.startsAt: must be"),
        (
            lambda p: p["alerts"][0].update(annotations=1),
            "alerts.0.annotations: expected an object, got int",
        ),  # shared with Alertmanager
    ],
)
def test_malformed_payloads_name_the_path(mutate: Any, message: str) -> None:
    body = grafana_notification("firing", "2026-03-02T10:00:00Z", service="checkout")
    mutate(body)
    with pytest.raises(PayloadError, match="^" + message.replace(".", r"\.")):
        convert(body, GrafanaConfig())


def test_configuration_needs_a_service_label() -> None:
    with pytest.raises(ValueError, match="at least one label"):
        GrafanaConfig(service_labels=())
