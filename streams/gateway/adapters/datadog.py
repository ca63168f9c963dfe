"""Datadog monitor notifications to alert events (``POST /webhooks/datadog``).

Datadog's Webhooks integration posts a payload template the user writes, with
``$VARIABLES`` filled in (Datadog docs, "Webhooks"). Ours is ``PAYLOAD_TEMPLATE``
(docs/sources/datadog.md); every value arrives as a JSON string.

=====================================  ==========================================
``alert_transition``                   event
=====================================  ==========================================
``Triggered``, ``Re-Triggered``        ``firing``
``Warn``, ``Re-Warn``                  ``firing`` (a warning is already an alert)
``Recovered``                          ``resolved``
anything else (``No Data``,            ignored (HTTP 202, counted): no data is
``Re-No Data``, ``Renotify``, ...)     not an outage, a reminder changes nothing
=====================================  ==========================================

* ``occurred_at`` and, when firing, ``starts_at`` are ``date`` (``$DATE``,
  epoch milliseconds: when the transition happened).
* ``alert_id`` is ``alert_cycle_key`` (``$ALERT_CYCLE_KEY``: the same from
  the trigger until the recovery); without one, ``<monitor id>:<scope>``.
* ``service`` is the tag ``<service_tag>:<value>`` of ``tags`` (``$TAGS``),
  ``environment`` the tag ``<environment_tag>:<value>``, else the default.
* ``severity`` from ``alert_priority`` (``$ALERT_PRIORITY``): P1 critical,
  P2 high, P3 medium, P4 and P5 low; none (a monitor without priority) medium.
* ``name`` is ``alert_title`` without its ``[Triggered on ...]`` prefix;
  ``summary`` is ``alert_status``.
* ``event_id`` is ``datadog-<id>`` (``$ID``, the notification event's id):
  a retried delivery carries the same id.

Datadog sends custom headers, so the gateway token is an ``Authorization``
header (``token_auth``). Sources of the fixtures: tests/fixtures/datadog/SOURCES.md.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.mapping import check_names
from streams.gateway.adapters.payload import checked, parse_json, require

SOURCE = "datadog"
TRANSITIONS: Mapping[str, str] = {
    "triggered": "firing",
    "re-triggered": "firing",
    "warn": "firing",
    "re-warn": "firing",
    "recovered": "resolved",
}
PRIORITIES: Mapping[str, str] = {
    "p1": "critical",
    "p2": "high",
    "p3": "medium",
    "p4": "low",
    "p5": "low",
}
DEFAULT_SEVERITY = "medium"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MIN_EPOCH_MS = 10**11  # 1973-03-03: a smaller $DATE is seconds, not milliseconds
_TITLE_PREFIX = re.compile(r"^\s*\[[^\]]*\]\s*")
PAYLOAD_TEMPLATE = """{
  "id": "$ID",
  "event_type": "$EVENT_TYPE",
  "date": "$DATE",
  "alert_id": "$ALERT_ID",
  "alert_cycle_key": "$ALERT_CYCLE_KEY",
  "alert_transition": "$ALERT_TRANSITION",
  "alert_title": "$ALERT_TITLE",
  "alert_status": "$ALERT_STATUS",
  "alert_priority": "$ALERT_PRIORITY",
  "alert_scope": "$ALERT_SCOPE",
  "tags": "$TAGS",
  "link": "$LINK",
  "org_id": "$ORG_ID"
}"""
"""The payload to paste into the Datadog webhook (docs/sources/datadog.md shows the same)."""


@dataclass(frozen=True)
class DatadogConfig:
    """Which tags name the service and environment of a Datadog monitor notification.

    Raises:
        ValueError: A tag key is blank or the environment is not a valid name.
    """

    service_tag: str = "service"
    environment_tag: str = "env"
    environment: str = "production"

    def __post_init__(self) -> None:
        check_names([self.environment])
        for name in ("service_tag", "environment_tag"):
            if not getattr(self, name).strip():
                msg = f"{name}: must not be blank"
                raise ValueError(msg)


@dataclass(frozen=True)
class DatadogAdapter:
    """The ``Adapter`` of ``POST /webhooks/datadog``: no signature, the gateway token applies."""

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = True
    config: DatadogConfig = field(default_factory=DatadogConfig)

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return the alert event of one notification in ``body``, or why it is ignored."""
        return convert(parse_json(body), self.config)


