"""The settings: every knob of the worker, the gateway, the CLI and the local broker.

Settings are read once at start-up (``Settings()``) from ``MTTR_*`` environment
variables (and an optional ``.env`` file) and passed down explicitly; no module
reads ``os.environ`` on its own.

``Settings`` is composed of small models, one per concern, each usable alone
(e.g. ``KafkaSettings()`` reads only the Kafka variables):

- ``KafkaSettings`` (``kafka.py``): bootstrap, topics, partitions, SASL/TLS.
- ``ClickHouseSettings`` (``clickhouse.py``): target URL and password.
- ``WorkerSettings`` (``worker.py``): Faust app, batches, windows, status page.
- ``GatewaySettings`` (``gateway.py``): HTTP server and webhook sources.
- ``MonitoringSettings`` (``monitoring.py``): the Grafana, Azure Monitor and
  Datadog alert sources of the gateway.
- ``ObservabilitySettings`` (``observability.py``): the Opsgenie, New Relic
  and Splunk webhook sources.
- ``CDEventsSettings`` (``cdevents.py``): the CDEvents source's renames and ticket rules.
- ``PipelineSettings`` (``pipelines.py``): GitLab, Argo CD and Jenkins sources.
- ``ServiceNowSettings`` (``servicenow.py``): the ServiceNow source.
- ``SnsSettings`` (``sns.py``): Amazon SNS (CloudWatch alarms): topics,
  subscription confirmation, alarm mapping.
- ``RemediationSettings`` (``remediation.py``): Rundeck jobs and AWX templates whose
  runs are remediation deploys.
- ``SlackSettings`` (``slack.py``): incident notices to Slack.
- ``TeamsSettings`` (``teams.py``): incident notices to Microsoft Teams.
- ``LocalSettings`` (``local.py``): the local broker's version, jars and heap.
- ``VarDirSettings`` (``paths.py``): ``MTTR_VAR_DIR``, inherited by the
  ClickHouse, worker and local groups that keep files there.
"""

from __future__ import annotations

from streams.settings.base import ENV_PREFIX, MiB, MttrSettings, env_var
from streams.settings.cdevents import CDEventsSettings
from streams.settings.clickhouse import ClickHouseSettings
from streams.settings.describe import describe_env
from streams.settings.gateway import GatewaySettings
from streams.settings.kafka import KafkaSettings
from streams.settings.local import LocalSettings
from streams.settings.masking import mask_url
from streams.settings.monitoring import MonitoringSettings
from streams.settings.observability import ObservabilitySettings
from streams.settings.paths import VarDirSettings, default_var_dir, project_root
from streams.settings.pipelines import PipelineSettings
from streams.settings.remediation import RemediationSettings
from streams.settings.servicenow import ServiceNowSettings
from streams.settings.slack import SlackSettings
from streams.settings.sns import SnsSettings
from streams.settings.teams import TeamsSettings
from streams.settings.worker import WorkerSettings

__all__ = [
    "ENV_PREFIX",
    "GROUPS",
    "CDEventsSettings",
    "ClickHouseSettings",
    "GatewaySettings",
    "KafkaSettings",
    "LocalSettings",
    "MiB",
    "MonitoringSettings",
    "MttrSettings",
    "ObservabilitySettings",
    "PipelineSettings",
    "ServiceNowSettings",
    "RemediationSettings",
    "Settings",
    "SlackSettings",
    "SnsSettings",
    "TeamsSettings",
    "VarDirSettings",
    "WorkerSettings",
    "default_var_dir",
    "describe_env",
    "env_var",
    "mask_url",
    "project_root",
]


# pydantic orders fields by the reversed MRO, so the groups are listed last to first:
# ``model_fields`` (and the tables generated from it) start with Kafka, end with the broker.
class Settings(
    LocalSettings,
    TeamsSettings,
    SlackSettings,
    RemediationSettings,
    SnsSettings,
    ServiceNowSettings,
    PipelineSettings,
    CDEventsSettings,
    ObservabilitySettings,
    MonitoringSettings,
    GatewaySettings,
    WorkerSettings,
    ClickHouseSettings,
    KafkaSettings,
):
    """All configuration, from ``MTTR_<FIELD>`` environment variables: every group at once.

    One flat namespace: each field is still ``settings.<field>`` and ``MTTR_<FIELD>``.
    Each validation rule is owned by the group defining its fields (the topic and
    Kafka security rules by ``KafkaSettings``, the heap cap by ``LocalSettings``, the
    Slack and Teams URL and template checks by ``SlackSettings`` and ``TeamsSettings``);
    no rule spans two groups.
    Secrets are ``SecretStr``: they print as ``**********`` and are only unwrapped
    where a client is built.
    """


GROUPS: tuple[type[MttrSettings], ...] = (
    KafkaSettings,
    VarDirSettings,
    ClickHouseSettings,
    WorkerSettings,
    GatewaySettings,
    MonitoringSettings,
    ObservabilitySettings,
    CDEventsSettings,
    PipelineSettings,
    ServiceNowSettings,
    SnsSettings,
    RemediationSettings,
    SlackSettings,
    TeamsSettings,
    LocalSettings,
)
"""The small models ``Settings`` is composed of, in field order (each defines its own fields)."""
