"""Monitoring-tool sources of the gateway: Grafana Alerting, Azure Monitor and Datadog."""

from __future__ import annotations

from pydantic import Field, SecretStr

from streams.settings.base import MttrSettings


class MonitoringSettings(MttrSettings):
    """How the alerts of Grafana, Azure Monitor and Datadog are read.

    Reads ``MTTR_GRAFANA_*``, ``MTTR_AZURE_MONITOR_*`` and ``MTTR_DATADOG_*``.
    These senders authenticate with the gateway token; Grafana may also sign
    (its HMAC secret is a ``SecretStr``). Maps are JSON.
    """

    # --- Grafana Alerting ------------------------------------------------------
    grafana_service_labels: str = Field(
        "service,job",
        description="Alert labels tried in order for the service of a Grafana alert.",
    )
    grafana_webhook_secret: SecretStr | None = Field(
        None,
        description="HMAC secret of the Grafana webhook contact point; set: signature required.",
    )
    grafana_signature_header: str = Field(
        "X-Grafana-Alerting-Signature",
        description="Header of the Grafana HMAC signature (the contact point's Header).",
    )
    grafana_timestamp_header: str = Field(
        "", description="Timestamp header of the Grafana HMAC, if the contact point sets one."
    )

    # --- Azure Monitor -----------------------------------------------------------
    azure_monitor_services: dict[str, str] = Field(
        default_factory=dict,
        description="JSON map of resource id/name, configuration item or alert rule to service.",
    )
    azure_monitor_service_property: str = Field(
        "service", description="Custom property of an Azure alert naming its service."
    )
    azure_monitor_environment: str = Field(
        "production", description="Environment of Azure alerts without an environment property."
    )

    # --- Datadog -----------------------------------------------------------------
    datadog_service_tag: str = Field(
        "service", description="Datadog tag key naming the service (service:<name>)."
    )
    datadog_environment_tag: str = Field(
        "env", description="Datadog tag key naming the environment (env:<name>)."
    )
    datadog_environment: str = Field(
        "production", description="Environment of Datadog alerts without that tag."
    )
