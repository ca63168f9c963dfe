"""Delivery pipeline sources of the gateway: GitLab, Argo CD and Jenkins (secrets and maps)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from streams.settings.base import MttrSettings


class PipelineSettings(MttrSettings):
    """How the gateway reads GitLab hooks, Argo CD notifications and Jenkins notifications.

    Reads ``MTTR_GITLAB_*``, ``MTTR_ARGOCD_*`` and ``MTTR_JENKINS_*``. The GitLab
    secret tokens are ``SecretStr``; Argo CD and Jenkins use the gateway token.
    The maps are JSON.
    """

    # --- GitLab ----------------------------------------------------------------
    gitlab_webhook_secrets: SecretStr | None = Field(
        None,
        description="Comma-separated GitLab webhook secret tokens (X-Gitlab-Token); unset: all 401",
    )
    gitlab_services: dict[str, str] = Field(
        default_factory=dict,
        description='JSON map of project (path or name) to service: {"acme/shop/api":"api"}.',
    )
    gitlab_environments: dict[str, str] = Field(
        default_factory=dict,
        description='JSON map of GitLab environment to ours, e.g. {"prod":"production"}.',
    )
    gitlab_rollback_pipelines: str = Field(
        "", description="Comma-separated pipeline (workflow:name) or job names that are rollbacks."
    )
    gitlab_hotfix_pipelines: str = Field(
        "", description="Comma-separated pipeline (workflow:name) or job names that are hotfixes."
    )
    gitlab_pipeline_environment: str = Field(
        "production",
        description="Environment of rollback/hotfix pipelines and of jobs without environment:.",
    )
    gitlab_changes: Literal["push", "merge_request"] = Field(
        "push",
        description="What reports changes landed on the default branch: push (each pushed "
        "commit) or merge_request (each merged merge request); the other is ignored.",
    )

    # --- Argo CD ---------------------------------------------------------------
    argocd_services: dict[str, str] = Field(
        default_factory=dict, description="JSON map of Argo CD application name to service."
    )
    argocd_environments: dict[str, str] = Field(
        default_factory=dict,
        description="JSON map of environment label value or destination namespace to environment.",
    )
    argocd_environment_label: str = Field(
        "environment", description="Application label naming its environment."
    )
    argocd_degraded_severity: str = Field(
        "high", description="Severity of the alert of an Argo CD application whose health degraded."
    )

    # --- Jenkins ---------------------------------------------------------------
    jenkins_jobs: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description='JSON map of deploy job (full path or name) to {"service", "environment", '
        '"kind"}; other jobs are ignored.',
    )
    jenkins_version_parameter: str = Field(
        "VERSION", description="Jenkins build parameter holding the deployed version."
    )
