"""Requests to the gateway: the real app in-process (Kafka replaced by a list), or a real process.

``Gateway(settings)`` is a context manager serving ``build_sources(settings)``
with ``create_app`` as ``mttr gateway`` does (body limit and timeout from the
settings), a publisher that records events, and one aiohttp test client on an
event loop of its own. ``Gateway.post`` sends one request to that same app and
returns ``Answer`` (status, JSON body, the events that request published);
``Gateway.published`` holds every event published so far. Several requests go
to one app, so a test can check the gateway still works after hostile ones.

``post(settings, path, body, headers)`` is one request to a fresh ``Gateway``.
``post_json(url, body, headers)`` sends a body to a gateway process over HTTP.
Used by tests/unit/gateway/test_gateway_<source>.py, test_hostile_routes*.py and
tests/integration/test_grafana_e2e.py.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import orjson
from aiohttp.test_utils import TestClient, TestServer

from streams.gateway.app import GatewayConfig, create_app
from streams.gateway.sources import build_sources
from streams.settings import Settings


@dataclass
class Answer:
    """What the gateway answered one request, and what that request published.

    ``body`` is the parsed JSON answer, or None when the answer is not JSON
    (``text`` holds it then).
    """

    status: int
    body: Any
    published: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""


class Gateway:
    """The gateway app over ``build_sources(settings)``, a recording publisher, one client."""

    def __init__(self, settings: Settings) -> None:
        """Build the app (``ValueError`` on a wrong setting, as at start-up); start nothing yet."""
        self.published: list[dict[str, Any]] = []
        self._app = create_app(
            GatewayConfig(
                max_body_bytes=settings.gateway_max_body_bytes,
                timeout_s=settings.gateway_timeout_s,
            ),
            build_sources(settings),
            self._publish,
            self._health,
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: TestClient[Any, Any] | None = None

    async def _publish(self, events: Sequence[dict[str, Any]]) -> None:
        self.published.extend(events)

    async def _health(self) -> None:
        return None

    def __enter__(self) -> Gateway:
        """Start the in-process server and its client on a new event loop."""
        self._loop = asyncio.new_event_loop()
        self._client = self._loop.run_until_complete(self._start())
        return self

    async def _start(self) -> TestClient[Any, Any]:
        client = TestClient(TestServer(self._app))
        await client.start_server()
        return client

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the client and server and close the loop."""
        if self._loop is not None and self._client is not None:
            self._loop.run_until_complete(self._client.close())
            self._loop.close()
        self._loop = self._client = None

    def post(self, path: str, body: bytes, headers: Mapping[str, str] | None = None) -> Answer:
        """POST ``body`` to ``path`` (query string allowed); return the answer.

        Raises:
            RuntimeError: Called outside ``with Gateway(...)``.
        """
        if self._loop is None or self._client is None:
            msg = "use Gateway(...) as a context manager: with Gateway(settings) as gateway: ..."
            raise RuntimeError(msg)
        return self._loop.run_until_complete(self._post(self._client, path, body, headers))

    async def _post(
        self,
        client: TestClient[Any, Any],
        path: str,
        body: bytes,
        headers: Mapping[str, str] | None,
    ) -> Answer:
        before = len(self.published)
        response = await client.post(path, data=body, headers=dict(headers or {}))
        text = await response.text()
        try:
            parsed = orjson.loads(text) if response.content_type == "application/json" else None
        except orjson.JSONDecodeError:
            parsed = None
        return Answer(response.status, parsed, self.published[before:], text)


def post(
    settings: Settings, path: str, body: bytes, headers: Mapping[str, str] | None = None
) -> Answer:
    """POST ``body`` to ``path`` of a fresh gateway serving ``settings``' sources."""
    with Gateway(settings) as gateway:
        return gateway.post(path, body, headers)


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
