"""PagerDuty v3 webhooks become ticket events (``POST /webhooks/pagerduty``).

A v3 webhook carries one ``event`` (PagerDuty developer docs, "Webhooks: Overview"):
``event.id``, ``event.event_type``, ``event.occurred_at`` and, for incident
events, the incident in ``event.data``. The event types below become ticket
events; every other type (``incident.annotated``, ``incident.priority_updated``,
``incident.escalated``, ``incident.unacknowledged``, ``service.*``, ...) is
ignored.

=========================  =================
``event.event_type``       ticket ``status``
=========================  =================
``incident.triggered``     ``opened``
``incident.acknowledged``  ``acknowledged``
``incident.resolved``      ``resolved``
``incident.reopened``      ``reopened``
=========================  =================

Mapping: the ticket is the incident (``data.id``) and the time is
``event.occurred_at`` in whole seconds (UTC), never the arrival time. The service is
``data.service`` looked up in ``PagerDutyConfig.services`` by id, then by
name; without an entry, the PagerDuty service name is used. Severity comes
from ``data.priority.summary`` through ``priority_map``, else from
``data.urgency`` through ``urgency_map``. The title is ``data.title`` and the
url is ``data.html_url``.

``event_id`` is ``pagerduty-<data.id>-<status>-<occurred_at>``, the time in
whole seconds (``2020-10-02T18:42:10Z``): a retried delivery maps to the same
id, and so does the incident's REST log entry of the same change
(``mttr import pagerduty``, ``streams/gateway/history/pagerduty.py``), which
does not carry the webhook's ``event.id``. The REST API gives times in whole
seconds while webhooks carry milliseconds, hence the truncation of the id and
of ``occurred_at`` alike: the same change gives the same event by either
path. Assumed (PagerDuty documents neither): a webhook's ``event.occurred_at``
and the log entry's ``created_at`` are the same instant. Two changes of one
incident to the same status within one second are one event. (Until this
rule, the id was ``pagerduty-<event.id>``.)

Authentication: ``X-PagerDuty-Signature`` carries one or more comma-separated
``v1=<hex HMAC-SHA256 of the raw body>`` signatures, one for each active
secret during a rotation (PagerDuty developer docs, "Verifying Signatures");
see ``signatures.verify_pagerduty``, re-exported here as ``verify_signature``.
``PagerDutyAdapter`` serves the endpoint.
Sources of the test fixtures: tests/fixtures/pagerduty/SOURCES.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from schemas.events import SEVERITIES as SEVERITY_ORDER
from streams.gateway.adapters import signatures
from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.mapping import check_names, fold
from streams.gateway.adapters.payload import checked, optional_str, parse_json, require

SOURCE = "pagerduty"
SIGNATURE_HEADER = signatures.PAGERDUTY_HEADER
verify_signature = signatures.verify_pagerduty  # checked before the body is parsed
EVENT_STATUS: Mapping[str, str] = {
    "incident.triggered": "opened",
    "incident.acknowledged": "acknowledged",
    "incident.resolved": "resolved",
    "incident.reopened": "reopened",
}
SEVERITIES = frozenset(SEVERITY_ORDER)

DEFAULT_PRIORITY_MAP: Mapping[str, str] = {
    "P1": "critical",
    "P2": "high",
    "P3": "medium",
    "P4": "low",
    "P5": "low",
}
"""PagerDuty priority name (any case) -> severity; the default P1..P5 scheme."""

DEFAULT_URGENCY_MAP: Mapping[str, str] = {"high": "high", "low": "low"}
"""PagerDuty urgency -> severity, used when the incident has no mapped priority."""


@dataclass(frozen=True)
class PagerDutyConfig:
    """How PagerDuty incidents become ticket events; built once from settings at start-up.

    Attributes:
        services: PagerDuty service id or name (any case) -> our service. A
            service not listed keeps its PagerDuty name (``data.service.summary``).
        priority_map: PagerDuty priority name (any case) -> severity.
        urgency_map: PagerDuty urgency -> severity, used when the incident has
            no priority or an unmapped one.
        environment: Environment of every event.

    Raises:
        ValueError: On a severity outside the contract or an invalid service
            or environment name.
    """

    services: Mapping[str, str] = field(default_factory=dict)
    priority_map: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PRIORITY_MAP))
    urgency_map: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_URGENCY_MAP))
    environment: str = "production"

    def __post_init__(self) -> None:
        check_names([self.environment, *self.services.values()])
        object.__setattr__(self, "services", fold(self.services, "services", None))
        object.__setattr__(
            self, "priority_map", fold(self.priority_map, "priority_map", SEVERITIES)
        )
        object.__setattr__(self, "urgency_map", fold(self.urgency_map, "urgency_map", SEVERITIES))


@dataclass(frozen=True)
class PagerDutyAdapter:
    """The ``Adapter`` of ``POST /webhooks/pagerduty``.

    ``convert`` checks ``X-PagerDuty-Signature`` against ``secrets`` (any
    ``v1`` signature under any secret) on the raw body, then converts it.
    """

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = False
    config: PagerDutyConfig
    secrets: tuple[str, ...] = field(repr=False)

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return the ticket event of one signed webhook, or why it is ignored."""
        verify_signature(body, headers.get(SIGNATURE_HEADER), self.secrets)
        return convert(parse_json(body), self.config)


