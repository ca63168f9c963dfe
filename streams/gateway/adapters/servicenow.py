"""ServiceNow incidents (our business-rule JSON) to ticket events (``POST /webhooks/servicenow``).

ServiceNow sends what a script tells it to; docs/sources/servicenow.md gives
the business rule on ``incident`` that posts, on insert and on every state
change, one JSON object of the standard incident fields: ``sys_id``,
``number``, ``state``, ``previous_state``, ``priority``, ``impact``,
``urgency``, ``cmdb_ci`` (display value), ``short_description``,
``opened_at``, ``resolved_at``, ``closed_at``, ``sys_updated_on``,
``assignment_group`` and ``url``.

Mapping: the ticket is ``number``; the status is ``state`` through
``ServiceNowConfig.state_map`` (1 New opened; 2 In Progress and 3 On Hold
acknowledged; 6 Resolved resolved; 7 Closed and 8 Canceled closed), except
that an open state after a ``previous_state`` of Resolved/Closed is
``reopened``. Severity is ``priority`` through ``priority_map`` (1 Critical
critical ... 4 Low and 5 Planning low). Service: ``cmdb_ci`` through
``services``, else the CI's name, else ``default_service``. Title:
``short_description``; url: ``url``.

Time: ServiceNow date-times are ``YYYY-MM-DD HH:MM:SS``; the script must send
``getValue()``, which is UTC (a display value is in the user's timezone and
format, and would silently shift every duration). The time of an event is the
one for its status: ``opened_at`` (opened), ``resolved_at`` (resolved),
``closed_at`` (closed), else ``sys_updated_on``. ``event_id`` is
``servicenow-<sys_id>-<status>-<that time>``, so a retried post, or a post
repeated while the state did not change, gets the same id for opened,
resolved and closed.

Authentication: with ``username``/``password`` configured, the adapter
requires ``Authorization: Basic`` with them (constant-time, before parsing);
without, the gateway's bearer token applies (``token_auth``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from streams.gateway.adapters import credentials
from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.datetimes import utc_wall_time
from streams.gateway.adapters.payload import checked, optional_str, parse_json, require
from streams.gateway.adapters.servicenow_config import REOPENED_FROM
from streams.gateway.adapters.servicenow_config import ServiceNowConfig as ServiceNowConfig

SOURCE = "servicenow"
STATUS_TIME: Mapping[str, str] = {
    "opened": "opened_at",
    "resolved": "resolved_at",
    "closed": "closed_at",
}
"""Ticket status -> the incident field holding its time (else ``sys_updated_on``)."""
OPEN_STATUSES = frozenset({"opened", "acknowledged", "identified", "mitigated"})


@dataclass(frozen=True)
class ServiceNowAdapter:
    """The ``Adapter`` of ``POST /webhooks/servicenow``.

    ``username`` and ``password`` both set: ``convert`` requires matching HTTP
    Basic credentials (``basic_auth`` is True). Both empty: the gateway token
    applies. One without the other is refused at start-up (``ValueError``).
    """

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = True  # when no Basic credentials are configured
    config: ServiceNowConfig
    username: str = ""
    password: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if bool(self.username) != bool(self.password):
            msg = "ServiceNow Basic auth needs both a username and a password (or neither)"
            raise ValueError(msg)

    @property
    def basic_auth(self) -> bool:
        """True if this adapter checks HTTP Basic credentials itself."""
        return bool(self.username)

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return the ticket event of one post, after the Basic check when configured."""
        if self.basic_auth:
            authorization = headers.get(credentials.AUTHORIZATION)
            credentials.verify_basic(authorization, self.username, self.password)
        return convert(parse_json(body), self.config)


def convert(payload: Any, config: ServiceNowConfig) -> Converted:
    """Convert one incident post into at most one ticket event (see the module docstring).

    Raises:
        PayloadError: A field we use is missing, mistyped or not a UTC
            value; or no service can be determined. The message names the path.
    """
    if not isinstance(payload, dict):
        msg = f"body: expected a JSON object, got {type(payload).__name__}"
        raise PayloadError(msg)
    sys_id = require(payload, "sys_id")
    if not sys_id.strip():
        msg = "sys_id: must not be blank"
        raise PayloadError(msg)
    number = require(payload, "number")
    state = _text(payload, "state")
    status = config.state_map.get(state.strip().casefold())
    if status is None:
        return Converted(ignored=f"incident state {state!r} is not in the state map")
    if status in OPEN_STATUSES and _was_closed(payload, config):
        status = "reopened"
    occurred_at, time_path = _time(payload, status)
    service, service_path = _service(payload, config)
    event = {
        "event_id": f"servicenow-{sys_id}-{status}-{occurred_at}",
        "type": "ticket",
        "source": SOURCE,
        "service": service,
        "environment": config.environment,
        "occurred_at": occurred_at,
        "ticket_id": number,
        "status": status,
        "severity": _severity(payload, config),
        "title": optional_str(payload, "short_description"),
        "url": optional_str(payload, "url") or None,
    }
    paths = {
        "event_id": "sys_id",
        "ticket_id": "number",
        "service": service_path,
        "occurred_at": time_path,
        "title": "short_description",
    }
    return Converted(events=[checked(event, paths)])


def _text(payload: dict[str, Any], path: str) -> str:
    """Return a choice field sent as a string or a number (``"2"`` or ``2``) as text."""
    value = require(payload, path, (str, int))
    return str(value)


def _was_closed(payload: dict[str, Any], config: ServiceNowConfig) -> bool:
    if payload.get("previous_state") in (None, ""):
        return False
    previous = _text(payload, "previous_state")
    return config.state_map.get(previous.strip().casefold()) in REOPENED_FROM


def _time(payload: dict[str, Any], status: str) -> tuple[str, str]:
    """Return the RFC 3339 time of ``status`` and its path: its own field, else sys_updated_on."""
    own = STATUS_TIME.get(status)
    if own is not None and optional_str(payload, own):
        return utc_wall_time(payload[own], own), own
    return utc_wall_time(require(payload, "sys_updated_on"), "sys_updated_on"), "sys_updated_on"


def _service(payload: dict[str, Any], config: ServiceNowConfig) -> tuple[str, str]:
    ci = optional_str(payload, "cmdb_ci")
    if ci and ci.strip():
        return config.services.get(ci.strip().casefold(), ci.strip()), "cmdb_ci"
    if config.default_service is not None:
        return config.default_service, "default_service"
    msg = "cmdb_ci: empty, and no default service is configured"
    raise PayloadError(msg)


def _severity(payload: dict[str, Any], config: ServiceNowConfig) -> str | None:
    if payload.get("priority") in (None, ""):
        return None
    return config.priority_map.get(_text(payload, "priority").strip().casefold())
