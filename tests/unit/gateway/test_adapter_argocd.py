"""Argo CD adapter: our notification template's JSON to deploy events and the health alert.

docs/sources/argocd.md and streams/gateway/adapters/argocd.py; fixtures:
tests/fixtures/argocd/SOURCES.md.
"""

from __future__ import annotations

from typing import Any

import pytest

from schemas.events import AlertEvent, DeployEvent
from streams.gateway.adapters.argocd import ArgoCDAdapter, ArgoCDConfig, convert
from streams.gateway.adapters.base import Converted, PayloadError
from tests.support.argocd_payloads import CONFIG, FIXTURES, load, only_event

REVISION = "ea8759964626a583667a2bfd08f334ec2070040a"


def test_deployed_is_a_succeeded_deploy_at_the_operation_end() -> None:
    event = only_event(convert(load("rendered_deployed.json"), CONFIG), DeployEvent)
    assert event == {
        "event_id": "argocd-deployed-argo-cd/velero-test-2024-03-05T07:33:03Z",
        "type": "deploy",
        "source": "argocd",
        "service": "velero-test",
        "environment": "test-lla",
        "occurred_at": "2024-03-05T07:33:04Z",
        "deploy_id": "argo-cd/velero-test@2024-03-05T07:33:03Z",
        "status": "succeeded",
        "kind": "release",
        "version": REVISION,
        "commit_sha": REVISION,
    }


@pytest.mark.parametrize(
    ("fixture", "status", "occurred_at", "deploy_id"),
    [
        ("derived_sync_running.json", "started", "2024-03-05T07:33:03Z",
         "argo-cd/velero-test@2024-03-05T07:33:03Z"),
        ("derived_sync_failed.json", "failed", "2024-03-05T08:02:40Z",
         "argo-cd/velero-test@2024-03-05T08:02:11Z"),
    ],
)  # fmt: skip
def test_sync_running_and_failed(
    fixture: str, status: str, occurred_at: str, deploy_id: str
) -> None:
    event = only_event(convert(load(fixture), CONFIG), DeployEvent)
    assert (event["status"], event["occurred_at"], event["deploy_id"]) == (
        status,
        occurred_at,
        deploy_id,
    )


def test_one_operation_is_one_deploy_from_start_to_end() -> None:
    running = only_event(convert(load("derived_sync_running.json"), CONFIG), DeployEvent)
    deployed = only_event(convert(load("rendered_deployed.json"), CONFIG), DeployEvent)
    assert running["deploy_id"] == deployed["deploy_id"]
    assert running["event_id"] != deployed["event_id"]


def test_degraded_fires_and_recovered_resolves_the_health_alert() -> None:
    fired = only_event(convert(load("derived_health_degraded.json"), CONFIG), AlertEvent)
    assert fired == {
        "event_id": "argocd-health-degraded-argo-cd/velero-test-2024-03-05T07:41:15Z",
        "type": "alert",
        "source": "argocd",
        "service": "velero-test",
        "environment": "test-lla",
        "occurred_at": "2024-03-05T07:41:15Z",
        "alert_id": "argocd-health-argo-cd/velero-test",
        "name": "ArgoCDApplicationDegraded",
        "status": "firing",
        "severity": "high",
        "category": "availability",
        "summary": "Argo CD application argo-cd/velero-test is Degraded",
        "labels": {"app": "argo-cd/velero-test", "project": "sre"},
    }
    resolved = only_event(convert(load("derived_health_recovered.json"), CONFIG), AlertEvent)
    assert (resolved["alert_id"], resolved["status"], resolved["occurred_at"]) == (
        fired["alert_id"],
        "resolved",
        "2024-03-05T07:58:02Z",
    )


def test_recovered_while_not_healthy_is_ignored() -> None:
    payload = load("derived_health_recovered.json")
    payload["health"]["status"] = "Progressing"
    assert convert(payload, CONFIG) == Converted(
        ignored="health-recovered with health 'Progressing', not Healthy"
    )


