"""Grafana, Azure Monitor and Datadog payloads of the adapter tests, and the in-process gateway.

``grafana``, ``azure`` and ``datadog`` read the fixtures of tests/fixtures/<source>/
(see each SOURCES.md); ``grafana_notification()`` builds a Grafana webhook body
of the documented shape for one alert; ``sign_grafana()`` signs a body as Grafana
does. ``Gateway`` runs the real gateway app in process with every source built
from settings and a recording publisher (no Kafka): ``post()`` answers
``(status, json)``. ``post_json()`` sends a body to a real gateway over HTTP.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from streams.gateway.app import GatewayConfig, create_app
from streams.gateway.sources import build_sources
from streams.settings import Settings
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


@dataclass
class Gateway:
    """The gateway app with every configured source and a publisher that records events."""

    settings: Settings
    published: list[dict[str, Any]] = field(default_factory=list)

    async def _publish(self, events: Sequence[dict[str, Any]]) -> None:
        self.published.extend(events)

    async def _health(self) -> None:
        return None

    def post(
        self, path: str, body: bytes, headers: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        """POST ``body`` to ``path`` of a fresh in-process server; return status and JSON."""
        app = create_app(
            GatewayConfig(max_body_bytes=1 << 20, timeout_s=5.0),
            build_sources(self.settings),
            self._publish,
            self._health,
        )

        async def main() -> tuple[int, Any]:
            async with TestClient(TestServer(app)) as client:
                response = await client.post(path, data=body, headers=dict(headers or {}))
                return response.status, await response.json()

        return asyncio.run(main())


def post_json(url: str, body: bytes, headers: Mapping[str, str] | None = None) -> tuple[int, Any]:
    """POST ``body`` as JSON to ``url`` (a real gateway); return the status and parsed answer."""
    request = urllib.request.Request(  # noqa: S310 - a loopback URL of the test
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return int(response.status), json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)