def convert(payload: Any, config: DatadogConfig) -> Converted:
    """Return the alert event of one Datadog webhook sent with ``PAYLOAD_TEMPLATE``.

    Raises:
        PayloadError: Not our template's shape or a value unusable; the
            message names the JSON path.
    """
    if not isinstance(payload, dict):
        msg = f"expected a JSON object, got {type(payload).__name__}"
        raise PayloadError(msg)
    if "alert_transition" not in payload:
        msg = "alert_transition: missing (send the payload template of docs/sources/datadog.md)"
        raise PayloadError(msg)
    transition = require(payload, "alert_transition")
    status = TRANSITIONS.get(transition.strip().casefold())
    if status is None:
        return Converted(ignored=f"alert_transition {transition!r} is not converted")
    event_id = require(payload, "id").strip()
    if not event_id:
        msg = "id: must not be blank (use $ID in the payload)"
        raise PayloadError(msg)
    occurred_at = _epoch_ms(payload, "date")
    tags = _tags(require(payload, "tags"))
    service = tags.get(config.service_tag.casefold())
    if not service:
        msg = f"tags: no '{config.service_tag}:<name>' tag on the monitor"
        raise PayloadError(msg)
    priority = _text(payload, "alert_priority") or ""
    title = require(payload, "alert_title")
    event: dict[str, Any] = {
        "event_id": f"datadog-{event_id}",
        "type": "alert",
        "source": SOURCE,
        "service": service,
        "environment": tags.get(config.environment_tag.casefold()) or config.environment,
        "occurred_at": occurred_at,
        "alert_id": _alert_id(payload),
        "name": _TITLE_PREFIX.sub("", title, count=1) or title or "unnamed",
        "status": status,
        "severity": PRIORITIES.get(priority.strip().casefold(), DEFAULT_SEVERITY),
        "labels": _labels(payload, transition, priority),
    }
    if status == "firing":
        event["starts_at"] = occurred_at
    if summary := _text(payload, "alert_status"):
        event["summary"] = summary[:4096]
    paths = {"event_id": "id", "service": "tags", "environment": "tags",
             "occurred_at": "date", "starts_at": "date", "alert_id": "alert_cycle_key",
             "name": "alert_title", "summary": "alert_status"}  # fmt: skip
    return Converted(events=[checked(event, paths)])


def _text(payload: dict[str, Any], key: str) -> str | None:
    """Return the top-level string ``key``, None when absent or null; ``PayloadError`` otherwise."""
    value = payload.get(key)
    if value is None or isinstance(value, str):
        return value
    msg = f"{key}: expected str, got {type(value).__name__}"
    raise PayloadError(msg)


def _epoch_ms(payload: dict[str, Any], path: str) -> str:
    """Return ``$DATE`` (epoch milliseconds, string or number) as an RFC 3339 UTC time."""
    value = require(payload, path, (str, int))
    text = str(value).strip()
    if not text.isdigit() or int(text) < MIN_EPOCH_MS:
        msg = f"{path}: expected epoch milliseconds ($DATE), got {value!r}"
        raise PayloadError(msg)
    try:
        moment = EPOCH + timedelta(milliseconds=int(text))
    except OverflowError:
        msg = f"{path}: {value!r} is out of range"
        raise PayloadError(msg) from None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _tags(text: str) -> dict[str, str]:
    """Return ``$TAGS`` (``monitor, service:api, env:prod``) as key -> first value (keys folded)."""
    tags: dict[str, str] = {}
    for tag in text.split(","):
        key, sep, value = tag.strip().partition(":")
        if sep and value.strip():
            tags.setdefault(key.strip().casefold(), value.strip())
    return tags


def _alert_id(payload: dict[str, Any]) -> str:
    """Return the alert cycle key, else ``<monitor id>:<scope>`` (hashed beyond 256 characters)."""
    if cycle := (_text(payload, "alert_cycle_key") or "").strip():
        return cycle
    monitor = require(payload, "alert_id").strip()
    scope = (_text(payload, "alert_scope") or "").strip()
    alert_id = f"{monitor}:{scope}" if scope else monitor
    if len(alert_id) > 256:
        alert_id = f"{monitor[:100]}:{hashlib.sha256(scope.encode()).hexdigest()}"
    return alert_id


def _labels(payload: dict[str, Any], transition: str, priority: str) -> dict[str, str]:
    labels = {"alert_transition": transition, "priority": priority}
    for key in ("alert_id", "event_type", "alert_scope", "link", "org_id"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            labels["monitor_id" if key == "alert_id" else key] = value[:4096]
    return {k: v for k, v in sorted(labels.items()) if v}
