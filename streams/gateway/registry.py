"""The adapter registry: every webhook source's ``Adapter``, configured from the settings.

``build_adapters`` builds one configured adapter per source (``ValueError`` on a
wrong setting, so the gateway fails at start-up, not on a request). The
``<source>_config`` builders are shared with the history importers of
``mttr import`` (``streams/gateway/sources.py``), so live and imported events
are mapped by the same configuration.
"""

from __future__ import annotations

from pydantic import SecretStr

from streams.gateway.adapters.alertmanager import AlertmanagerAdapter, AlertmanagerConfig
from streams.gateway.adapters.argocd import ArgoCDAdapter, ArgoCDConfig
from streams.gateway.adapters.awx import AwxAdapter, AwxConfig
from streams.gateway.adapters.azure_monitor import AzureMonitorAdapter, AzureMonitorConfig
from streams.gateway.adapters.base import Adapter
from streams.gateway.adapters.cdevents import CDEventsAdapter
from streams.gateway.adapters.cdevents_config import (
    DEFAULT_SEVERITY_MAP as CDEVENTS_SEVERITY_MAP,
)
from streams.gateway.adapters.cdevents_config import DEFAULT_STATUS_MAP as CDEVENTS_STATUS_MAP
from streams.gateway.adapters.cdevents_config import CDEventsConfig
from streams.gateway.adapters.datadog import DatadogAdapter, DatadogConfig
from streams.gateway.adapters.github import GitHubAdapter, GitHubConfig
from streams.gateway.adapters.gitlab import GitLabAdapter, GitLabConfig
from streams.gateway.adapters.grafana import GrafanaAdapter, GrafanaConfig, GrafanaSigning
from streams.gateway.adapters.jenkins import JenkinsAdapter, JenkinsConfig
from streams.gateway.adapters.jira import (
    DEFAULT_PRIORITY_MAP,
    DEFAULT_STATUS_MAP,
    JiraAdapter,
    JiraConfig,
)
from streams.gateway.adapters.newrelic import NewRelicAdapter, NewRelicConfig
from streams.gateway.adapters.opsgenie import OpsgenieAdapter, OpsgenieConfig
from streams.gateway.adapters.pagerduty import PagerDutyAdapter, PagerDutyConfig
from streams.gateway.adapters.remediation import JobTargets
from streams.gateway.adapters.rundeck import RundeckAdapter, RundeckConfig
from streams.gateway.adapters.servicenow import ServiceNowAdapter, ServiceNowConfig
from streams.gateway.adapters.servicenow_config import (
    DEFAULT_PRIORITY_MAP as SERVICENOW_PRIORITY_MAP,
)
from streams.gateway.adapters.servicenow_config import DEFAULT_STATE_MAP as SERVICENOW_STATE_MAP
from streams.gateway.adapters.sns import SnsAdapter
from streams.gateway.adapters.sns_config import SnsConfig
from streams.gateway.adapters.splunk import SplunkAdapter, SplunkConfig
from streams.gateway.sns_certificates import CertificateCache, https_get
from streams.settings import Settings


def github_config(settings: Settings) -> GitHubConfig:
    """Return the GitHub mapping (live and history); ``ValueError`` on a bad setting."""
    return GitHubConfig(
        services=settings.github_services,
        environments=settings.github_environments,
        rollback_workflows=_names(settings.github_rollback_workflows),
        hotfix_workflows=_names(settings.github_hotfix_workflows),
        workflow_environment=settings.github_workflow_environment,
        changes=settings.github_changes,
    )


def _postmortem(settings: Settings) -> dict[str, str]:
    """Return the Jira status that publishes the review, mapped to ``postmortem`` (or none)."""
    name = settings.jira_postmortem_status
    return {} if name is None or not name.strip() else {name: "postmortem"}


def jira_config(settings: Settings) -> JiraConfig:
    """Return the Jira mapping (live and history); ``ValueError`` on a bad setting."""
    return JiraConfig(
        status_map={**DEFAULT_STATUS_MAP, **settings.jira_status_map, **_postmortem(settings)},
        priority_map={**DEFAULT_PRIORITY_MAP, **settings.jira_priority_map},
        component_map=settings.jira_component_map,
        label_prefix=settings.jira_service_label_prefix,
        default_service=settings.jira_default_service,
        environment=settings.jira_environment,
    )


