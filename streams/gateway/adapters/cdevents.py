"""CDEvents (spec v0.4) over CloudEvents become alert, deploy, ticket and change events.

Served on ``POST /webhooks/cdevents``. The request is a CloudEvent in binary,
structured or batch mode (``cloudevents.py``) whose data is a CDEvent
(``context``, ``subject``, optional ``customData``). The type
``dev.cdevents.<subject>.<predicate>.<version>`` decides the event:

=========================  =======================================================
CDEvents type              event
=========================  =======================================================
``incident.detected``      alert ``firing``
``incident.resolved``      alert ``resolved``; ticket ``resolved`` when
                           ``context.source`` is one of ``ticket_sources``
``incident.reported``      ticket ``opened``
``service.deployed``       deploy ``succeeded``, kind ``release``
``service.upgraded``       deploy ``succeeded``, kind ``release``
``service.rolledback``     deploy ``succeeded``, kind ``rollback``
``ticket.created``         ticket ``opened``
``ticket.updated``         ticket, status ``customData.status`` via ``status_map``
                           (ignored when missing or unmapped)
``ticket.closed``          ticket ``closed`` (whatever the ``resolution``)
``change.merged``          change (v1.1), when it names the commit
                           (``cdevents_change.py``); ignored otherwise
anything else              ignored (counted), also non-CDEvents CloudEvent types
=========================  =======================================================

Tickets whose ``ticketType`` is not one of ``ticket_types`` (default
``incident``) are ignored: a feature request is no incident. Fields, ids,
severities and services: ``cdevents_mapping.py``; the page
docs/sources/cdevents.md has the full tables.

Versions: CDEvents v0.4.0 and v0.4.1 define the same type versions
(``V04_TYPES``); any ``0.x.y`` of a converted type is read, since the fields
used are unchanged from v0.3 to v0.5. A major version other than 0 is a
``PayloadError`` naming the supported one. The CloudEvents ``type`` and
``id`` must equal ``context.type`` and ``context.id``, as the CDEvents
binding requires.

CDEvents producers (Tekton, Keptn, Jenkins plugins, SDKs) cannot sign
requests: ``CDEventsAdapter.token_auth`` asks the gateway for its bearer
token. Sources of the test fixtures: tests/fixtures/cdevents/SOURCES.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from streams.gateway.adapters import cdevents_mapping as build
from streams.gateway.adapters import cloudevents
from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.cdevents_change import change
from streams.gateway.adapters.cdevents_config import CDEventsConfig
from streams.gateway.adapters.cloudevents import CloudEvent

SOURCE = build.SOURCE
PREFIX = "dev.cdevents."
TYPE = re.compile(
    r"^dev\.cdevents\.(?P<subject>[A-Za-z]+)\.(?P<predicate>[A-Za-z]+)"
    r"\.(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)(?:-[0-9A-Za-z.-]+)?$"
)
V04_TYPES: Mapping[str, str] = {
    "incident.detected": "0.2.0",
    "incident.reported": "0.2.0",
    "incident.resolved": "0.2.0",
    "service.deployed": "0.2.0",
    "service.upgraded": "0.2.0",
    "service.rolledback": "0.2.0",
    "ticket.created": "0.1.0",
    "ticket.updated": "0.1.0",
    "ticket.closed": "0.1.0",
    "change.merged": "0.2.0",
}
"""The types read, with their version in CDEvents v0.4.0 and v0.4.1."""
MAJOR = 0

Build = Callable[[CloudEvent, CDEventsConfig], "dict[str, Any] | str"]


@dataclass(frozen=True)
class CDEventsAdapter:
    """The ``Adapter`` of ``POST /webhooks/cdevents``: CloudEvents in, no vendor signature."""

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = True
    config: CDEventsConfig = field(default_factory=CDEventsConfig)

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return the events of the request's CloudEvents, or why none is converted."""
        request = cloudevents.read(body, headers)
        if not request.batch:
            return convert(request.events[0], self.config)
        return convert_batch(request, self.config)


