"""New Relic workflow webhooks become alert events (``POST /webhooks/newrelic``).

A New Relic workflow posts one issue per notification, rendered by the
destination's payload template. Our template (docs/sources/newrelic.md) is
New Relic's default webhook template plus ``activatedAt``, ``closedAt`` and
``tags``; the adapter reads:

=========================  ==========================================  ====================
field                      template expression                         event field
=========================  ==========================================  ====================
``id``                     ``{{ json issueId }}``                      ``alert_id``
``state``                  ``{{ json state }}``                        ``status``
``activatedAt``            ``{{ activatedAt }}`` (epoch ms)            time of firing
``closedAt``               ``{{ closedAt }}`` (epoch ms)               time of resolved
``priority``               ``{{ json priority }}``                     ``severity``
``title``                  ``{{ json annotations.title.[0] }}``        ``summary``
``alertConditionNames``    ``{{ json accumulations.conditionName }}``  ``name`` (first)
``tags.<service_tag>``     ``{{ json accumulations.tag.service }}``    ``service``
``impactedEntities``       ``{{ json entitiesData.names }}``           ``service`` fallback
=========================  ==========================================  ====================

``state`` ``ACTIVATED`` is ``firing`` at ``activatedAt``, ``CLOSED`` is
``resolved`` at ``closedAt``; ``CREATED``, ``ACKNOWLEDGED`` and any other
state are ignored. A template without the time a state needs is a
``PayloadError`` naming the missing field: ``updatedAt`` moves on every
notification (priority change, incident added), so it is never used as the
transition time. ``event_id`` is ``newrelic-<id>-<status>-<epoch ms>``: the
notifications New Relic sends while an issue stays active carry the same
``activatedAt`` and so the same id.

Service: the first value of ``tags.<service_tag>`` (an entity tag, default
``service``), else the first impacted entity name, else ``default_service``.
Severity: ``CRITICAL``/``HIGH``/``MEDIUM``/``LOW`` as is; missing is medium.

The webhook destination cannot sign requests: ``token_auth`` is set, the
gateway checks its bearer token, sent as a custom header of the destination.
Sources of the test fixtures: tests/fixtures/newrelic/SOURCES.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.epoch_time import iso_from_ms
from streams.gateway.adapters.mapping import check_names
from streams.gateway.adapters.payload import checked, parse_json, require

SOURCE = "newrelic"
STATES: Mapping[str, tuple[str, str]] = {
    "ACTIVATED": ("firing", "activatedAt"),
    "CLOSED": ("resolved", "closedAt"),
}
"""Issue state -> (alert status, field holding the time of that transition)."""
PRIORITIES: Mapping[str, str] = {
    "CRITICAL": "critical",
    "HIGH": "high",
    "MEDIUM": "medium",
    "LOW": "low",
}
DEFAULT_SEVERITY = "medium"
MAX_NAME = 128


@dataclass(frozen=True)
class NewRelicConfig:
    """How New Relic issues become alert events; built once from settings at start-up.

    Attributes:
        service_tag: Key of ``tags`` in the payload (an entity tag) naming the service.
        default_service: Service when neither the tag nor an entity names one;
            None makes such a payload a ``PayloadError``.
        environment: Environment of every event.

    Raises:
        ValueError: On an empty ``service_tag`` or an invalid service or environment.
    """

    service_tag: str = "service"
    default_service: str | None = None
    environment: str = "production"

    def __post_init__(self) -> None:
        if not self.service_tag.strip():
            msg = "service_tag must not be empty"
            raise ValueError(msg)
        check_names([self.environment, *([self.default_service] if self.default_service else [])])


@dataclass(frozen=True)
class NewRelicAdapter:
    """The ``Adapter`` of ``POST /webhooks/newrelic``: unsigned, the gateway token guards it."""

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = True
    config: NewRelicConfig = field(default_factory=NewRelicConfig)

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return the alert event of one issue notification in ``body``; headers unused."""
        return convert(parse_json(body), self.config)