def test_environment_from_label_then_namespace_then_default() -> None:
    payload = load("rendered_deployed.json")
    config = ArgoCDConfig(environments={"prod": "production", "test-lla": "staging"})
    assert only_event(convert(payload, config), DeployEvent)["environment"] == "staging"
    payload["labels"]["environment"] = "prod"
    assert only_event(convert(payload, config), DeployEvent)["environment"] == "production"
    payload.update(labels=None, destination_namespace=None)
    assert only_event(convert(payload, config), DeployEvent)["environment"] == "production"
    label = ArgoCDConfig(environment_label="stack")
    assert only_event(convert(load("rendered_deployed.json"), label), DeployEvent)[
        "environment"
    ] == ("gke-v2")


def test_service_map_and_app_without_namespace() -> None:
    payload = {**load("rendered_deployed.json"), "app_namespace": None}
    event = only_event(
        convert(payload, ArgoCDConfig(services={"velero-test": "velero"})), DeployEvent
    )
    assert (event["service"], event["deploy_id"]) == ("velero", "velero-test@2024-03-05T07:33:03Z")


def test_a_helm_revision_is_a_version_not_a_commit() -> None:
    payload = load("rendered_deployed.json")
    payload["operation"]["revision"] = "4.1.2"
    event = only_event(convert(payload, CONFIG), DeployEvent)
    assert (event["version"], event["commit_sha"]) == ("4.1.2", None)
    payload["operation"]["revision"] = None
    assert only_event(convert(payload, CONFIG), DeployEvent)["version"] == "rev1"


def test_the_adapter_serves_the_body_unsigned() -> None:
    body = (FIXTURES / "rendered_deployed.json").read_bytes()
    assert ArgoCDAdapter.token_auth is True
    assert ArgoCDAdapter(CONFIG).convert(body, {}) == convert(
        load("rendered_deployed.json"), CONFIG
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"event": "app-created"}, "event: unknown value 'app-created', expected one of"),
        ({"event": None}, "event: expected str, got NoneType"),
        ({"app": ""}, "app: must not be blank"),
        ({"operation": None}, "operation: expected dict, got NoneType"),
        ({"labels": ["x"]}, "labels: expected dict, got list"),
    ],
)
def test_bad_payloads_name_the_path(change: dict[str, Any], message: str) -> None:
    with pytest.raises(PayloadError) as info:
        convert({**load("rendered_deployed.json"), **change}, CONFIG)
    assert str(info.value).startswith(message)


def test_missing_times_name_the_path() -> None:
    payload = load("rendered_deployed.json")
    payload["operation"]["finished_at"] = None
    with pytest.raises(PayloadError, match=r"^operation.finished_at: expected str, got NoneType"):
        convert(payload, CONFIG)
    payload = load("derived_health_degraded.json")
    payload["health"]["changed_at"] = None
    with pytest.raises(PayloadError, match=r"^health.changed_at: missing \(status.health"):
        convert(payload, CONFIG)
    payload["health"]["changed_at"] = "2024-03-05 07:41:15"
    with pytest.raises(PayloadError, match="^health.changed_at: "):
        convert(payload, CONFIG)


def test_invalid_configuration_fails_at_start_up() -> None:
    with pytest.raises(ValueError, match="degraded_severity: 'urgent' is not one of"):
        ArgoCDConfig(degraded_severity="urgent")
    with pytest.raises(ValueError, match="invalid service/environment name"):
        ArgoCDConfig(environments={"prod": " "})


def test_overlong_ids_are_digested_within_the_contract() -> None:
    payload = {**load("rendered_deployed.json"), "app": "a" * 250}  # Kubernetes allows 253
    config = ArgoCDConfig(services={"a" * 250: "velero"})  # a service name has at most 128
    event = only_event(convert(payload, config), DeployEvent)
    assert len(event["event_id"]) <= 256
    assert len(event["deploy_id"]) <= 256
    assert event == only_event(convert(payload, config), DeployEvent)
