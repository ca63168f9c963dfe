"""The gateway's sources, configured from the settings: name -> converter."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import SecretStr

from streams.gateway.adapters import alertmanager, github, jira, pagerduty
from streams.gateway.adapters.base import Converted
from streams.gateway.app import Convert, own_events, parse_json
from streams.settings import Settings


def build_sources(settings: Settings) -> dict[str, Convert]:
    """Return every endpoint's converter (``events`` is our own contract)."""
    am_config = alertmanager.AlertmanagerConfig(
        service_labels=tuple(
            label.strip() for label in settings.alertmanager_service_labels.split(",") if label
        )
    )

    def from_alertmanager(
        body: bytes, _headers: Mapping[str, str], _query: Mapping[str, str]
    ) -> Converted:
        return alertmanager.convert(parse_json(body), am_config)

    gh_config = github.GitHubConfig(
        services=settings.github_services,
        environments=settings.github_environments,
        rollback_workflows=_names(settings.github_rollback_workflows),
        hotfix_workflows=_names(settings.github_hotfix_workflows),
        workflow_environment=settings.github_workflow_environment,
    )
    gh_secret = _secret(settings.github_webhook_secret)

    def from_github(
        body: bytes, headers: Mapping[str, str], _query: Mapping[str, str]
    ) -> Converted:
        github.verify_signature(body, headers.get(github.SIGNATURE_HEADER), gh_secret)
        return github.convert(headers.get("X-GitHub-Event", ""), parse_json(body), gh_config)

    jira_config = jira.JiraConfig(
        status_map={**jira.DEFAULT_STATUS_MAP, **settings.jira_status_map},
        priority_map={**jira.DEFAULT_PRIORITY_MAP, **settings.jira_priority_map},
        component_map=settings.jira_component_map,
        label_prefix=settings.jira_service_label_prefix,
        default_service=settings.jira_default_service,
        environment=settings.jira_environment,
    )
    jira_secrets = _secrets(settings.jira_webhook_secrets)

    def from_jira(body: bytes, headers: Mapping[str, str], _query: Mapping[str, str]) -> Converted:
        jira.verify_signature(body, headers.get(jira.SIGNATURE_HEADER), jira_secrets)
        return jira.convert(parse_json(body), jira_config)

    pd_config = pagerduty.PagerDutyConfig(
        services=settings.pagerduty_services, environment=settings.pagerduty_environment
    )
    pd_secrets = _secrets(settings.pagerduty_webhook_secrets)

    def from_pagerduty(
        body: bytes, headers: Mapping[str, str], _query: Mapping[str, str]
    ) -> Converted:
        pagerduty.verify_signature(body, headers.get(pagerduty.SIGNATURE_HEADER), pd_secrets)
        return pagerduty.convert(parse_json(body), pd_config)

    return {
        "events": own_events,
        "alertmanager": from_alertmanager,
        "github": from_github,
        "jira": from_jira,
        "pagerduty": from_pagerduty,
    }


def _secrets(value: SecretStr | None) -> list[str]:
    return [part.strip() for part in _secret(value).split(",") if part.strip()]


def _names(text: str) -> frozenset[str]:
    return frozenset(name.strip() for name in text.split(",") if name.strip())


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""