def opsgenie_config(settings: Settings) -> OpsgenieConfig:
    """Return the Opsgenie mapping (live and history); ``ValueError`` on a bad setting."""
    return OpsgenieConfig(
        mode=settings.opsgenie_mode,
        close_status=settings.opsgenie_close_status,
        tag_prefix=settings.opsgenie_service_tag_prefix,
        team_services=settings.opsgenie_team_services,
        default_service=settings.opsgenie_default_service,
        environment=settings.opsgenie_environment,
    )


def gitlab_config(settings: Settings) -> GitLabConfig:
    """Return the GitLab mapping (live and history); ``ValueError`` on a bad setting."""
    return GitLabConfig(
        services=settings.gitlab_services,
        environments=settings.gitlab_environments,
        rollback_pipelines=_names(settings.gitlab_rollback_pipelines),
        hotfix_pipelines=_names(settings.gitlab_hotfix_pipelines),
        pipeline_environment=settings.gitlab_pipeline_environment,
        changes=settings.gitlab_changes,
    )


def pagerduty_config(settings: Settings) -> PagerDutyConfig:
    """Return the PagerDuty mapping (live and history); ``ValueError`` on a bad setting."""
    return PagerDutyConfig(
        services=settings.pagerduty_services, environment=settings.pagerduty_environment
    )


def build_adapters(settings: Settings) -> tuple[Adapter, ...]:
    """Return every webhook source's adapter, configured from ``settings``.

    Raises:
        ValueError: A mapping setting holds a value outside the contract.
    """
    alertmanager = AlertmanagerAdapter(
        AlertmanagerConfig(
            service_labels=tuple(
                label.strip() for label in settings.alertmanager_service_labels.split(",") if label
            )
        )
    )
    grafana = GrafanaAdapter(
        GrafanaConfig(service_labels=tuple(_names_in_order(settings.grafana_service_labels))),
        GrafanaSigning(
            secret=_secret(settings.grafana_webhook_secret),
            header=settings.grafana_signature_header.strip(),
            timestamp_header=settings.grafana_timestamp_header.strip(),
        ),
    )
    azure_monitor = AzureMonitorAdapter(
        AzureMonitorConfig(
            services=settings.azure_monitor_services,
            service_property=settings.azure_monitor_service_property,
            environment=settings.azure_monitor_environment,
        )
    )
    datadog = DatadogAdapter(
        DatadogConfig(
            service_tag=settings.datadog_service_tag,
            environment_tag=settings.datadog_environment_tag,
            environment=settings.datadog_environment,
        )
    )
    github = GitHubAdapter(github_config(settings), secret=_secret(settings.github_webhook_secret))
    jira = JiraAdapter(jira_config(settings), secrets=secrets_of(settings.jira_webhook_secrets))
    pagerduty = PagerDutyAdapter(
        pagerduty_config(settings), secrets=secrets_of(settings.pagerduty_webhook_secrets)
    )
    cdevents = CDEventsAdapter(
        CDEventsConfig(
            services=settings.cdevents_services,
            environments=settings.cdevents_environments,
            severity_map={**CDEVENTS_SEVERITY_MAP, **settings.cdevents_severity_map},
            status_map={**CDEVENTS_STATUS_MAP, **settings.cdevents_status_map},
            ticket_types=_names(settings.cdevents_ticket_types),
            service_label_prefix=settings.cdevents_service_label_prefix,
            default_service=settings.cdevents_default_service,
            ticket_environment=settings.cdevents_ticket_environment,
            ticket_sources=_names(settings.cdevents_ticket_sources),
        )
    )
    return (
        alertmanager, github, jira, pagerduty, grafana, azure_monitor, datadog,
        *_observability(settings), cdevents, *_delivery_adapters(settings), _sns(settings),
        *_remediation(settings),
    )  # fmt: skip


