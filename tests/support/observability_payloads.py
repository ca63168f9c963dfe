"""The Opsgenie, New Relic and Splunk webhook fixtures, and a gateway to post them through.

``opsgenie``, ``newrelic`` and ``splunk`` read a payload of
tests/fixtures/<source>/ (see each folder's SOURCES.md) as a dict; ``body``
reads it as the raw bytes a sender posts. ``only_alert``/``only_ticket``
check a conversion gave exactly one valid event of that type.
``post_to_gateway`` serves the configured sources with the in-process aiohttp
app and an in-memory publisher, posts one request and returns the answer.
Used by tests/unit/gateway/test_adapter_{opsgenie,newrelic,splunk}_*.py and
test_gateway_{opsgenie,newrelic,splunk}.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from schemas.events import AlertEvent, TicketEvent
from streams.gateway.adapters.base import Converted
from streams.gateway.app import GatewayConfig, create_app
from streams.gateway.sources import build_sources
from streams.settings import Settings
from tests.support import adapter_checks, paths

opsgenie = adapter_checks.fixture_loader("opsgenie")
newrelic = adapter_checks.fixture_loader("newrelic")
splunk = adapter_checks.fixture_loader("splunk")


def body(source: str, name: str) -> bytes:
    """Return tests/fixtures/SOURCE/NAME exactly as stored (the bytes a sender posts)."""
    return (paths.FIXTURES / source / name).read_bytes()


def only_alert(converted: Converted) -> dict[str, Any]:
    """Return the one alert event of ``converted`` (see ``adapter_checks.only_event``)."""
    return adapter_checks.only_event(converted, AlertEvent)


def only_ticket(converted: Converted) -> dict[str, Any]:
    """Return the one ticket event of ``converted`` (see ``adapter_checks.only_event``)."""
    return adapter_checks.only_event(converted, TicketEvent)


@dataclass
class Answer:
    """One gateway response and what it published."""

    status: int
    json: dict[str, Any]
    published: list[dict[str, Any]] = field(default_factory=list)


def post_to_gateway(
    settings: Settings,
    path: str,
    data: bytes,
    headers: Mapping[str, str] | None = None,
) -> Answer:
    """POST ``data`` to ``path`` of a gateway serving ``build_sources(settings)``.

    The publisher keeps the events in memory and acknowledges at once, so a
    2xx answer means the events were "published".
    """
    published: list[dict[str, Any]] = []

    async def publish(events: Sequence[dict[str, Any]]) -> None:
        published.extend(events)

    async def health() -> None:
        return None

    app = create_app(
        GatewayConfig(max_body_bytes=1 << 20, timeout_s=5.0),
        build_sources(settings),
        publish,
        health,
    )

    async def main() -> Answer:
        async with TestClient(TestServer(app)) as client:
            response = await client.post(path, data=data, headers=dict(headers or {}))
            return Answer(response.status, await response.json(), published)

    return asyncio.run(main())
