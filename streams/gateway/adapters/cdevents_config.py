"""How CDEvents become events of the contract: ``CDEventsConfig`` and its default maps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from schemas.events import SEVERITIES as SEVERITY_ORDER
from streams.gateway.adapters.mapping import check_names, fold

SEVERITIES = frozenset(SEVERITY_ORDER)
TICKET_STATUSES = frozenset(
    {"opened", "acknowledged", "identified", "mitigated", "resolved", "closed", "reopened"}
)

DEFAULT_SEVERITY_MAP: Mapping[str, str] = {
    **{name: name for name in SEVERITY_ORDER},
    "highest": "critical",
    "urgent": "critical",
    "blocker": "critical",
    "p1": "critical",
    "sev1": "critical",
    "error": "high",
    "major": "high",
    "p2": "high",
    "sev2": "high",
    "warning": "medium",
    "moderate": "medium",
    "p3": "medium",
    "sev3": "medium",
    "info": "low",
    "minor": "low",
    "lowest": "low",
    "p4": "low",
    "p5": "low",
    "sev4": "low",
}
"""Incident ``customData.severity`` / ticket ``priority`` (any case) -> severity."""

DEFAULT_STATUS_MAP: Mapping[str, str] = {
    "acknowledged": "acknowledged",
    "in progress": "acknowledged",
    "investigating": "acknowledged",
    "identified": "identified",
    "mitigated": "mitigated",
    "monitoring": "mitigated",
    "resolved": "resolved",
    "done": "resolved",
    "fixed": "resolved",
    "closed": "closed",
    "reopened": "reopened",
}
"""``ticket.updated`` ``customData.status`` (any case) -> ticket status.

``opened`` is left out on purpose: a ``ticket.updated`` is sent on any edit,
and an ``opened`` repeated inside the quiet period would reopen an incident.
"""

DEFAULT_SEVERITY = "medium"
"""Severity of an incident whose ``customData.severity`` is missing or unmapped."""


@dataclass(frozen=True)
class CDEventsConfig:
    """How CDEvents become alert, deploy, ticket and change events; built once from settings.

    Attributes:
        services: Renames services: CDEvents service id (any case) -> our
            service. Looked up with the id each type names the service by (the
            ``subject.id`` of ``service.*``, ``content.service.id`` of
            ``incident.*``, the purl name of ``artifactId``, a ticket's
            ``group``, the repository id or name of ``change.merged``); an id
            not listed is used as is.
        environments: Renames environments: ``content.environment.id`` (any
            case) -> our environment; not listed: used as is.
        severity_map: Incident ``customData.severity`` and ticket ``priority``
            (any case) -> severity. Replaces the defaults; merge with
            ``DEFAULT_SEVERITY_MAP`` to extend them.
        status_map: ``ticket.updated`` ``customData.status`` (any case) ->
            ticket status; replaces ``DEFAULT_STATUS_MAP`` likewise.
        ticket_types: ``ticketType`` values (any case) whose tickets are
            incident tickets; other tickets are ignored. Empty: every ticket.
        service_label_prefix: Prefix of the ticket label naming the service,
            matched case-insensitively, e.g. ``service:checkout``.
        default_service: Service of a ticket without such a label or a mapped
            ``group``; None makes such a ticket a ``PayloadError``.
        ticket_environment: Environment of ticket events (tickets carry none).
        ticket_sources: ``context.source`` values of tools that report incidents
            as tickets (``incident.reported``): their ``incident.resolved``
            resolves the ticket; everyone else's resolves the alert.

    Raises:
        ValueError: On a map value outside the contract, an empty label
            prefix, or an invalid service or environment name.
    """

    services: Mapping[str, str] = field(default_factory=dict)
    environments: Mapping[str, str] = field(default_factory=dict)
    severity_map: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SEVERITY_MAP))
    status_map: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_STATUS_MAP))
    ticket_types: frozenset[str] = frozenset({"incident"})
    service_label_prefix: str = "service:"
    default_service: str | None = None
    ticket_environment: str = "production"
    ticket_sources: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        names = [*self.services.values(), *self.environments.values(), self.ticket_environment]
        if self.default_service is not None:
            names.append(self.default_service)
        check_names(names)
        if not self.service_label_prefix:
            msg = "service_label_prefix must not be empty (every label would name a service)"
            raise ValueError(msg)
        object.__setattr__(self, "services", fold(self.services, "services", None))
        object.__setattr__(self, "environments", fold(self.environments, "environments", None))
        object.__setattr__(
            self, "severity_map", fold(self.severity_map, "severity_map", SEVERITIES)
        )
        object.__setattr__(self, "status_map", fold(self.status_map, "status_map", TICKET_STATUSES))
        types = frozenset(kind.strip().casefold() for kind in self.ticket_types if kind.strip())
        object.__setattr__(self, "ticket_types", types)
        sources = frozenset(_source_key(source) for source in self.ticket_sources if source.strip())
        object.__setattr__(self, "ticket_sources", sources)

    def service(self, name: str) -> str:
        """Return our service for a CDEvents service id (renamed if listed)."""
        return self.services.get(name.strip().casefold(), name)

    def environment(self, name: str) -> str:
        """Return our environment for a CDEvents environment id (renamed if listed)."""
        return self.environments.get(name.strip().casefold(), name)

    def reports_tickets(self, source: str) -> bool:
        """Return whether ``source`` (a ``context.source``) reports incidents as tickets."""
        return _source_key(source) in self.ticket_sources


def _source_key(source: str) -> str:
    """Compare sources without surrounding blanks or a trailing slash."""
    return source.strip().rstrip("/")
