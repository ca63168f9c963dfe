"""Post notice payloads: rate limit, retries and the HTTP transport (any channel).

``NoticeSender.send`` waits for a token, posts, and follows its channel's
``policy.ResponsePolicy``: a notice is retried until the channel takes it
(only that channel's notify agent waits meanwhile) or given up when the
channel rejects it for good. ``SlackSender`` is the sender with Slack's
policy. Webhook URLs are secrets (Slack's path, the ``sig`` query parameter
of a Teams Workflows URL): never logged, and masked in error texts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

import aiohttp
import orjson
from pydantic import SecretStr
from yarl import URL

from streams.notify.bucket import TokenBucket
from streams.notify.policy import SLACK, ResponsePolicy

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


MIN_SECRET = 8  # query values this long or longer are masked (``sig``), short ones are not


def mask_webhook(text: str, url: str) -> str:
    """Return ``text`` with the webhook URL and its secret parts replaced by ``***``.

    The parts are the path (Slack's token) and the query with every long
    query value (a Teams Workflows URL's ``sig``), raw and percent-decoded.
    """
    parts = urlsplit(url)
    text = text.replace(url, "***")
    if parts.query:
        text = text.replace(parts.query, "***")
        for _, value in parse_qsl(parts.query):
            for form in {value, unquote(value)}:
                if len(form) >= MIN_SECRET:
                    text = text.replace(form, "***")
    return text.replace(parts.path, "/***") if len(parts.path) > 1 else text


class HttpPost:
    """Posts JSON bodies to the webhook with aiohttp (one session, created on first use)."""

    def __init__(self, url: SecretStr, timeout_s: float = 10.0) -> None:
        self._url = url
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def __call__(self, body: bytes) -> Response:
        """Post ``body``; returns the status, or status None with the masked error.

        The URL is sent exactly as configured (already encoded): a Workflows
        URL's signed query (``sp=%2Ftriggers%2Fmanual%2Frun``) is not re-quoted.
        """
        url = self._url.get_secret_value()
        target = URL(url, encoded=True)
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout, trust_env=True)
        try:
            async with self._session.post(
                target,
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


class NoticeSender:
    """Rate-limited, retrying delivery of payloads through ``post``, under ``policy``."""

    def __init__(
        self,
        post: Post,
        policy: ResponsePolicy,
        *,
        rate_per_minute: float,
        max_delay: float,
        first_delay: float = 1.0,
        clock: Clock | None = None,
    ) -> None:
        self._post = post
        self._policy = policy
        self._clock = clock or SystemClock()
        self._bucket = TokenBucket.per_minute(rate_per_minute, self._clock.monotonic())
        self._first = first_delay
        self._max = max_delay

    async def send(self, payload: dict[str, Any], what: str) -> bool:
        """Post ``payload`` until done; True once the channel took it, False if it refused it.

        Retries (network errors, 408, 429, 5xx) never end; cancellation
        (worker shutdown) propagates. ``what`` names the notice in logs.
        """
        body = orjson.dumps(payload)
        channel = self._policy.channel
        attempt = 1
        while True:
            wait = self._bucket.reserve(self._clock.monotonic())
            if wait > 0:
                await self._clock.sleep(wait)
            response = await self._post(body)
            decision = self._policy.decide(
                response.status,
                response.retry_after,
                attempt,
                first_delay=self._first,
                max_delay=self._max,
            )
            if decision.action == "done":
                if attempt > 1:
                    log.info("posted %s to %s after %d attempts", what, channel, attempt)
                return True
            answer = "no answer" if response.status is None else f"HTTP {response.status}"
            if decision.action == "give_up":
                meaning = self._policy.meaning(response.status)
                log.error(
                    "%s rejected %s with %s %r; giving it up%s",
                    channel,
                    what,
                    answer,
                    response.body,
                    f" ({meaning})" if meaning else "",
                )
                return False
            log.warning(
                "posting %s to %s failed (attempt %d, %s %r), retrying in %.1fs",
                what,
                channel,
                attempt,
                answer,
                response.body,
                decision.delay,
            )
            await self._clock.sleep(decision.delay)
            attempt += 1


class SlackSender(NoticeSender):
    """A :class:`NoticeSender` with Slack's response policy."""

    def __init__(
        self,
        post: Post,
        *,
        rate_per_minute: float,
        max_delay: float,
        first_delay: float = 1.0,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(
            post,
            SLACK,
            rate_per_minute=rate_per_minute,
            max_delay=max_delay,
            first_delay=first_delay,
            clock=clock,
        )
