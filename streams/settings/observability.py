"""Observability and on-call sources of the gateway: Opsgenie, New Relic and Splunk."""

from __future__ import annotations

from pydantic import Field

from streams.settings.base import MttrSettings


class ObservabilitySettings(MttrSettings):
    """How Opsgenie, New Relic and Splunk webhooks are read (``mttr gateway``).

    Reads ``MTTR_OPSGENIE_*``, ``MTTR_NEWRELIC_*`` and ``MTTR_SPLUNK_*``. None of
    these senders signs its requests: their routes are guarded by the gateway
    token. Values are checked when the adapters are built, at start-up.
    """

    # --- Opsgenie --------------------------------------------------------------
    opsgenie_mode: str = Field(
        "tickets", description="What an Opsgenie alert becomes: tickets or alerts."
    )
    opsgenie_close_status: str = Field(
        "resolved", description="Ticket status of an Opsgenie Close: resolved or closed."
    )
    opsgenie_service_tag_prefix: str = Field(
        "service:", description="Opsgenie alert tag prefix naming the service, e.g. service:api."
    )
    opsgenie_team_services: dict[str, str] = Field(
        default_factory=dict,
        description='JSON map of Opsgenie team id or name to service: {"<team id>":"api"}.',
    )
    opsgenie_default_service: str | None = Field(
        None, description="Service of Opsgenie alerts without a service tag or mapped team."
    )
    opsgenie_environment: str = Field("production", description="Environment of Opsgenie events.")

    # --- New Relic -------------------------------------------------------------
    newrelic_service_tag: str = Field(
        "service", description="Key of the payload's tags object (entity tag) naming the service."
    )
    newrelic_default_service: str | None = Field(
        None, description="Service of New Relic issues without the service tag or an entity."
    )
    newrelic_environment: str = Field(
        "production", description="Environment of New Relic alert events."
    )

    # --- Splunk ----------------------------------------------------------------
    splunk_service_field: str = Field(
        "service", description="Splunk result field naming the service."
    )
    splunk_severity_field: str = Field(
        "severity", description="Splunk result field holding the severity."
    )
    splunk_time_field: str = Field(
        "_time", description="Splunk result field holding the event time (epoch s or ISO 8601)."
    )
    splunk_status_fields: str = Field(
        "status,state", description="Comma-separated Splunk result fields saying resolved."
    )
    splunk_alert_id_field: str = Field(
        "alert_id", description="Splunk result field that, when present, is the alert id."
    )
    splunk_alert_key_fields: str = Field(
        "host", description="Comma-separated Splunk result fields telling apart a search's alerts."
    )
    splunk_default_service: str | None = Field(
        None, description="Service of Splunk results without the service field."
    )
    splunk_environment: str = Field(
        "production", description="Environment of Splunk results without an environment field."
    )
