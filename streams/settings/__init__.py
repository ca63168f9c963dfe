"""The one settings class: every knob of the worker, the CLI and the local broker.

Settings are read once at start-up (``Settings()``) from ``MTTR_*`` environment
variables (and an optional ``.env`` file) and passed down explicitly; no module
reads ``os.environ`` on its own.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Formatter
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "MTTR_"
MiB = 1024 * 1024


def project_root() -> Path:
    """Return the source checkout when installed editable, else the working directory."""
    here = Path(__file__).resolve().parent.parent.parent  # streams/settings/ -> the root
    if (here / "pyproject.toml").is_file():
        return here
    return Path.cwd()


def default_var_dir() -> Path:
    """Return ``var/`` under the project root: local data (chDB, broker, logs)."""
    return project_root() / "var"


def mask_url(url: str) -> str:
    """Return ``url`` with any password replaced by ``***`` (safe for logs and errors)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


class Settings(BaseSettings):
    """All configuration, from ``MTTR_<FIELD>`` environment variables.

    Secrets are ``SecretStr``: they print as ``**********`` and are only
    unwrapped where a client is built.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore", validate_default=True
    )

    # --- Kafka -----------------------------------------------------------------
    kafka_bootstrap: str = Field(
        "127.0.0.1:9092", description="Kafka bootstrap servers, comma separated (host:port)."
    )
    topic_alerts: str = Field("alerts", description="Topic carrying alert events.")
    topic_deploys: str = Field("deploys", description="Topic carrying deploy events.")
    topic_tickets: str = Field("tickets", description="Topic carrying ticket events.")
    topic_dead_letter: str = Field(
        "dead-letter", description="Topic receiving invalid messages with a reason header."
    )
    topic_partitions: int = Field(
        4, ge=1, description="Partitions for topics the worker creates (keep source topics equal)."
    )
    topic_incidents: str = Field(
        "incidents", description="Topic receiving every incident version (JSON, keyed by id)."
    )
    app_id: str = Field("mttr", description="Faust application id (consumer group, state names).")
    store: str = Field(
        "memory://",
        description="Faust table store: memory:// (rebuilt from the changelog) or rocksdb://.",
    )

    # --- Kafka security --------------------------------------------------------
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT",
        description="Kafka security protocol: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.",
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        "SCRAM-SHA-256",
        description="SASL mechanism (SASL_* protocols): PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.",
    )
    kafka_sasl_username: str | None = Field(
        None, description="SASL user name (required with SASL_PLAINTEXT and SASL_SSL)."
    )
    kafka_sasl_password: SecretStr | None = Field(
        None, description="SASL password (required with SASL_* protocols); never logged."
    )
    kafka_ssl_cafile: Path | None = Field(
        None, description="PEM CA bundle verifying the brokers (SSL, SASL_SSL; default: system)."
    )
    kafka_ssl_certfile: Path | None = Field(
        None, description="PEM client certificate for mutual TLS (SSL, SASL_SSL)."
    )
    kafka_ssl_keyfile: Path | None = Field(
        None, description="PEM private key of kafka_ssl_certfile, if not inside it."
    )

    # --- ClickHouse ------------------------------------------------------------
    clickhouse_url: SecretStr | None = Field(
        None,
        description=(
            "ClickHouse target: chdb://PATH (embedded) or http(s)://user:pass@host:port/. "
            "Default: chdb:// under MTTR_VAR_DIR/chdb."
        ),
    )
    clickhouse_password: SecretStr | None = Field(
        None, description="ClickHouse password (overrides one in the URL); never logged."
    )
    clickhouse_password_file: Path | None = Field(
        None, description="File holding the ClickHouse password (e.g. a mounted secret)."
    )

    # --- Worker ----------------------------------------------------------------
    max_message_bytes: int = Field(
        MiB, ge=1024, description="Messages larger than this are dead-lettered."
    )
    sink_batch_size: int = Field(
        1000, ge=1, description="Max events per batch (and per ClickHouse insert) of each agent."
    )
    sink_batch_seconds: float = Field(
        0.5, gt=0, description="Max seconds an event waits in a batch before the insert."
    )
    sink_retry_max_seconds: float = Field(
        30.0,
        gt=0,
        description="Longest back-off between retries of a failed insert, dead letter or publish.",
    )
    dlq_limit_enabled: bool = Field(
        True, description="Stop the worker when too many recent messages are invalid."
    )
    dlq_max_invalid_ratio: float = Field(
        0.5, gt=0, le=1, description="Invalid share of the recent window that stops the worker."
    )
    dlq_window: int = Field(
        1000, ge=10, description="Number of recent messages the invalid ratio is computed over."
    )
    quiet_period_s: float = Field(
        600,
        ge=0,
        description="Seconds after a resolution in which an alert or opened ticket reopens it.",
    )
    allowed_lateness_s: float = Field(
        3600, ge=0, description="Events this far behind a key's newest event are still applied."
    )
    suspect_window_s: float = Field(
        3600, ge=0, description="Deploys this long before an incident started may be its cause."
    )
    idle_flush_s: float = Field(
        30,
        ge=0.5,
        description=(
            "Wall-clock idle seconds after which a partition's resolved incidents complete"
            " (and a source partition stuck below its end counts as caught up)."
        ),
    )
    retention_s: float = Field(
        7 * 86400, ge=0, description="How long finished incidents stay in state for ticket updates."
    )
    snapshot_interval_s: float = Field(
        60,
        ge=0,
        description=(
            "Seconds between checks for new data to refresh the view snapshots that make whole"
            " views fast (0: never; views are exact either way)."
        ),
    )
    web_host: str = Field("127.0.0.1", description="Worker web (status) interface bind address.")
    web_port: int = Field(6066, ge=0, le=65535, description="Worker web (status) port.")
    log_level: Literal["debug", "info", "warn", "error"] = Field(
        "info", description="Log level of the worker and CLI."
    )

    # --- Gateway (mttr gateway) -------------------------------------------------
    gateway_host: str = Field("127.0.0.1", description="Gateway bind address.")
    gateway_port: int = Field(8080, ge=0, le=65535, description="Gateway HTTP port.")
    gateway_max_body_bytes: int = Field(
        MiB, ge=1024, description="Webhook bodies larger than this get 413."
    )
    gateway_timeout_s: float = Field(
        10.0, gt=0, description="Seconds a request may take, Kafka acknowledgement included."
    )
    alertmanager_service_labels: str = Field(
        "service,job",
        description="Alert labels tried in order for the service of an Alertmanager alert.",
    )

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

    jira_webhook_secrets: SecretStr | None = Field(
        None, description="Comma-separated Jira webhook secrets (X-Hub-Signature); unset: all 401."
    )
    jira_status_map: dict[str, str] = Field(
        default_factory=dict,
        description='JSON: Jira status to ticket status, over the defaults: {"Triage":"opened"}',
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
    pagerduty_webhook_secrets: SecretStr | None = Field(
        None, description="Comma-separated PagerDuty v3 webhook secrets; unset: all 401."
    )
    pagerduty_services: dict[str, str] = Field(
        default_factory=dict, description="JSON map of PagerDuty service id or name to service."
    )
    pagerduty_environment: str = Field(
        "production", description="Environment of PagerDuty ticket events."
    )

    # --- Notifications ----------------------------------------------------------
    slack_webhook_url: SecretStr | None = Field(
        None,
        description="Slack incoming-webhook URL for incident notices; unset: none. Never logged.",
    )
    slack_rate_per_minute: float = Field(
        20, gt=0, le=600, description="Most Slack posts per minute (token bucket, bursts of 5)."
    )
    slack_retry_max_seconds: float = Field(
        60.0, gt=0, description="Longest back-off between retries of a Slack post (5xx, network)."
    )
    slack_link_template: str | None = Field(
        None,
        description=(
            "Link in each notice; {incident_id}, {service} and {environment} are filled in,"
            " e.g. https://grafana.example/d/mttr-incident-drilldown?var-incident={incident_id}."
        ),
    )
    slack_min_severity: Literal["low", "medium", "high", "critical"] = Field(
        "low", description="Incidents below this severity get no Slack notices (until raised)."
    )
    slack_max_age_s: float = Field(
        3600,
        gt=0,
        description=(
            "Changes that happened longer ago than this (event time) are recorded, not posted:"
            " enabling notices on an existing history or replaying one does not flood Slack."
        ),
    )

    @field_validator("slack_webhook_url")
    @classmethod
    def _webhook_is_http(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        parts = urlsplit(value.get_secret_value())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            msg = "slack_webhook_url must be an http(s) URL with a host (value not shown)"
            raise ValueError(msg)
        return value

    @field_validator("slack_link_template")
    @classmethod
    def _link_template_is_known(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        names = {"incident_id", "service", "environment"}
        try:
            used = {name for _, name, _, _ in Formatter().parse(value) if name is not None}
            if used <= names:
                value.format(**dict.fromkeys(names, "x"))
        except (ValueError, KeyError, IndexError, AttributeError) as exc:
            msg = f"slack_link_template is not a valid template: {exc}"
            raise ValueError(msg) from exc
        if not used <= names or urlsplit(value).scheme not in ("http", "https"):
            msg = (
                "slack_link_template must be an http(s) URL using only {incident_id}, "
                f"{{service}} and {{environment}}, got fields {sorted(used)}"
            )
            raise ValueError(msg)
        return value

    # --- Local files and the development broker --------------------------------
    var_dir: Path = Field(
        default_factory=default_var_dir,
        description="Local state: embedded ClickHouse, worker tables, broker data, logs.",
    )
    kafka_version: str = Field("4.4.0", description="Apache Kafka version of the local broker.")
    kafka_cache_dir: Path | None = Field(
        None, description="Where broker jars are cached (default: .cache/kafka in the project)."
    )
    kafka_heap: str = Field("512m", description="JVM max heap of the local broker (<= 768m).")

    @field_validator("kafka_heap")
    @classmethod
    def _heap_is_capped(cls, value: str) -> str:
        units = {"k": 1 / 1024, "m": 1, "g": 1024}
        if not re.fullmatch(r"[1-9][0-9]*[kKmMgG]", value):
            msg = f"kafka_heap must look like 512m or 1g, got {value!r}"
            raise ValueError(msg)
        suffix = value[-1:].lower()
        if int(value[:-1]) * units[suffix] > 768:
            msg = f"kafka_heap {value} exceeds the 768m cap"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _topics_are_distinct(self) -> Settings:
        topics = [
            self.topic_alerts,
            self.topic_deploys,
            self.topic_tickets,
            self.topic_dead_letter,
            self.topic_incidents,
        ]
        if len(set(topics)) != len(topics):
            msg = f"topic names must all differ, got {topics}"
            raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _kafka_security_is_consistent(self) -> Settings:
        protocol = self.kafka_security_protocol
        sasl = protocol.startswith("SASL_")
        tls = protocol in ("SSL", "SASL_SSL")
        if sasl:
            missing = []
            if not self.kafka_sasl_username:
                missing.append(env_var("kafka_sasl_username"))
            if self.kafka_sasl_password is None or not self.kafka_sasl_password.get_secret_value():
                missing.append(env_var("kafka_sasl_password"))
            if missing:
                msg = f"kafka_security_protocol {protocol} requires {' and '.join(missing)}"
                raise ValueError(msg)
        elif self.kafka_sasl_username is not None or self.kafka_sasl_password is not None:
            msg = (
                f"a Kafka SASL user name or password is set but kafka_security_protocol is "
                f"{protocol}; set it to SASL_PLAINTEXT or SASL_SSL"
            )
            raise ValueError(msg)
        files = {
            "kafka_ssl_cafile": self.kafka_ssl_cafile,
            "kafka_ssl_certfile": self.kafka_ssl_certfile,
            "kafka_ssl_keyfile": self.kafka_ssl_keyfile,
        }
        given = {name: path for name, path in files.items() if path is not None}
        if given and not tls:
            msg = (
                f"{', '.join(given)} set but kafka_security_protocol is {protocol}; "
                "TLS files need SSL or SASL_SSL"
            )
            raise ValueError(msg)
        for name, path in given.items():
            if not path.is_file():
                msg = f"{name} {path} is not a readable file"
                raise ValueError(msg)
        if self.kafka_ssl_keyfile is not None and self.kafka_ssl_certfile is None:
            msg = "kafka_ssl_keyfile needs kafka_ssl_certfile (the client certificate)"
            raise ValueError(msg)
        return self

    # --- Derived values --------------------------------------------------------
    @property
    def source_topics(self) -> tuple[str, str, str]:
        """Return the alert, deploy and ticket topic names."""
        return (self.topic_alerts, self.topic_deploys, self.topic_tickets)

    @property
    def topic_types(self) -> dict[str, str]:
        """Map each source topic to the event ``type`` it may carry."""
        return {
            self.topic_alerts: "alert",
            self.topic_deploys: "deploy",
            self.topic_tickets: "ticket",
        }

    def resolved_clickhouse_url(self) -> str:
        """Return the ClickHouse URL to connect to (contains secrets; never log it)."""
        if self.clickhouse_url is not None:
            return self.clickhouse_url.get_secret_value()
        return f"chdb://{self.var_dir / 'chdb'}"

    def clickhouse_url_for_display(self) -> str:
        """Return the ClickHouse URL with the password masked."""
        return mask_url(self.resolved_clickhouse_url())

    def resolved_clickhouse_password(self) -> str | None:
        """Return the password from ``clickhouse_password`` or its file, if configured."""
        if self.clickhouse_password is not None:
            return self.clickhouse_password.get_secret_value()
        if self.clickhouse_password_file is not None:
            return self.clickhouse_password_file.read_text(encoding="utf-8").strip()
        return None

    def resolved_kafka_cache_dir(self) -> Path:
        """Return the folder holding the broker jars for ``kafka_version``."""
        base = self.kafka_cache_dir or project_root() / ".cache" / "kafka"
        return base / self.kafka_version


def env_var(field: str) -> str:
    """Return the environment variable that sets ``field``."""
    return f"{ENV_PREFIX}{field.upper()}"


def describe_env(fields: list[str]) -> list[tuple[str, str, str]]:
    """Return ``(env var, default, description)`` rows for help texts and docs."""
    rows = []
    for name in fields:
        info = Settings.model_fields[name]
        if info.default_factory is not None:
            default = "(derived)"
        elif info.default is None:
            default = "-"
        else:
            default = str(info.default)
        rows.append((env_var(name), default, info.description or ""))
    return rows
