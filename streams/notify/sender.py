"""Post Slack payloads: rate limit, retries and the HTTP transport.

``SlackSender.send`` waits for a token, posts, and follows ``policy.decide``:
a notice is retried until Slack takes it (only the notify agent waits
meanwhile) or given up when Slack rejects it for good. The webhook URL is a
secret: it is never logged, and error texts have it masked.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import aiohttp
import orjson
from pydantic import SecretStr

from streams.notify.bucket import TokenBucket
from streams.notify.policy import decide

log = logging.getLogger(__name__)
BODY_CHARS = 300  # of an error response, for the log


@dataclass(frozen=True)
class Response:
    """What a post got back: the status (None for a network error) and why."""

    status: int | None
    retry_after: str | None = None
    body: str = ""


Post = Callable[[bytes], Awaitable[Response]]


class Clock(Protocol):
    """Monotonic time and sleeping; tests pass a fake one."""

    def monotonic(self) -> float:
        """Return monotonic seconds."""

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """Return ``time.monotonic()``."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Sleep with asyncio (cancellable)."""
        await asyncio.sleep(seconds)


def mask_webhook(text: str, url: str) -> str:
    """Return ``text`` with the webhook URL, and its secret path, replaced by ``***``."""
    path = urlsplit(url).path
    text = text.replace(url, "***")
    return text.replace(path, "/***") if len(path) > 1 else text


class HttpPost:
    """Posts JSON bodies to the webhook with aiohttp (one session, created on first use)."""

    def __init__(self, url: SecretStr, timeout_s: float = 10.0) -> None:
        self._url = url
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def __call__(self, body: bytes) -> Response:
        """Post ``body``; returns the status, or status None with the masked error."""
        url = self._url.get_secret_value()
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout, trust_env=True)
        try:
            async with self._session.post(
                url,
                data=body,
                headers={"Content-Type": "application/json"},
                allow_redirects=False,
            ) as response:
                text = (await response.content.read(BODY_CHARS)).decode("utf-8", "replace")
                return Response(response.status, response.headers.get("Retry-After"), text)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return Response(None, None, mask_webhook(f"{type(exc).__name__}: {exc}", url))

    async def close(self) -> None:
        """Close the session (idempotent)."""
        if self._session is not None:
            await self._session.close()
            self._session = None


class SlackSender:
    """Rate-limited, retrying delivery of payloads through ``post``."""

    def __init__(
        self,
        post: Post,
        *,
        rate_per_minute: float,
        max_delay: float,
        first_delay: float = 1.0,
        clock: Clock | None = None,
    ) -> None:
        self._post = post
        self._clock = clock or SystemClock()
        self._bucket = TokenBucket.per_minute(rate_per_minute, self._clock.monotonic())
        self._first = first_delay
        self._max = max_delay

    async def send(self, payload: dict[str, Any], what: str) -> bool:
        """Post ``payload`` until done; True once Slack took it, False if it rejected it.

        Retries (network errors, 408, 429, 5xx) never end; cancellation
        (worker shutdown) propagates. ``what`` names the notice in logs.
        """
        body = orjson.dumps(payload)
        attempt = 1
        while True:
            wait = self._bucket.reserve(self._clock.monotonic())
            if wait > 0:
                await self._clock.sleep(wait)
            response = await self._post(body)
            decision = decide(
                response.status,
                response.retry_after,
                attempt,
                first_delay=self._first,
                max_delay=self._max,
            )
            if decision.action == "done":
                if attempt > 1:
                    log.info("posted %s to Slack after %d attempts", what, attempt)
                return True
            answer = "no answer" if response.status is None else f"HTTP {response.status}"
            if decision.action == "give_up":
                log.error("Slack rejected %s with %s %r; giving it up", what, answer, response.body)
                return False
            log.warning(
                "posting %s to Slack failed (attempt %d, %s %r), retrying in %.1fs",
                what,
                attempt,
                answer,
                response.body,
                decision.delay,
            )
            await self._clock.sleep(decision.delay)
            attempt += 1
