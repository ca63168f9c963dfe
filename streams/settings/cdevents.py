"""CDEvents settings (``POST /webhooks/cdevents``): how CDEvents name services and tickets."""

from __future__ import annotations

from pydantic import Field

from streams.settings.base import MttrSettings


class CDEventsSettings(MttrSettings):
    """The CDEvents source of the gateway: renames, severity and ticket rules.

    Reads ``MTTR_CDEVENTS_*``. The maps are JSON objects; the ``*_map``
    settings extend the adapter's defaults (docs/sources/cdevents.md).
    """

    cdevents_services: dict[str, str] = Field(
        default_factory=dict,
        description="JSON map of CDEvents service id (or purl name, ticket group) to service: "
        '{"service/myapp":"myapp"}.',
    )
    cdevents_environments: dict[str, str] = Field(
        default_factory=dict,
        description='JSON map of CDEvents environment id to ours: {"prod1":"production"}.',
    )
    cdevents_severity_map: dict[str, str] = Field(
        default_factory=dict,
        description="JSON: incident customData.severity / ticket priority to severity, over "
        "the defaults.",
    )
    cdevents_status_map: dict[str, str] = Field(
        default_factory=dict,
        description="JSON: ticket.updated customData.status to ticket status, over the "
        'defaults: {"triage":"acknowledged"}',
    )
    cdevents_ticket_types: str = Field(
        "incident",
        description="Comma-separated ticketType values that are incident tickets; empty: all.",
    )
    cdevents_service_label_prefix: str = Field(
        "service:", description="Ticket label prefix naming the service, e.g. service:checkout."
    )
    cdevents_default_service: str | None = Field(
        None, description="Service of CDEvents tickets without a service label or mapped group."
    )
    cdevents_ticket_environment: str = Field(
        "production", description="Environment of CDEvents ticket events."
    )
    cdevents_ticket_sources: str = Field(
        "",
        description="Comma-separated context.source values whose incident.resolved resolves "
        "a ticket (incident.reported), not an alert.",
    )
