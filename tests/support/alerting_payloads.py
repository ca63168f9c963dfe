"""Grafana, Azure Monitor and Datadog payloads of the adapter and gateway tests.

``grafana``, ``azure`` and ``datadog`` read the fixtures of tests/fixtures/<source>/
(see each SOURCES.md); ``grafana_notification()`` builds a Grafana webhook body
of the documented shape for one alert; ``sign_grafana()`` signs a body as Grafana
does. Requests to the gateway itself: tests/support/gateway_requests.py.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from tests.support import adapter_checks, paths

FIXTURES = paths.FIXTURES
grafana = adapter_checks.fixture_loader("grafana")
azure = adapter_checks.fixture_loader("azure-monitor")
datadog = adapter_checks.fixture_loader("datadog")
NOT_RESOLVED = "0001-01-01T00:00:00Z"  # Grafana's endsAt of a firing alert


def raw(folder: str, name: str) -> bytes:
    """Return the bytes of tests/fixtures/FOLDER/NAME exactly as stored."""
    return (FIXTURES / folder / name).read_bytes()


def grafana_notification(
    status: str,
    starts_at: str,
    ends_at: str = NOT_RESOLVED,
    *,
    fingerprint: str = "c6eadffa33fcdf37",
    **labels: str,
) -> dict[str, Any]:
    """Return a Grafana webhook body (version "1") holding one alert, as the docs show it."""
    alert_labels = {"alertname": "High memory usage", **labels}
    return {
        "receiver": "mttr",
        "status": status,
        "orgId": 1,
        "alerts": [
            {
                "status": status,
                "labels": alert_labels,
                "annotations": {"summary": "memory above 90%"},
                "startsAt": starts_at,
                "endsAt": ends_at,
                "generatorURL": "http://grafana.local/alerting/grafana/abc/view",
                "fingerprint": fingerprint,
                "silenceURL": "http://grafana.local/alerting/silence/new",
                "dashboardURL": "",
                "panelURL": "",
                "values": {"B": 93.5, "C": 1},
            }
        ],
        "groupLabels": {"alertname": alert_labels["alertname"]},
        "commonLabels": alert_labels,
        "commonAnnotations": {"summary": "memory above 90%"},
        "externalURL": "http://grafana.local/",
        "version": "1",
        "groupKey": '{}:{alertname="High memory usage"}',
        "truncatedAlerts": 0,
        "title": f"[{status.upper()}:1] High memory usage",
        "state": "alerting" if status == "firing" else "ok",
        "message": "",
    }


def sign_grafana(body: bytes, secret: str, timestamp: str | None = None) -> str:
    """Return Grafana's signature: hex HMAC-SHA256 of the body or of ``<timestamp>:<body>``."""
    signed = body if timestamp is None else timestamp.encode() + b":" + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