def convert(event: CloudEvent, config: CDEventsConfig) -> Converted:
    """Convert one CloudEvent carrying a CDEvent into at most one event.

    Args:
        event: The CloudEvent; its data is the CDEvent.
        config: Service, environment, severity and ticket mapping.

    Returns:
        ``Converted`` with one event, or with ``ignored`` set (see the module docstring).

    Raises:
        PayloadError: Unsupported major version, CloudEvents attributes that
            contradict the CDEvent, or a CDEvent missing what its type
            requires; the message names the JSON path or header.
    """
    if not event.type.startswith(PREFIX):
        return Converted(ignored=f"{event.named('type')}: {event.type!r} is not a CDEvents type")
    match = TYPE.match(event.type)
    if match is None:
        msg = (
            f"{event.named('type')}: {event.type!r} is not "
            "dev.cdevents.<subject>.<predicate>.<major>.<minor>.<patch>"
        )
        raise PayloadError(msg)
    name = f"{match['subject']}.{match['predicate']}"
    if name not in V04_TYPES:
        return Converted(ignored=f"CDEvents type {name} is not converted")
    if int(match["major"]) != MAJOR:
        msg = (
            f"{event.named('type')}: major version {match['major']} of {name} is not "
            f"supported; this gateway reads CDEvents v0.4 ({name} {V04_TYPES[name]}, "
            f"any {MAJOR}.x.y)"
        )
        raise PayloadError(msg)
    _check_context(event, match["subject"])
    result = BUILDERS[name](event, config)
    if isinstance(result, str):
        return Converted(ignored=result)
    return Converted(events=[result])


def convert_batch(request: cloudevents.Request, config: CDEventsConfig) -> Converted:
    """Convert every CloudEvent of a batch; bad ones go to ``rejected``, the others are kept.

    Items of a kind not converted are left out. A batch with no event is
    ignored when every item was ignored, else a ``PayloadError`` naming each problem.
    """
    events: list[dict[str, Any]] = []
    rejected = list(request.rejected)
    ignored: list[str] = []
    for event in request.events:
        try:
            converted = convert(event, config)
        except PayloadError as exc:
            rejected.append(str(exc))
            continue
        events += converted.events
        if converted.ignored is not None:
            ignored.append(f"{event.data_path.partition('.')[0]}: {converted.ignored}")
    if events:
        return Converted(events=events, rejected=rejected)
    if rejected:
        raise PayloadError("; ".join(rejected))
    return Converted(ignored="; ".join(ignored))


def _check_context(event: CloudEvent, subject: str) -> None:
    """Check the CDEvent agrees with its CloudEvent (type, id) and names the right subject."""
    data = event.data
    if not isinstance(data, dict):
        where = event.data_path or "body"
        msg = f"{where}: expected a CDEvent (JSON object), got {type(data).__name__}"
        raise PayloadError(msg)
    for attribute in ("type", "id"):
        value = build.text(event, f"context.{attribute}")
        if value != getattr(event, attribute):
            msg = (
                f"{event.path(f'context.{attribute}')}: {value!r} differs from "
                f"{event.named(attribute)} {getattr(event, attribute)!r}"
            )
            raise PayloadError(msg)
    subject_type = build.optional(event, "subject.type")
    if subject_type is not None and subject_type != subject:
        msg = f"{event.path('subject.type')}: expected {subject!r}, got {subject_type!r}"
        raise PayloadError(msg)


def _incident_resolved(event: CloudEvent, config: CDEventsConfig) -> dict[str, Any]:
    if config.reports_tickets(build.text(event, "context.source")):
        return build.incident_ticket(event, config, "resolved")
    return build.alert(event, config, "resolved")


def _ticket(status: str | None) -> Build:
    """Return the builder of a ``ticket.*`` type; ``None``: the status is ``customData.status``."""

    def ticket(event: CloudEvent, config: CDEventsConfig) -> dict[str, Any] | str:
        subject_id = build.text(event, "subject.id")
        kind = build.optional(event, "subject.content.ticketType")
        if config.ticket_types and (kind or "").strip().casefold() not in config.ticket_types:
            wanted = ", ".join(sorted(config.ticket_types))
            return f"ticket {subject_id!r}: ticketType {kind!r} is not one of: {wanted}"
        if status is not None:
            return build.ticket(event, config, status)
        name = build.optional(event, "customData.status")
        if name is None:
            return f"ticket.updated of {subject_id!r} carries no customData.status"
        mapped = config.status_map.get(name.strip().casefold())
        if mapped is None:
            return f"ticket.updated of {subject_id!r}: status {name!r} is not in the status map"
        return build.ticket(event, config, mapped)

    return ticket


BUILDERS: Mapping[str, Build] = {
    "incident.detected": lambda event, config: build.alert(event, config, "firing"),
    "incident.resolved": _incident_resolved,
    "incident.reported": lambda event, config: build.incident_ticket(event, config, "opened"),
    "service.deployed": lambda event, config: build.deploy(event, config, "release"),
    "service.upgraded": lambda event, config: build.deploy(event, config, "release"),
    "service.rolledback": lambda event, config: build.deploy(event, config, "rollback"),
    "ticket.created": _ticket("opened"),
    "ticket.updated": _ticket(None),
    "ticket.closed": _ticket("closed"),
    "change.merged": change,
}
"""Converted type -> builder; a builder returns the event, or why it is ignored."""
