"""Alertmanager webhook (payload version 4) to alert events.

One event per alert of the notification:

* ``alert_id`` is the alert's ``fingerprint``; ``status`` is ``firing`` or ``resolved``.
* ``starts_at`` is ``startsAt``; ``occurred_at`` is ``startsAt`` when firing and
  ``endsAt`` when resolved. Time always comes from the payload, never from
  arrival: notifications are batched and can arrive minutes late.
* ``service`` is the first of the configured labels present (default
  ``service``, then ``job``); ``environment`` the ``environment`` (or ``env``)
  label, else ``production``.
* ``severity`` from the ``severity`` label: ``critical``/``high``/``medium``/
  ``low`` as is, ``warning`` is medium, ``info`` is low; missing or other
  values are medium. ``category`` is ``security`` when the ``category`` label
  says so, else availability.
* ``event_id`` is ``am-<fingerprint>-<status>-<occurred_at>``: a notification
  sent again (Alertmanager repeats firing alerts) yields the same ids.

An alert that cannot be converted (no service label, an invalid value) is
left out and named in ``Converted.rejected``; the others are published.
Alertmanager does not retry a 4xx, so rejecting the whole notification
would lose its good alerts. Only a notification with no usable alert is a 400.

Alertmanager does not sign its webhooks: ``AlertmanagerAdapter`` reads no header.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from schemas.events import SEVERITIES as SEVERITY_ORDER
from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.payload import checked, parse_json, require

SOURCE = "alertmanager"
SEVERITIES: dict[str, str] = {
    **{name: name for name in SEVERITY_ORDER},
    "warning": "medium",
    "info": "low",
}
DEFAULT_SEVERITY = "medium"
MAX_LABELS = 64  # the contract's limit


@dataclass(frozen=True)
class AlertmanagerConfig:
    """Which labels name the service (first present wins)."""

    service_labels: tuple[str, ...] = ("service", "job")


@dataclass(frozen=True)
class AlertmanagerAdapter:
    """The ``Adapter`` of ``POST /webhooks/alertmanager``: no signature, ``convert`` the body."""

    name: ClassVar[str] = SOURCE
    config: AlertmanagerConfig = field(default_factory=AlertmanagerConfig)

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return one alert event per alert of the notification in ``body``; headers unused."""
        return convert(parse_json(body), self.config)


def convert(payload: Any, config: AlertmanagerConfig) -> Converted:
    """Return one alert event per alert of an Alertmanager notification."""
    if not isinstance(payload, dict):
        msg = f"expected a JSON object, got {type(payload).__name__}"
        raise PayloadError(msg)
    version = payload.get("version")
    if version != "4":
        msg = f"version: expected '4' (Alertmanager webhook payload v4), got {version!r}"
        raise PayloadError(msg)
    alerts = require(payload, "alerts", list)
    events, rejected = [], []
    for index in range(len(alerts)):
        try:
            events.append(_event(payload, index, config))
        except PayloadError as exc:
            rejected.append(str(exc))
    if rejected and not events:
        raise PayloadError("; ".join(rejected))
    return Converted(events=events, rejected=rejected)


def _event(payload: Any, index: int, config: AlertmanagerConfig) -> dict[str, Any]:
    path = f"alerts.{index}"
    status = require(payload, f"{path}.status")
    if status not in ("firing", "resolved"):
        msg = f"{path}.status: expected firing or resolved, got {status!r}"
        raise PayloadError(msg)
    labels: dict[str, str] = require(payload, f"{path}.labels", dict)
    if not all(isinstance(v, str) for v in labels.values()):
        msg = f"{path}.labels: values must be strings"
        raise PayloadError(msg)
    annotations = payload["alerts"][index].get("annotations") or {}
    fingerprint = require(payload, f"{path}.fingerprint")
    starts_at = require(payload, f"{path}.startsAt")
    occurred_at = starts_at if status == "firing" else require(payload, f"{path}.endsAt")
    service = next((labels[name] for name in config.service_labels if labels.get(name)), None)
    if service is None:
        names = ", ".join(config.service_labels)
        msg = f"{path}.labels: none of the service labels ({names}) is set"
        raise PayloadError(msg)
    event: dict[str, Any] = {
        "event_id": f"am-{fingerprint}-{status}-{occurred_at}",
        "type": "alert",
        "source": SOURCE,
        "service": service,
        "environment": labels.get("environment") or labels.get("env") or "production",
        "occurred_at": occurred_at,
        "starts_at": starts_at,
        "alert_id": fingerprint,
        "name": labels.get("alertname") or "unnamed",
        "status": status,
        "severity": SEVERITIES.get(labels.get("severity", "").lower(), DEFAULT_SEVERITY),
        "category": "security" if labels.get("category") == "security" else "availability",
        "labels": dict(sorted(labels.items())[:MAX_LABELS]),
    }
    summary = annotations.get("summary") or annotations.get("description")
    if isinstance(summary, str) and summary:
        event["summary"] = summary[:4096]
    fields = {"service": f"{path}.labels", "environment": f"{path}.labels",
              "name": f"{path}.labels.alertname", "labels": f"{path}.labels",
              "occurred_at": f"{path}.{'startsAt' if status == 'firing' else 'endsAt'}",
              "starts_at": f"{path}.startsAt", "alert_id": f"{path}.fingerprint"}  # fmt: skip
    return checked(event, fields)
