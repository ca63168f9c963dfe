"""The gateway's sources as configured from settings: signatures checked, adapters wired."""

from __future__ import annotations

import hashlib
import hmac

import orjson
import pytest
from pydantic import SecretStr

from streams.gateway.adapters.base import SignatureError
from streams.gateway.sources import build_sources
from streams.settings import Settings
from tests.support.cdevents_payloads import binary, load
from tests.support.paths import FIXTURES

SETTINGS = Settings(
    github_webhook_secret=SecretStr("gh-secret"),
    jira_webhook_secrets=SecretStr("old-jira, new-jira"),
    pagerduty_webhook_secrets=SecretStr("pd-secret"),
    jira_default_service="portal",
)


def hub(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_every_source_is_served() -> None:
    assert sorted(build_sources(SETTINGS)) == [
        "alertmanager", "argocd", "awx", "azure-monitor", "cdevents", "datadog", "events",
        "github", "gitlab", "grafana", "jenkins", "jira", "newrelic", "opsgenie", "pagerduty",
        "rundeck", "servicenow", "sns", "splunk",
    ]  # fmt: skip


def test_jira_accepts_any_configured_secret() -> None:
    body = (FIXTURES / "jira" / "derived_issue_created.json").read_bytes()
    convert = build_sources(SETTINGS)["jira"]
    for secret in ("old-jira", "new-jira"):
        converted = convert(body, {"X-Hub-Signature": hub(body, secret)}, {})
        assert [e["type"] for e in converted.events] == ["ticket"]
    with pytest.raises(SignatureError):
        convert(body, {"X-Hub-Signature": hub(body, "other")}, {})


def test_pagerduty_signature_and_conversion() -> None:
    body = (FIXTURES / "pagerduty" / "derived_incident_triggered.json").read_bytes()
    signature = "v1=" + hmac.new(b"pd-secret", body, hashlib.sha256).hexdigest()
    convert = build_sources(SETTINGS)["pagerduty"]
    (event,) = convert(body, {"X-PagerDuty-Signature": signature}, {}).events
    assert (event["type"], event["status"]) == ("ticket", "opened")
    with pytest.raises(SignatureError):
        convert(body, {}, {})


def test_github_signature_and_event_header() -> None:
    body = orjson.dumps({"zen": "Keep it logically awesome.", "hook_id": 1})
    convert = build_sources(SETTINGS)["github"]
    headers = {"X-Hub-Signature-256": hub(body, "gh-secret"), "X-GitHub-Event": "ping"}
    assert convert(body, headers, {}).ignored is not None
    with pytest.raises(SignatureError):
        convert(body, {"X-GitHub-Event": "ping"}, {})


def test_no_secret_configured_rejects_everything() -> None:
    body = (FIXTURES / "jira" / "derived_issue_created.json").read_bytes()
    convert = build_sources(Settings())["jira"]
    with pytest.raises(SignatureError):
        convert(body, {"X-Hub-Signature": hub(body, "")}, {})


def test_cdevents_settings_reach_the_adapter_and_wrong_ones_fail_at_start() -> None:
    settings = Settings(
        cdevents_ticket_sources="/monitoring/prod1/", cdevents_severity_map={"Sev0": "critical"}
    )
    cdevent = load("incident_resolved")
    cdevent["customData"] = {"severity": "sev0"}
    body, headers = binary(cdevent)
    (event,) = build_sources(settings)["cdevents"](body, headers, {}).events
    assert (event["type"], event["status"], event["severity"]) == ("ticket", "resolved", "critical")
    with pytest.raises(ValueError, match=r"severity_map\['p0'\]: 'urgent' is not one of"):
        build_sources(Settings(cdevents_severity_map={"p0": "urgent"}))
    with pytest.raises(ValueError, match="invalid service/environment name"):
        build_sources(Settings(cdevents_services={"a": " "}))


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MTTR_JENKINS_JOBS", '{"deploy": {"service": "a", "kind": "canary"}}', "canary"),
        ("MTTR_ARGOCD_DEGRADED_SEVERITY", "urgent", "degraded_severity"),
        ("MTTR_GITLAB_HOTFIX_PIPELINES", "rollback", "both rollback and hotfix"),
        ("MTTR_SERVICENOW_USERNAME", "mttr", "needs both a username and a password"),
        ("MTTR_SERVICENOW_STATE_MAP", '{"9": "done"}', "state_map"),
    ],
)
def test_a_wrong_delivery_setting_fails_at_start_up(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv("MTTR_GITLAB_ROLLBACK_PIPELINES", "rollback")
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=message):
        build_sources(Settings())


def test_delivery_maps_are_read_as_json_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MTTR_JENKINS_JOBS", '{"asgard": {"service": "shop"}}')
    body = (FIXTURES / "jenkins" / "derived_started.json").read_bytes()
    (event,) = build_sources(Settings())["jenkins"](body, {}, {}).events
    assert (event["service"], event["environment"], event["kind"]) == (
        "shop",
        "production",
        "release",
    )
