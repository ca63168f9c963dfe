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

The mapping is shared with Grafana Alerting (``alert_notification.convert_alerts``).
Alertmanager does not sign its webhooks: ``AlertmanagerAdapter`` reads no
header and declares ``token_auth``, so the gateway checks the shared
``MTTR_GATEWAY_TOKEN`` (sent as ``http_config.authorization``) before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from streams.gateway.adapters.alert_notification import NotificationFormat, convert_alerts
from streams.gateway.adapters.base import Converted
from streams.gateway.adapters.payload import parse_json

SOURCE = "alertmanager"
FORMAT = NotificationFormat(
    source=SOURCE, id_prefix="am", versions=("4",), described="Alertmanager webhook payload v4"
)


@dataclass(frozen=True)
class AlertmanagerConfig:
    """Which labels name the service (first present wins)."""

    service_labels: tuple[str, ...] = ("service", "job")


@dataclass(frozen=True)
class AlertmanagerAdapter:
    """The ``Adapter`` of ``POST /webhooks/alertmanager``: no signature, ``convert`` the body."""

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = True
    config: AlertmanagerConfig = field(default_factory=AlertmanagerConfig)

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return one alert event per alert of the notification in ``body``; headers unused."""
        return convert(parse_json(body), self.config)


def convert(payload: Any, config: AlertmanagerConfig) -> Converted:
    """Return one alert event per alert of an Alertmanager notification."""
    return convert_alerts(payload, config.service_labels, FORMAT)
