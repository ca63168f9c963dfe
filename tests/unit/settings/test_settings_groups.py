"""The small settings models: each reads exactly its own variables; Settings is their union."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from streams.settings import (
    GROUPS,
    CDEventsSettings,
    ClickHouseSettings,
    GatewaySettings,
    KafkaSettings,
    LocalSettings,
    MonitoringSettings,
    MttrSettings,
    ObservabilitySettings,
    PipelineSettings,
    RemediationSettings,
    ServiceNowSettings,
    Settings,
    SlackSettings,
    SnsSettings,
    TeamsSettings,
    VarDirSettings,
    WorkerSettings,
    describe_env,
)

OWN_FIELDS: dict[type[MttrSettings], set[str]] = {
    KafkaSettings: {
        "kafka_bootstrap", "topic_alerts", "topic_deploys", "topic_tickets", "topic_changes",
        "topic_dead_letter",
        "topic_partitions", "topic_incidents", "kafka_security_protocol", "kafka_sasl_mechanism",
        "kafka_sasl_username", "kafka_sasl_password", "kafka_ssl_cafile", "kafka_ssl_certfile",
        "kafka_ssl_keyfile",
    },
    VarDirSettings: {"var_dir"},
    ClickHouseSettings: {"clickhouse_url", "clickhouse_password", "clickhouse_password_file"},
    WorkerSettings: {
        "app_id", "store", "max_message_bytes", "sink_batch_size", "sink_batch_seconds",
        "sink_retry_max_seconds", "dlq_limit_enabled", "dlq_max_invalid_ratio", "dlq_window",
        "quiet_period_s", "allowed_lateness_s", "suspect_window_s", "correlate_in_place",
        "idle_flush_s", "retention_s", "review_retention_s",
        "snapshot_interval_s", "web_host", "web_port", "log_level",
    },
    GatewaySettings: {
        "gateway_host", "gateway_port", "gateway_max_body_bytes", "gateway_timeout_s",
        "gateway_token",
        "alertmanager_service_labels", "github_webhook_secret", "github_services",
        "github_environments", "github_rollback_workflows", "github_hotfix_workflows",
        "github_workflow_environment", "github_changes", "jira_webhook_secrets", "jira_status_map",
        "jira_postmortem_status", "jira_priority_map", "jira_component_map",
        "jira_service_label_prefix",
        "jira_default_service", "jira_environment", "pagerduty_webhook_secrets",
        "pagerduty_services", "pagerduty_environment",
    },
    MonitoringSettings: {
        "grafana_service_labels", "grafana_webhook_secret", "grafana_signature_header",
        "grafana_timestamp_header", "azure_monitor_services", "azure_monitor_service_property",
        "azure_monitor_environment", "datadog_service_tag", "datadog_environment_tag",
        "datadog_environment",
    },
    ObservabilitySettings: {
        "opsgenie_mode", "opsgenie_close_status", "opsgenie_service_tag_prefix",
        "opsgenie_team_services", "opsgenie_default_service", "opsgenie_environment",
        "newrelic_service_tag", "newrelic_default_service", "newrelic_environment",
        "splunk_service_field", "splunk_severity_field", "splunk_time_field",
        "splunk_status_fields", "splunk_alert_id_field", "splunk_alert_key_fields",
        "splunk_default_service",
        "splunk_environment",
    },
    CDEventsSettings: {
        "cdevents_services", "cdevents_environments", "cdevents_severity_map",
        "cdevents_status_map", "cdevents_ticket_types", "cdevents_service_label_prefix",
        "cdevents_default_service", "cdevents_ticket_environment", "cdevents_ticket_sources",
    },
    PipelineSettings: {
        "gitlab_webhook_secrets", "gitlab_services", "gitlab_environments",
        "gitlab_rollback_pipelines", "gitlab_hotfix_pipelines", "gitlab_pipeline_environment",
        "gitlab_changes",
        "argocd_services", "argocd_environments", "argocd_environment_label",
        "argocd_degraded_severity", "jenkins_jobs", "jenkins_version_parameter",
    },
    ServiceNowSettings: {
        "servicenow_username", "servicenow_password", "servicenow_state_map",
        "servicenow_priority_map", "servicenow_services", "servicenow_default_service",
        "servicenow_environment",
    },
    SnsSettings: {
        "sns_topic_arns", "sns_confirm_subscriptions", "sns_fetch_timeout_s", "sns_services",
        "sns_service_dimensions", "sns_alarm_name_separator", "sns_default_service",
        "sns_severity", "sns_alarm_severities", "sns_environment", "sns_account_environments",
    },
    RemediationSettings: {
        "rundeck_jobs", "rundeck_environments", "rundeck_environment", "awx_templates",
        "awx_environments", "awx_environment", "awx_service_var", "awx_environment_var",
    },
    SlackSettings: {
        "slack_webhook_url", "slack_rate_per_minute", "slack_retry_max_seconds",
        "slack_link_template", "slack_min_severity", "slack_max_age_s",
    },
    TeamsSettings: {
        "teams_webhook_url", "teams_rate_per_minute", "teams_min_severity", "teams_link_template",
    },
    LocalSettings: {"kafka_version", "kafka_cache_dir", "kafka_heap", "clickhouse_reader_password"},
}  # fmt: skip
# Groups keeping files in MTTR_VAR_DIR inherit it from VarDirSettings.
USES_VAR_DIR = {ClickHouseSettings, WorkerSettings, LocalSettings}


def defined_in(group: type[MttrSettings]) -> set[str]:
    """Fields whose annotation is in the group's own class body (not inherited)."""
    return set(vars(group).get("__annotations__", {})) - {"model_config"}


