"""Gateway settings (``mttr gateway``): HTTP server, and the webhook sources' secrets and maps."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from streams.settings.base import MiB, MttrSettings


class GatewaySettings(MttrSettings):
    """The webhook gateway: where it listens, and how each source's payloads are read.

    Reads ``MTTR_GATEWAY_*`` (``MTTR_GATEWAY_TOKEN``: the shared token of the routes
    whose sender cannot sign), ``MTTR_ALERTMANAGER_*``, ``MTTR_GITHUB_*``, ``MTTR_JIRA_*``
    and ``MTTR_PAGERDUTY_*``. Webhook secrets are ``SecretStr``; the maps are JSON.
    """

    # --- HTTP server -----------------------------------------------------------
    gateway_host: str = Field("127.0.0.1", description="Gateway bind address.")
    gateway_port: int = Field(8080, ge=0, le=65535, description="Gateway HTTP port.")
    gateway_max_body_bytes: int = Field(
        MiB, ge=1024, description="Webhook bodies larger than this get 413."
    )
    gateway_timeout_s: float = Field(
        10.0, gt=0, description="Seconds a request may take, Kafka acknowledgement included."
    )
    gateway_token: SecretStr | None = Field(
        None,
        description="Comma-separated shared tokens of /events and unsigned webhook routes "
        "(Bearer, Basic password or ?token=); unset: those routes are open.",
    )

    # --- Alertmanager ----------------------------------------------------------
    alertmanager_service_labels: str = Field(
        "service,job",
        description="Alert labels tried in order for the service of an Alertmanager alert.",
    )

    # --- GitHub ----------------------------------------------------------------
    github_webhook_secret: SecretStr | None = Field(
        None, description="Secret of the GitHub webhook (X-Hub-Signature-256); unset: all 401."
    )
    github_services: dict[str, str] = Field(
        default_factory=dict,
        description='JSON map of repository (owner/repo or repo) to service: {"acme/api":"api"}.',
    )
    github_environments: dict[str, str] = Field(
        default_factory=dict,
        description='JSON map of GitHub environment to ours, e.g. {"prod":"production"}.',
    )
    github_rollback_workflows: str = Field(
        "", description="Comma-separated workflows (name, path or file) whose runs are rollbacks."
    )
    github_hotfix_workflows: str = Field(
        "", description="Comma-separated workflows (name, path or file) whose runs are hotfixes."
    )
    github_workflow_environment: str = Field(
        "production", description="Environment of deploys from rollback/hotfix workflow runs."
    )
    github_changes: Literal["push", "pull_request"] = Field(
        "push",
        description="What reports changes landed on the default branch: push (each pushed "
        "commit) or pull_request (each merged pull request); the other is ignored.",
    )

    # --- Jira ------------------------------------------------------------------
    jira_webhook_secrets: SecretStr | None = Field(
        None, description="Comma-separated Jira webhook secrets (X-Hub-Signature); unset: all 401."
    )
    jira_status_map: dict[str, str] = Field(
        default_factory=dict,
        description='JSON: Jira status to ticket status, over the defaults: {"Triage":"opened"}',
    )
    jira_postmortem_status: str | None = Field(
        None,
        description=(
            "Jira status meaning the incident's review is published (ticket status postmortem);"
            " unset: none."
        ),
    )
    jira_priority_map: dict[str, str] = Field(
        default_factory=dict,
        description="JSON map of Jira priority to severity, over the defaults.",
    )
    jira_component_map: dict[str, str] = Field(
        default_factory=dict, description="JSON map of Jira component to service."
    )
    jira_service_label_prefix: str = Field(
        "service:", description="Jira label prefix naming the service, e.g. service:checkout."
    )
    jira_default_service: str | None = Field(
        None, description="Service of Jira issues without a component or service label."
    )
    jira_environment: str = Field("production", description="Environment of Jira ticket events.")

    # --- PagerDuty -------------------------------------------------------------
    pagerduty_webhook_secrets: SecretStr | None = Field(
        None, description="Comma-separated PagerDuty v3 webhook secrets; unset: all 401."
    )
    pagerduty_services: dict[str, str] = Field(
        default_factory=dict, description="JSON map of PagerDuty service id or name to service."
    )
    pagerduty_environment: str = Field(
        "production", description="Environment of PagerDuty ticket events."
    )
