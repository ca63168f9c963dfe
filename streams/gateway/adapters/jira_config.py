"""How Jira issues become ticket events: ``JiraConfig`` and its default status/priority maps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from schemas.events import SEVERITIES as SEVERITY_ORDER
from streams.gateway.adapters.mapping import check_names, fold

TICKET_STATUSES = frozenset(
    {"opened", "acknowledged", "identified", "mitigated", "resolved", "closed", "reopened"}
    | {"postmortem"}  # v1.1: the review was published; no default status maps to it
)
SEVERITIES = frozenset(SEVERITY_ORDER)
SERVICE_ORIGINS = frozenset({"components", "labels"})

DEFAULT_STATUS_MAP: Mapping[str, str] = {
    "To Do": "opened",
    "Open": "opened",
    "Backlog": "opened",
    "Selected for Development": "opened",
    "In Progress": "acknowledged",
    "Investigating": "acknowledged",
    "Identified": "identified",
    "Mitigated": "mitigated",
    "Monitoring": "mitigated",
    "Resolved": "resolved",
    "Done": "resolved",
    "Fixed": "resolved",
    "Closed": "closed",
    "Reopened": "reopened",
}
"""Jira status name (any case) -> ticket status; covers the stock and incident workflows."""

DEFAULT_PRIORITY_MAP: Mapping[str, str] = {
    "Highest": "critical",
    "Blocker": "critical",
    "P1": "critical",
    "High": "high",
    "Critical": "high",
    "P2": "high",
    "Medium": "medium",
    "Major": "medium",
    "P3": "medium",
    "Low": "low",
    "Lowest": "low",
    "Minor": "low",
    "Trivial": "low",
    "P4": "low",
    "P5": "low",
}
"""Jira priority name (any case) -> severity; current and classic priority schemes."""


@dataclass(frozen=True)
class JiraConfig:
    """How Jira issues become ticket events; built once from settings at start-up.

    Attributes:
        status_map: Jira status name -> ticket status, matched case-insensitively.
            It replaces the defaults; merge with ``DEFAULT_STATUS_MAP`` to extend them.
        priority_map: Jira priority name -> severity, matched case-insensitively.
            An unmapped or missing priority gives no severity.
        service_from: Where to look for the service, in order: ``"components"``
            (the first component's name) and/or ``"labels"`` (the first label
            starting with ``label_prefix``).
        component_map: Renames components: component name (any case) -> service.
            A component not listed is used under its own name.
        label_prefix: Prefix of the label that names the service, matched
            case-insensitively, e.g. ``service:checkout``.
        default_service: Service when neither components nor labels name one;
            None makes such an issue a ``PayloadError``.
        environment: Environment of every event.

    Raises:
        ValueError: On a mapping value outside the contract, an unknown
            ``service_from`` entry, an empty ``label_prefix``, or an invalid
            service or environment name.
    """

    status_map: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_STATUS_MAP))
    priority_map: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PRIORITY_MAP))
    service_from: tuple[str, ...] = ("components", "labels")
    component_map: Mapping[str, str] = field(default_factory=dict)
    label_prefix: str = "service:"
    default_service: str | None = None
    environment: str = "production"

    def __post_init__(self) -> None:
        object.__setattr__(self, "status_map", fold(self.status_map, "status_map", TICKET_STATUSES))
        object.__setattr__(
            self, "priority_map", fold(self.priority_map, "priority_map", SEVERITIES)
        )
        unknown = [origin for origin in self.service_from if origin not in SERVICE_ORIGINS]
        if unknown:
            msg = f"service_from: unknown {unknown}, expected some of {sorted(SERVICE_ORIGINS)}"
            raise ValueError(msg)
        if not self.label_prefix:
            msg = "label_prefix must not be empty (every label would name a service)"
            raise ValueError(msg)
        names = [self.environment, *self.component_map.values()]
        if self.default_service is not None:
            names.append(self.default_service)
        check_names(names)
        folded = {key.strip().casefold(): value for key, value in self.component_map.items()}
        object.__setattr__(self, "component_map", folded)