# --- composition ------------------------------------------------------------------------


def test_groups_are_the_settings_bases() -> None:
    in_mro = {c for c in Settings.__mro__ if issubclass(c, MttrSettings)}
    assert in_mro - {Settings, MttrSettings} == set(GROUPS) == set(OWN_FIELDS)
    assert defined_in(Settings) == set()


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.__name__)
def test_each_group_defines_its_own_fields(group: type[MttrSettings]) -> None:
    assert defined_in(group) == OWN_FIELDS[group]
    inherited = {"var_dir"} if group in USES_VAR_DIR else set()
    assert set(group.model_fields) == OWN_FIELDS[group] | inherited


def test_settings_fields_are_the_union_with_no_name_defined_twice() -> None:
    names = [name for group in GROUPS for name in defined_in(group)]
    assert len(names) == len(set(names))
    assert set(Settings.model_fields) == set(names)


def test_settings_fields_are_in_group_order() -> None:
    ordered = [name for group in GROUPS for name in group.model_fields if name in defined_in(group)]
    assert list(Settings.model_fields) == ordered


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.__name__)
def test_composed_fields_are_the_groups_fields(group: type[MttrSettings]) -> None:
    for name, info in group.model_fields.items():
        composed = Settings.model_fields[name]
        assert (composed.annotation, composed.default, composed.default_factory) == (
            info.annotation,
            info.default,
            info.default_factory,
        )
        assert (composed.description, composed.metadata) == (info.description, info.metadata)


def test_kafka_group_has_no_clickhouse_field() -> None:
    assert not {name for name in KafkaSettings.model_fields if name.startswith("clickhouse")}
    assert not hasattr(KafkaSettings(), "clickhouse_url")


# --- each group alone -------------------------------------------------------------------


def test_a_group_reads_only_its_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTTR_KAFKA_BOOTSTRAP", "broker:9093")
    monkeypatch.setenv("MTTR_KAFKA_HEAP", "1g")  # invalid, but not Kafka's business
    monkeypatch.setenv("MTTR_SLACK_WEBHOOK_URL", "not a url")  # idem
    monkeypatch.setenv("MTTR_APP_ID", "other")
    kafka = KafkaSettings()
    assert kafka.kafka_bootstrap == "broker:9093"
    assert set(kafka.model_dump()) == OWN_FIELDS[KafkaSettings]
    assert WorkerSettings().app_id == "other"
    with pytest.raises(ValidationError, match="exceeds the 768m cap"):
        LocalSettings()
    with pytest.raises(ValidationError, match="slack_webhook_url must be an http"):
        SlackSettings()


def test_dotenv_is_read_by_a_group(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MTTR_GATEWAY_PORT=9090\nMTTR_APP_ID=x\n", encoding="utf-8")
    assert GatewaySettings().gateway_port == 9090


def test_kafka_rules_are_owned_by_the_kafka_group() -> None:
    with pytest.raises(ValidationError, match="topic names must all differ"):
        KafkaSettings(topic_alerts="deploys")
    with pytest.raises(ValidationError, match="requires MTTR_KAFKA_SASL_USERNAME and MTTR_KAFKA_"):
        KafkaSettings(kafka_security_protocol="SASL_SSL")
    assert KafkaSettings(topic_alerts="a.v1").topic_types["a.v1"] == "alert"


def test_clickhouse_group_alone_defaults_under_var_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MTTR_VAR_DIR", str(tmp_path / "state"))
    assert ClickHouseSettings().resolved_clickhouse_url() == f"chdb://{tmp_path}/state/chdb"
    monkeypatch.setenv("MTTR_CLICKHOUSE_URL", "http://u:pw@ch:8123/")
    assert ClickHouseSettings().clickhouse_url_for_display() == "http://u:***@ch:8123/"


def test_local_group_alone_resolves_the_jar_cache(tmp_path: Path) -> None:
    local = LocalSettings(kafka_cache_dir=tmp_path, kafka_version="4.0.0")
    assert local.resolved_kafka_cache_dir() == tmp_path / "4.0.0"


def test_describe_env_of_a_group() -> None:
    assert describe_env(["gateway_port"], GatewaySettings) == describe_env(["gateway_port"])
    assert describe_env(["kafka_heap"], LocalSettings) == [
        ("MTTR_KAFKA_HEAP", "512m", "JVM max heap of the local broker (<= 768m).")
    ]
    with pytest.raises(KeyError):
        describe_env(["clickhouse_url"], KafkaSettings)
