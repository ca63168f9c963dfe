"""Splunk webhook alert actions become alert events (``POST /webhooks/splunk``).

Splunk's webhook alert action posts, for each triggered alert, ``search_name``,
``sid``, ``results_link``, ``owner``, ``app`` and ``result``: the first result
row, its field values as strings (a list of strings for a multivalue field).
Splunk has no notion of a resolved alert, so the search says it (see
docs/sources/splunk.md): a result whose status field (``SplunkConfig.status_fields``,
default ``status`` then ``state``) is ``resolved`` (any case) is a ``resolved``
alert; any other value, or no such field, is ``firing``.

=================  ======================================================
event field        from
=================  ======================================================
``alert_id``       ``result.<alert_id_field>`` (default ``alert_id``) as is, so
                   a firing search and its resolving companion can share it;
                   else ``search_name``, then ``/`` and the first of the
                   result's ``alert_key_fields`` present (default ``host``)
``name``           ``search_name``
``occurred_at``    ``result.<time_field>`` (default ``_time``): epoch seconds,
                   or ISO 8601 with an offset; required, never the arrival time
``service``        ``result.<service_field>`` (default ``service``), else
                   ``default_service``
``severity``       ``result.<severity_field>`` (default ``severity``): see
                   ``SEVERITIES``; missing or unknown is medium
``environment``    ``result.environment``, else the configured environment
``summary``        ``result._raw``, when the search keeps it
=================  ======================================================

``event_id`` is ``splunk-<alert_id>-<status>-<epoch ms>``: a re-sent webhook
of the same result row gives the same id; each scheduled run that triggers
again gives a new firing of the same alert, at its own time.

Splunk's webhook action sends no header and no signature, only the URL:
``token_auth`` is set, and the gateway token travels in that URL (see the
docs page). Sources of the test fixtures: tests/fixtures/splunk/SOURCES.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.epoch_time import iso_from_ms, ms_from_text
from streams.gateway.adapters.mapping import check_names
from streams.gateway.adapters.payload import checked, parse_json, require

SOURCE = "splunk"
RESOLVED = "resolved"
SEVERITIES: Mapping[str, str] = {
    **{name: name for name in ("critical", "high", "medium", "low")},
    "fatal": "critical",
    "severe": "critical",
    "error": "high",
    "warning": "medium",
    "warn": "medium",
    "info": "low",
    "informational": "low",
    "debug": "low",
    "6": "critical",
    "5": "high",
    "4": "medium",
    "3": "low",
    "2": "low",
    "1": "low",
}
"""Severity field value (any case) -> severity; 1..6 are Splunk's alert.severity
levels as its UI names them (6 Critical, 5 High, 4 Medium, 3 Low, 2 Info, 1 Debug)."""
DEFAULT_SEVERITY = "medium"
MAX_NAME = 128


@dataclass(frozen=True)
class SplunkConfig:
    """Which result fields carry what; built once from settings at start-up.

    Attributes:
        service_field: Result field naming the service.
        severity_field: Result field holding the severity.
        time_field: Result field holding the time (epoch seconds or ISO 8601).
        status_fields: Result fields tried in order for the status.
        alert_id_field: Result field that, when present, is the alert id.
        alert_key_fields: Result fields tried in order to tell apart the
            alerts of one search (e.g. one per host) when there is no alert id field.
        default_service: Service of a result without ``service_field``; None
            makes such a payload a ``PayloadError``.
        environment: Environment of a result without an ``environment`` field.

    Raises:
        ValueError: On an empty field name or an invalid service or environment.
    """

    service_field: str = "service"
    severity_field: str = "severity"
    time_field: str = "_time"
    status_fields: tuple[str, ...] = ("status", "state")
    alert_id_field: str = "alert_id"
    alert_key_fields: tuple[str, ...] = ("host",)
    default_service: str | None = None
    environment: str = "production"

    def __post_init__(self) -> None:
        single = (self.service_field, self.severity_field, self.time_field, self.alert_id_field)
        if not all(name.strip() for name in (*single, *self.status_fields, *self.alert_key_fields)):
            msg = "Splunk result field names must not be empty"
            raise ValueError(msg)
        check_names([self.environment, *([self.default_service] if self.default_service else [])])


@dataclass(frozen=True)
class SplunkAdapter:
    """The ``Adapter`` of ``POST /webhooks/splunk``: unsigned, the gateway token guards it."""

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = True
    config: SplunkConfig = field(default_factory=SplunkConfig)

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return the alert event of one triggered Splunk alert in ``body``; headers unused."""
        return convert(parse_json(body), self.config)


