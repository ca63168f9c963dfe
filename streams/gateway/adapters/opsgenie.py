"""Opsgenie outgoing webhooks become ticket or alert events (``POST /webhooks/opsgenie``).

One webhook carries one alert action: ``action`` (``Create``, ``Acknowledge``,
``UnAcknowledge``, ``Close``, ``AddNote``, ``Delete``, ``Escalate``, custom
actions ...) and a subset of the alert in ``alert`` (``alertId``, ``message``,
``tags``, ``teams``, ``priority``, ``createdAt`` in epoch ms, ``updatedAt`` in
epoch ns, ...). ``OpsgenieConfig.mode`` chooses what an Opsgenie alert is:

===============  ================================  ==============
``action``       ``tickets`` mode (default)        ``alerts`` mode
===============  ================================  ==============
``Create``       ``opened``                        ``firing``
``Acknowledge``  ``acknowledged``                  ignored
``Close``        ``resolved`` (or ``closed``)      ``resolved``
anything else    ignored                           ignored
===============  ================================  ==============

Time and ids (``event_id``): the time of ``Create`` is ``alert.createdAt`` (ms);
of any other action ``alert.updatedAt``, floored from nanoseconds to the
millisecond. ``event_id`` is ``opsgenie-<alertId>-<action>-<epoch ms>``, the
action lower-cased. Opsgenie's REST API gives the same milliseconds for the
same transitions (the alert's ``createdAt``; an alert log entry's
``createdAt``, which is the nanosecond half of its ``offset`` ``<ms>_<ns>``
floored, while the millisecond half can differ by one), so
``mttr import opsgenie`` calls ``event_id`` and an imported transition and its
live webhook are one event. A ``Create`` re-sent when a team is added to the
alert keeps ``createdAt`` and so its id.

Service: the first tag starting with ``tag_prefix`` (``service:checkout``),
else the first of ``alert.teams`` in ``team_services``, else
``default_service``; none is a ``PayloadError``. Severity: ``alert.priority``
``P1`` critical, ``P2`` high, ``P3`` medium, ``P4``/``P5`` low (an integer
1..5 is read the same); a ticket without a priority has no severity, an
alert gets Opsgenie's default P3 (medium).

Opsgenie does not sign its webhooks: ``token_auth`` is set, the gateway checks
its bearer token, which the integration sends as a custom header. Sources of
the test fixtures: tests/fixtures/opsgenie/SOURCES.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.epoch_time import iso_from_ms, ms_from_datetime, ms_from_ms_or_ns
from streams.gateway.adapters.mapping import check_names
from streams.gateway.adapters.payload import checked, optional_str, parse_json, require

SOURCE = "opsgenie"
MODES = frozenset({"tickets", "alerts"})
CLOSE_STATUSES = frozenset({"resolved", "closed"})
PRIORITIES: Mapping[str, str] = {
    "p1": "critical",
    "p2": "high",
    "p3": "medium",
    "p4": "low",
    "p5": "low",
}
"""Opsgenie priority (any case; ``3`` reads as ``P3``) -> severity."""
DEFAULT_ALERT_SEVERITY = "medium"  # Opsgenie's default priority is P3
MAX_NAME = 128  # the contract's Name; an Opsgenie message may have 130 characters


@dataclass(frozen=True)
class OpsgenieConfig:
    """How Opsgenie alert actions become events; built once from settings at start-up.

    Attributes:
        mode: ``"tickets"`` (Create/Acknowledge/Close are ticket events) or
            ``"alerts"`` (Create/Close are firing/resolved alert events).
        close_status: Ticket status of ``Close``: ``"resolved"`` or ``"closed"``.
        tag_prefix: Prefix of the alert tag naming the service, any case.
        team_services: Opsgenie team id or name (any case) -> service, used
            when no tag names the service.
        default_service: Service when neither names one; None: ``PayloadError``.
        environment: Environment of every event.

    Raises:
        ValueError: On an unknown mode or close status, an empty tag prefix,
            or an invalid service or environment name.
    """

    mode: str = "tickets"
    close_status: str = "resolved"
    tag_prefix: str = "service:"
    team_services: Mapping[str, str] = field(default_factory=dict)
    default_service: str | None = None
    environment: str = "production"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            msg = f"mode: {self.mode!r} is not one of {sorted(MODES)}"
            raise ValueError(msg)
        if self.close_status not in CLOSE_STATUSES:
            msg = f"close_status: {self.close_status!r} is not one of {sorted(CLOSE_STATUSES)}"
            raise ValueError(msg)
        if not self.tag_prefix.strip():
            msg = "tag_prefix must not be empty (every tag would name a service)"
            raise ValueError(msg)
        names = [self.environment, *self.team_services.values()]
        check_names([*names, *([self.default_service] if self.default_service else [])])
        folded = {key.strip().casefold(): value for key, value in self.team_services.items()}
        object.__setattr__(self, "team_services", folded)

    def status(self, action: str) -> str | None:
        """Return the event status of an Opsgenie action, or None if it is not converted."""
        if self.mode == "alerts":
            return {"create": "firing", "close": "resolved"}.get(action.casefold())
        statuses = {"create": "opened", "acknowledge": "acknowledged", "close": self.close_status}
        return statuses.get(action.casefold())


@dataclass(frozen=True)
class OpsgenieAdapter:
    """The ``Adapter`` of ``POST /webhooks/opsgenie``: unsigned, the gateway token guards it."""

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = True
    config: OpsgenieConfig = field(default_factory=OpsgenieConfig)

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return the event of one alert action in ``body``; headers unused."""
        return convert(parse_json(body), self.config)