def convert(payload: Any, config: PagerDutyConfig) -> Converted:
    """Convert one PagerDuty v3 webhook body into at most one ticket event.

    Args:
        payload: The parsed JSON body.
        config: Service and severity mapping.

    Returns:
        ``Converted`` with one event for an incident status change, or with
        ``ignored`` set for any other event type.

    Raises:
        PayloadError: The body is not a v3 webhook of that event type; the
            message names the JSON path.
    """
    if not isinstance(payload, dict):
        msg = f"body: expected a JSON object, got {type(payload).__name__}"
        raise PayloadError(msg)
    event_type = require(payload, "event.event_type")
    status = EVENT_STATUS.get(event_type)
    if status is None:
        return Converted(ignored=f"event.event_type {event_type!r} is not converted")
    occurred_at = _whole_second(require(payload, "event.occurred_at"))
    data_type = require(payload, "event.data.type")
    if data_type != "incident":
        msg = f"event.data.type: expected 'incident' for {event_type}, got {data_type!r}"
        raise PayloadError(msg)
    incident_id = require(payload, "event.data.id")
    if not incident_id.strip():  # the ids of different incidents would collide
        msg = "event.data.id: must not be blank"
        raise PayloadError(msg)
    service, service_path = _service(payload, config)
    event = {
        "event_id": f"pagerduty-{incident_id}-{status}-{occurred_at}",
        "type": "ticket",
        "source": SOURCE,
        "service": service,
        "environment": config.environment,
        "occurred_at": occurred_at,
        "ticket_id": incident_id,
        "status": status,
        "severity": _severity(payload, config),
        "title": optional_str(payload, "event.data.title"),
        "url": optional_str(payload, "event.data.html_url"),
    }
    paths = {
        "event_id": "event.data.id",
        "service": service_path,
        "ticket_id": "event.data.id",
        "title": "event.data.title",
        "url": "event.data.html_url",
        "occurred_at": "event.occurred_at",
    }
    return Converted(events=[checked(event, paths)])


def _whole_second(value: str) -> str:
    """Return an ISO 8601 time as UTC whole seconds (``2020-10-02T18:42:10Z``).

    A value that is no such time is returned as is: ``checked`` then names
    ``event.occurred_at`` and the contract's reason.
    """
    try:
        instant = datetime.fromisoformat(value)
        if instant.tzinfo is None or "T" not in value:
            return value
        return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError):
        return value


def _service(payload: dict[str, Any], config: PagerDutyConfig) -> tuple[str, str]:
    service_id = require(payload, "event.data.service.id")
    if (mapped := config.services.get(service_id.strip().casefold())) is not None:
        return mapped, "event.data.service.id"
    name = require(payload, "event.data.service.summary")
    return config.services.get(name.strip().casefold(), name), "event.data.service.summary"


def _severity(payload: dict[str, Any], config: PagerDutyConfig) -> str | None:
    data = payload["event"]["data"]
    if data.get("priority") is not None:
        name = require(payload, "event.data.priority.summary")
        if (severity := config.priority_map.get(name.strip().casefold())) is not None:
            return severity
    urgency = optional_str(payload, "event.data.urgency")
    return None if urgency is None else config.urgency_map.get(urgency.strip().casefold())