def convert(payload: Any, config: SplunkConfig) -> Converted:
    """Convert one Splunk webhook body into one alert event.

    Raises:
        PayloadError: No ``search_name`` or ``result``, no time field in the
            result, no service, or a field of the wrong type; the message
            names the JSON path.
    """
    if not isinstance(payload, dict):
        msg = f"body: expected a JSON object, got {type(payload).__name__}"
        raise PayloadError(msg)
    if payload.get("search_name") is None:
        msg = "search_name: missing or null (an ad-hoc search; save it as an alert)"
        raise PayloadError(msg)
    search_name = require(payload, "search_name")
    if not search_name.strip():
        msg = "search_name: must not be blank"
        raise PayloadError(msg)
    result = require(payload, "result", dict)
    time_path = f"result.{config.time_field}"
    if result.get(config.time_field) is None:
        msg = (
            f"{time_path}: missing; the first result row must carry its time "
            f"(keep {config.time_field} in the search, e.g. stats latest(_time) AS _time)"
        )
        raise PayloadError(msg)
    at_ms = ms_from_text(_field(result, config.time_field), time_path)
    status = _status(result, config)
    alert_id, alert_path = _alert_id(search_name, result, config)
    service, service_path = _service(result, config)
    event: dict[str, Any] = {
        "event_id": f"splunk-{alert_id}-{status}-{at_ms}",
        "type": "alert",
        "source": SOURCE,
        "service": service,
        "environment": _field(result, "environment") or config.environment,
        "occurred_at": iso_from_ms(at_ms, time_path),
        "alert_id": alert_id,
        "name": search_name[:MAX_NAME],
        "status": status,
        "severity": SEVERITIES.get(
            (_field(result, config.severity_field) or "").strip().casefold(), DEFAULT_SEVERITY
        ),
        "labels": _labels(payload),
    }
    if raw := _field(result, "_raw"):
        event["summary"] = raw[:4096]
    paths = {"event_id": alert_path, "alert_id": alert_path, "name": "search_name",
             "service": service_path, "environment": "result.environment",
             "occurred_at": time_path, "labels": "result"}  # fmt: skip
    return Converted(events=[checked(event, paths)])


def _field(result: dict[str, Any], name: str) -> str | None:
    """Return a result field as a string: a multivalue field gives its first value."""
    value = result.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    msg = f"result.{name}: expected a string field value, got {type(value).__name__}"
    raise PayloadError(msg)


def _status(result: dict[str, Any], config: SplunkConfig) -> str:
    for name in config.status_fields:
        if (value := _field(result, name)) is not None:
            return RESOLVED if value.strip().casefold() == RESOLVED else "firing"
    return "firing"


def _alert_id(search_name: str, result: dict[str, Any], config: SplunkConfig) -> tuple[str, str]:
    if (value := _field(result, config.alert_id_field)) is not None and value.strip():
        return value.strip(), f"result.{config.alert_id_field}"
    for name in config.alert_key_fields:
        if (value := _field(result, name)) is not None and value.strip():
            return f"{search_name}/{value.strip()}", f"result.{name}"
    return search_name, "search_name"


def _service(result: dict[str, Any], config: SplunkConfig) -> tuple[str, str]:
    value = _field(result, config.service_field)
    if value is not None and value.strip():
        return value.strip(), f"result.{config.service_field}"
    if config.default_service is not None:
        return config.default_service, "default_service"
    msg = f"result.{config.service_field}: missing (no service field, no default service)"
    raise PayloadError(msg)


def _labels(payload: dict[str, Any]) -> dict[str, str]:
    return {key: payload[key][:4096] for key in ("app", "owner", "sid", "results_link")
            if isinstance(payload.get(key), str) and payload[key].strip()}  # fmt: skip
