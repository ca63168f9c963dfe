"""Requests to the gateway app with the real sources, in-process, Kafka replaced by a list.

``post(settings, path, body, headers)`` builds ``create_app`` over
``build_sources(settings)`` with a publisher that records events, sends one
request through aiohttp's test client, and returns ``Answer`` (status, JSON
body, the events published). Used by tests/unit/gateway/test_gateway_<source>.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from streams.gateway.app import GatewayConfig, create_app
from streams.gateway.sources import build_sources
from streams.settings import Settings


@dataclass
class Answer:
    """What the gateway answered one request, and what it published."""

    status: int
    body: dict[str, Any]
    published: list[dict[str, Any]] = field(default_factory=list)


def post(
    settings: Settings, path: str, body: bytes, headers: Mapping[str, str] | None = None
) -> Answer:
    """POST ``body`` to ``path`` of a gateway serving ``settings``' sources; return the answer."""
    published: list[dict[str, Any]] = []

    async def publish(events: Sequence[dict[str, Any]]) -> None:
        published.extend(events)

    async def health() -> None:
        return None

    app = create_app(
        GatewayConfig(max_body_bytes=settings.gateway_max_body_bytes, timeout_s=2.0),
        build_sources(settings),
        publish,
        health,
    )

    async def main() -> Answer:
        async with TestClient(TestServer(app)) as client:
            response = await client.post(path, data=body, headers=dict(headers or {}))
            return Answer(response.status, await response.json(), published)

    return asyncio.run(main())
