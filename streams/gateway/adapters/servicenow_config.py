"""How ServiceNow incidents become ticket events: ``ServiceNowConfig`` and its default maps.

Keys are matched case-insensitively, so the numeric values a script sends
(``getValue('state')`` is ``"2"``) and the labels (``getDisplayValue``:
``"In Progress"``, ``"1 - Critical"``) both work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from schemas.events import SEVERITIES as SEVERITY_ORDER
from streams.gateway.adapters.mapping import check_names, fold

TICKET_STATUSES = frozenset(
    {"opened", "acknowledged", "identified", "mitigated", "resolved", "closed", "reopened"}
)
SEVERITIES = frozenset(SEVERITY_ORDER)

DEFAULT_STATE_MAP: Mapping[str, str] = {
    "1": "opened",
    "New": "opened",
    "2": "acknowledged",
    "In Progress": "acknowledged",
    "3": "acknowledged",
    "On Hold": "acknowledged",
    "6": "resolved",
    "Resolved": "resolved",
    "7": "closed",
    "Closed": "closed",
    "8": "closed",
    "Canceled": "closed",
    "Cancelled": "closed",
}
"""Incident ``state`` (value or label) -> ticket status: the base system's incident states."""

DEFAULT_PRIORITY_MAP: Mapping[str, str] = {
    "1": "critical",
    "1 - Critical": "critical",
    "Critical": "critical",
    "2": "high",
    "2 - High": "high",
    "High": "high",
    "3": "medium",
    "3 - Moderate": "medium",
    "Moderate": "medium",
    "4": "low",
    "4 - Low": "low",
    "Low": "low",
    "5": "low",
    "5 - Planning": "low",
    "Planning": "low",
}
"""Incident ``priority`` (value or label) -> severity: the base system's 1-5 scale."""

REOPENED_FROM = frozenset({"resolved", "closed"})
"""A ``previous_state`` mapping to one of these, followed by an open state, is a reopen."""


@dataclass(frozen=True)
class ServiceNowConfig:
    """How ServiceNow incidents become ticket events; built once from settings at start-up.

    Attributes:
        state_map: Incident state value or label -> ticket status; a state
            not in the map is ignored (HTTP 202).
        priority_map: Priority value or label -> severity; unmapped: none.
        services: Configuration item (``cmdb_ci`` display value) -> service;
            an unlisted CI is used under its own name.
        default_service: Service of incidents without a CI; None makes such
            an incident a ``PayloadError``.
        environment: Environment of every event.

    Raises:
        ValueError: A status or severity outside the contract, or an invalid name.
    """

    state_map: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_STATE_MAP))
    priority_map: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PRIORITY_MAP))
    services: Mapping[str, str] = field(default_factory=dict)
    default_service: str | None = None
    environment: str = "production"

    def __post_init__(self) -> None:
        object.__setattr__(self, "state_map", fold(self.state_map, "state_map", TICKET_STATUSES))
        object.__setattr__(
            self, "priority_map", fold(self.priority_map, "priority_map", SEVERITIES)
        )
        names = [self.environment, *self.services.values()]
        if self.default_service is not None:
            names.append(self.default_service)
        check_names(names)
        object.__setattr__(self, "services", fold(self.services, "services", None))
