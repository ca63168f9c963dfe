"""Alertmanager-shaped notifications (Alertmanager, Grafana Alerting) to alert events (pure).

Alertmanager's webhook (payload version 4) and Grafana Alerting's contact-point
webhook (version 1, a superset of it) carry the same ``alerts`` list; only the
envelope differs. ``convert_alerts`` maps that list for both, so the two adapters
share one mapping:

* ``alert_id`` is the alert's ``fingerprint``; ``status`` is ``firing`` or ``resolved``.
* ``starts_at`` is ``startsAt``; ``occurred_at`` is ``startsAt`` when firing and
  ``endsAt`` when resolved. Time always comes from the payload, never from
  arrival: notifications are batched and can arrive minutes late.
* ``service`` is the first of the configured labels present; ``environment``
  the ``environment`` (or ``env``) label, else ``production``.
* ``severity`` from the ``severity`` label: ``critical``/``high``/``medium``/
  ``low`` as is, ``warning`` is medium, ``info`` is low; missing or other
  values are medium. ``category`` is ``security`` when the ``category`` label
  says so, else availability.
* ``event_id`` is ``<prefix>-<fingerprint>-<status>-<occurred_at>``: a
  notification sent again (both repeat firing alerts) yields the same ids.

An alert that cannot be converted (no service label, an invalid value) is
left out and named in ``Converted.rejected``; the others are published. The
senders do not retry a 4xx, so rejecting the whole notification would lose
its good alerts. Only a notification with no usable alert is a 400.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from schemas.events import SEVERITIES as SEVERITY_ORDER
from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.payload import checked, require

SEVERITIES: dict[str, str] = {
    **{name: name for name in SEVERITY_ORDER},
    "warning": "medium",
    "info": "low",
}
DEFAULT_SEVERITY = "medium"
MAX_LABELS = 64  # the contract's limit


@dataclass(frozen=True)
class NotificationFormat:
    """What tells one sender's notifications apart: its name, id prefix and payload versions.

    Attributes:
        source: The events' ``source`` (``alertmanager``, ``grafana``).
        id_prefix: Prefix of every ``event_id`` (``am``, ``grafana``).
        versions: The accepted values of the payload's ``version`` field.
        described: How the version error names the payload, e.g.
            ``Alertmanager webhook payload v4``.
        skip: Returns why an alert of the list is not converted (e.g. a test
            notification), or None to convert it.
    """

    source: str
    id_prefix: str
    versions: tuple[str, ...]
    described: str
    skip: Callable[[dict[str, Any]], str | None] | None = None


def convert_alerts(
    payload: Any, service_labels: tuple[str, ...], form: NotificationFormat
) -> Converted:
    """Return one alert event per alert of an Alertmanager-shaped notification.

    Args:
        payload: The parsed JSON body.
        service_labels: Labels tried in order for the service.
        form: The sender's source name, id prefix and accepted versions.

    Returns:
        The events, with ``rejected`` naming unusable alerts; ``ignored`` set
        when every alert was skipped by ``form.skip``.

    Raises:
        PayloadError: Not a notification of this sender, no alert, or no
            alert usable; the message names the JSON path.
    """
    if not isinstance(payload, dict):
        msg = f"expected a JSON object, got {type(payload).__name__}"
        raise PayloadError(msg)
    version = payload.get("version")
    if version not in form.versions:
        wanted = " or ".join(repr(v) for v in form.versions)
        msg = f"version: expected {wanted} ({form.described}), got {version!r}"
        raise PayloadError(msg)
    alerts = require(payload, "alerts", list)
    if not alerts:
        msg = "alerts: empty (a notification carries at least one alert)"
        raise PayloadError(msg)
    events, rejected, skipped = [], [], []
    for index, item in enumerate(alerts):
        if form.skip is not None and isinstance(item, dict) and (why := form.skip(item)):
            skipped.append(why)
            continue
        try:
            events.append(_event(payload, index, service_labels, form))
        except PayloadError as exc:
            rejected.append(str(exc))
    if rejected and not events:
        raise PayloadError("; ".join(rejected))
    if skipped and not events:
        return Converted(ignored="; ".join(sorted(set(skipped))))
    return Converted(events=events, rejected=rejected)


def _event(
    payload: Any, index: int, service_labels: tuple[str, ...], form: NotificationFormat
) -> dict[str, Any]:
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
    if not isinstance(annotations, dict):
        msg = f"{path}.annotations: expected an object, got {type(annotations).__name__}"
        raise PayloadError(msg)
    fingerprint = require(payload, f"{path}.fingerprint")
    starts_at = require(payload, f"{path}.startsAt")
    occurred_at = starts_at if status == "firing" else require(payload, f"{path}.endsAt")
    service = next((labels[name] for name in service_labels if labels.get(name)), None)
    if service is None:
        names = ", ".join(service_labels)
        msg = f"{path}.labels: none of the service labels ({names}) is set"
        raise PayloadError(msg)
    event: dict[str, Any] = {
        "event_id": f"{form.id_prefix}-{fingerprint}-{status}-{occurred_at}",
        "type": "alert",
        "source": form.source,
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