def convert(payload: Any, config: NewRelicConfig) -> Converted:
    """Convert one workflow notification (our payload template) into at most one alert event.

    Returns:
        ``Converted`` with one event, or ``ignored`` set for a state we do not convert.

    Raises:
        PayloadError: A field of the template is missing or mistyped, or no
            service can be determined; the message names the field.
    """
    if not isinstance(payload, dict):
        msg = f"body: expected a JSON object, got {type(payload).__name__}"
        raise PayloadError(msg)
    state = require(payload, "state")
    if state.strip().upper() not in STATES:
        return Converted(ignored=f"state {state!r} is not converted")
    status, time_field = STATES[state.strip().upper()]
    issue_id = require(payload, "id")
    if not issue_id.strip():
        msg = "id: must not be blank"
        raise PayloadError(msg)
    at_ms = _epoch_ms(payload, time_field)
    title = require(payload, "title")
    service, service_path = _service(payload, config)
    conditions = _strings(payload, "alertConditionNames")
    event: dict[str, Any] = {
        "event_id": f"newrelic-{issue_id}-{status}-{at_ms}",
        "type": "alert",
        "source": SOURCE,
        "service": service,
        "environment": config.environment,
        "occurred_at": iso_from_ms(at_ms, time_field),
        "alert_id": issue_id,
        "name": (conditions[0] if conditions and conditions[0].strip() else title)[:MAX_NAME],
        "status": status,
        "severity": _severity(payload),
        "summary": title[:4096],
        "labels": _labels(payload),
    }
    if status == "resolved" and payload.get("activatedAt") is not None:
        event["starts_at"] = iso_from_ms(_epoch_ms(payload, "activatedAt"), "activatedAt")
    paths = {"event_id": "id", "alert_id": "id", "service": service_path, "name": "title",
             "summary": "title", "occurred_at": time_field}  # fmt: skip
    return Converted(events=[checked(event, paths)])


def _epoch_ms(payload: dict[str, Any], name: str) -> int:
    if payload.get(name) is None:
        msg = (
            f"{name}: missing or null; add the {name!r} line of our payload template "
            "to the workflow (docs/sources/newrelic.md)"
        )
        raise PayloadError(msg)
    value: int = require(payload, name, int)
    iso_from_ms(value, name)
    return value


def _strings(container: dict[str, Any], key: str, where: str = "") -> list[str]:
    """Return the strings of ``container[key]`` ([] if absent/null; a lone string is one item)."""
    value = container.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        msg = f"{where}{key}: expected list of str, got {type(value).__name__}"
        raise PayloadError(msg)
    for index, item in enumerate(value):
        if not isinstance(item, str):
            msg = f"{where}{key}.{index}: expected str, got {type(item).__name__}"
            raise PayloadError(msg)
    return value


def _service(payload: dict[str, Any], config: NewRelicConfig) -> tuple[str, str]:
    tags = payload.get("tags")
    if tags is not None:
        require(payload, "tags", dict)
        for index, value in enumerate(_strings(tags, config.service_tag, "tags.")):
            if value.strip():
                return value.strip(), f"tags.{config.service_tag}.{index}"
    for index, name in enumerate(_strings(payload, "impactedEntities")):
        if name.strip():
            return name.strip(), f"impactedEntities.{index}"
    if config.default_service is not None:
        return config.default_service, "default_service"
    msg = (
        f"tags.{config.service_tag}: no service (no such entity tag, no impactedEntities, "
        "no default service)"
    )
    raise PayloadError(msg)


def _severity(payload: dict[str, Any]) -> str:
    priority = payload.get("priority")
    if priority is None:
        return DEFAULT_SEVERITY
    name = require(payload, "priority")
    if name.strip().upper() not in PRIORITIES:
        msg = f"priority: {name!r} is not one of {', '.join(PRIORITIES)}"
        raise PayloadError(msg)
    return PRIORITIES[name.strip().upper()]


def _labels(payload: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for key in ("priority", "trigger", "workflowName", "issueUrl"):
        if isinstance(payload.get(key), str) and payload[key].strip():
            labels[key] = payload[key]
    for key in ("alertPolicyNames", "alertConditionNames", "impactedEntities"):
        if values := [v for v in _strings(payload, key) if v.strip()]:
            labels[key] = ",".join(values)
    return {key: value[:4096] for key, value in labels.items()}