def _observability(settings: Settings) -> tuple[Adapter, ...]:
    """Return the Opsgenie, New Relic and Splunk adapters (``ObservabilitySettings``)."""
    opsgenie = OpsgenieAdapter(opsgenie_config(settings))
    newrelic = NewRelicAdapter(
        NewRelicConfig(
            service_tag=settings.newrelic_service_tag,
            default_service=settings.newrelic_default_service,
            environment=settings.newrelic_environment,
        )
    )
    splunk = SplunkAdapter(
        SplunkConfig(
            service_field=settings.splunk_service_field,
            severity_field=settings.splunk_severity_field,
            time_field=settings.splunk_time_field,
            status_fields=tuple(_names_in_order(settings.splunk_status_fields)),
            alert_id_field=settings.splunk_alert_id_field,
            alert_key_fields=tuple(_names_in_order(settings.splunk_alert_key_fields)),
            default_service=settings.splunk_default_service,
            environment=settings.splunk_environment,
        )
    )
    return (opsgenie, newrelic, splunk)


def _delivery_adapters(settings: Settings) -> tuple[Adapter, ...]:
    """Return the GitLab, Argo CD, Jenkins and ServiceNow adapters (``ValueError``: bad setting)."""
    gitlab = GitLabAdapter(
        gitlab_config(settings), secrets=secrets_of(settings.gitlab_webhook_secrets)
    )
    argocd = ArgoCDAdapter(
        ArgoCDConfig(
            services=settings.argocd_services,
            environments=settings.argocd_environments,
            environment_label=settings.argocd_environment_label,
            degraded_severity=settings.argocd_degraded_severity,
        )
    )
    jenkins = JenkinsAdapter(
        JenkinsConfig.from_mapping(settings.jenkins_jobs, settings.jenkins_version_parameter)
    )
    servicenow = ServiceNowAdapter(
        ServiceNowConfig(
            state_map={**SERVICENOW_STATE_MAP, **settings.servicenow_state_map},
            priority_map={**SERVICENOW_PRIORITY_MAP, **settings.servicenow_priority_map},
            services=settings.servicenow_services,
            default_service=settings.servicenow_default_service,
            environment=settings.servicenow_environment,
        ),
        username=settings.servicenow_username or "",
        password=_secret(settings.servicenow_password),
    )
    return (gitlab, argocd, jenkins, servicenow)


def _sns(settings: Settings) -> SnsAdapter:
    """The SNS adapter; ``ValueError`` if subscriptions are confirmed for any topic at all."""
    topics = _names(settings.sns_topic_arns)
    if settings.sns_confirm_subscriptions and not topics:
        msg = (
            "MTTR_SNS_CONFIRM_SUBSCRIPTIONS needs MTTR_SNS_TOPIC_ARNS: without it the gateway "
            "would confirm a subscription from any AWS account's topic"
        )
        raise ValueError(msg)
    config = SnsConfig(
        topic_arns=topics,
        services=settings.sns_services,
        service_dimensions=tuple(settings.sns_service_dimensions.split(",")),
        name_separator=settings.sns_alarm_name_separator,
        default_service=settings.sns_default_service,
        severity=settings.sns_severity,
        severities=settings.sns_alarm_severities,
        environment=settings.sns_environment,
        account_environments=settings.sns_account_environments,
    )
    return SnsAdapter(config, CertificateCache(https_get(settings.sns_fetch_timeout_s)))


def _remediation(settings: Settings) -> tuple[Adapter, ...]:
    """Return the Rundeck and AWX adapters (``RemediationSettings``)."""
    rundeck = RundeckAdapter(
        RundeckConfig(
            JobTargets(
                services=settings.rundeck_jobs,
                environments=settings.rundeck_environments,
                environment=settings.rundeck_environment,
            )
        )
    )
    awx = AwxAdapter(
        AwxConfig(
            JobTargets(
                services=settings.awx_templates,
                environments=settings.awx_environments,
                environment=settings.awx_environment,
            ),
            service_var=settings.awx_service_var.strip(),
            environment_var=settings.awx_environment_var.strip(),
        )
    )
    return (rundeck, awx)


def secrets_of(value: SecretStr | None) -> tuple[str, ...]:
    """Return the comma-separated secrets (or tokens) of a setting, blanks dropped."""
    return tuple(part.strip() for part in _secret(value).split(",") if part.strip())


def _names_in_order(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _names(text: str) -> frozenset[str]:
    return frozenset(_names_in_order(text))


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""
