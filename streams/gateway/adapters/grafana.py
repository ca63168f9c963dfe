"""Grafana Alerting webhook contact point to alert events (``POST /webhooks/grafana``).

Grafana's webhook payload (``version`` "1") is Alertmanager's notification
plus Grafana fields: ``orgId``, ``state``, ``title``, ``message`` on the
envelope, and ``values``, ``dashboardURL``, ``panelURL``, ``silenceURL``,
``imageURL`` on each alert. Grafana Cloud's Mimir-based Alertmanager sends
Alertmanager's own payload (``version`` "4"); both are accepted. The alerts are
mapped exactly as Alertmanager's (``alert_notification.convert_alerts``):
fingerprint as ``alert_id``, ``startsAt`` / ``endsAt`` as the times, service
from the configured labels, severity from the ``severity`` label. Event ids
are ``grafana-<fingerprint>-<status>-<occurred_at>``.

Grafana's contact-point test ("Test" button) sends the alert ``TestAlert``
with label ``instance="Grafana"`` (grafana/alerting ``notify/receivers.go``):
such alerts are skipped, and a notification holding only them is ignored
(HTTP 202), so the test succeeds without an incident.

Authentication: Grafana sends the gateway token through the contact point's
authorization header settings (``token_auth``). When an HMAC secret is
configured (Grafana 12+, contact point "HMAC signature" settings) the
signature is required too, checked on the raw body first
(``signatures.verify_grafana``). Sources of the test fixtures:
tests/fixtures/grafana/SOURCES.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from streams.gateway.adapters import signatures
from streams.gateway.adapters.alert_notification import NotificationFormat, convert_alerts
from streams.gateway.adapters.base import Converted
from streams.gateway.adapters.payload import parse_json

SOURCE = "grafana"
SIGNATURE_HEADER = signatures.GRAFANA_HEADER
TEST_ALERT = {"alertname": "TestAlert", "instance": "Grafana"}


def _test_alert(alert: dict[str, Any]) -> str | None:
    labels = alert.get("labels")
    if isinstance(labels, dict) and all(labels.get(k) == v for k, v in TEST_ALERT.items()):
        return "Grafana contact point test notification"
    return None


FORMAT = NotificationFormat(
    source=SOURCE,
    id_prefix="grafana",
    versions=("1", "4"),
    described="Grafana Alerting webhook",
    skip=_test_alert,
)


@dataclass(frozen=True)
class GrafanaConfig:
    """How Grafana alerts become events: which labels name the service (first present wins)."""

    service_labels: tuple[str, ...] = ("service", "job")

    def __post_init__(self) -> None:
        if not self.service_labels:
            msg = "service_labels: at least one label is needed"
            raise ValueError(msg)


@dataclass(frozen=True)
class GrafanaSigning:
    """The optional HMAC of the contact point; an empty ``secret`` means none is checked."""

    secret: str = field(default="", repr=False)
    header: str = SIGNATURE_HEADER
    timestamp_header: str = ""

    def __post_init__(self) -> None:
        if not self.header.strip():
            msg = "header: the signature header must not be blank"
            raise ValueError(msg)


@dataclass(frozen=True)
class GrafanaAdapter:
    """The ``Adapter`` of ``POST /webhooks/grafana``.

    ``convert`` checks the HMAC signature first when ``signing.secret`` is
    set, then converts the notification.
    """

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = True  # the signature is optional in Grafana: the token is not
    config: GrafanaConfig = field(default_factory=GrafanaConfig)
    signing: GrafanaSigning = field(default_factory=GrafanaSigning)

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return one alert event per alert of the notification; 401 on a bad signature."""
        if self.signing.secret:
            signatures.verify_grafana(
                body,
                headers,
                self.signing.secret,
                self.signing.header,
                self.signing.timestamp_header,
            )
        return convert(parse_json(body), self.config)


def convert(payload: Any, config: GrafanaConfig) -> Converted:
    """Return one alert event per alert of a Grafana Alerting webhook notification.

    Raises:
        PayloadError: Not a Grafana (or Alertmanager) notification, or no
            usable alert; the message names the JSON path.
    """
    return convert_alerts(payload, config.service_labels, FORMAT)