def event_id(alert_id: str, action: str, at: int | datetime) -> str:
    """Return the event id of one Opsgenie alert transition, live or imported.

    Args:
        alert_id: The alert's id (webhook ``alert.alertId``, REST API ``id``).
        action: The Opsgenie action, any case: ``Create``, ``Acknowledge``, ``Close``.
        at: When it happened: epoch milliseconds, or an aware datetime (floored
            to the millisecond). For ``Create`` the alert's ``createdAt``; for
            the others the webhook's ``alert.updatedAt`` or the REST API alert
            log entry's ``createdAt`` (not the millisecond half of its ``offset``).

    Returns:
        ``opsgenie-<alert_id>-<action lower-cased>-<epoch ms>``.

    Raises:
        ValueError: A blank alert id or action, or a naive datetime.
    """
    if not alert_id.strip() or not action.strip():
        msg = "alert id and action must not be blank"
        raise ValueError(msg)
    ms = at if isinstance(at, int) else ms_from_datetime(at)
    return f"opsgenie-{alert_id}-{action.strip().lower()}-{ms}"


def convert(payload: Any, config: OpsgenieConfig) -> Converted:
    """Convert one Opsgenie webhook body into at most one ticket or alert event.

    Returns:
        ``Converted`` with one event, or ``ignored`` set for an action the
        mode does not convert.

    Raises:
        PayloadError: The body is not an Opsgenie alert action, or no service
            can be determined; the message names the JSON path.
    """
    if not isinstance(payload, dict):
        msg = f"body: expected a JSON object, got {type(payload).__name__}"
        raise PayloadError(msg)
    action = require(payload, "action")
    status = config.status(action)
    if status is None:
        return Converted(ignored=f"action {action!r} is not converted in {config.mode} mode")
    alert_id = require(payload, "alert.alertId")
    if not alert_id.strip():  # the ids of every alert would collide
        msg = "alert.alertId: must not be blank"
        raise PayloadError(msg)
    created_ms = require(payload, "alert.createdAt", int)
    created_at = iso_from_ms(created_ms, "alert.createdAt")
    time_path = "alert.createdAt" if action.casefold() == "create" else "alert.updatedAt"
    at_ms = ms_from_ms_or_ns(require(payload, time_path, int), time_path)
    service, service_path = _service(payload, config)
    common = {
        "event_id": event_id(alert_id, action, at_ms),
        "source": SOURCE,
        "service": service,
        "environment": config.environment,
        "occurred_at": iso_from_ms(at_ms, time_path),
        "status": status,
    }
    message = require(payload, "alert.message")
    priority = _priority(payload)
    if config.mode == "tickets":
        event = {**common, "type": "ticket", "ticket_id": alert_id, "title": message,
                 "severity": PRIORITIES[priority] if priority else None}  # fmt: skip
    else:
        event = {**common, "type": "alert", "alert_id": alert_id, "name": message[:MAX_NAME],
                 "severity": PRIORITIES[priority or "p3"], "starts_at": created_at,
                 "summary": (optional_str(payload, "alert.description") or message)[:4096],
                 "labels": _labels(payload, priority)}  # fmt: skip
    paths = {"event_id": "alert.alertId", "ticket_id": "alert.alertId",
             "alert_id": "alert.alertId", "service": service_path, "name": "alert.message",
             "title": "alert.message", "summary": "alert.description",
             "occurred_at": time_path, "starts_at": "alert.createdAt"}  # fmt: skip
    return Converted(events=[checked(event, paths)])


def _strings(payload: dict[str, Any], path: str) -> list[str]:
    parent, _, leaf = path.rpartition(".")
    if require(payload, parent, dict).get(leaf) is None:
        return []
    values: list[Any] = require(payload, path, list)
    for index, value in enumerate(values):
        if not isinstance(value, str):
            msg = f"{path}.{index}: expected str, got {type(value).__name__}"
            raise PayloadError(msg)
    return values


def _service(payload: dict[str, Any], config: OpsgenieConfig) -> tuple[str, str]:
    prefix = config.tag_prefix.casefold()
    for index, tag in enumerate(_strings(payload, "alert.tags")):
        if tag.casefold().startswith(prefix) and tag[len(prefix) :].strip():
            return tag[len(prefix) :].strip(), f"alert.tags.{index}"
    for index, team in enumerate(_strings(payload, "alert.teams")):
        if (service := config.team_services.get(team.strip().casefold())) is not None:
            return service, f"alert.teams.{index}"
    if config.default_service is not None:
        return config.default_service, "default_service"
    msg = (
        f"alert: no service (no tag starting with {config.tag_prefix!r} in alert.tags, "
        "no team of alert.teams in the team map, no default service)"
    )
    raise PayloadError(msg)


def _priority(payload: dict[str, Any]) -> str | None:
    """Return ``p1``..``p5``, or None when the payload carries no priority."""
    value = payload["alert"].get("priority")
    if value is None:
        return None
    name = f"p{value}" if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(name, str) or name.strip().casefold() not in PRIORITIES:
        msg = f"alert.priority: {value!r} is not one of P1, P2, P3, P4, P5"
        raise PayloadError(msg)
    return name.strip().casefold()


def _labels(payload: dict[str, Any], priority: str | None) -> dict[str, str]:
    alert = payload["alert"]
    labels = {key: alert[key] for key in ("alias", "entity", "tinyId", "source", "username")
              if isinstance(alert.get(key), str) and alert[key].strip()}  # fmt: skip
    if priority is not None:
        labels["priority"] = priority.upper()
    if tags := _strings(payload, "alert.tags"):
        labels["tags"] = ",".join(tags)
    return {key: value[:4096] for key, value in labels.items()}
