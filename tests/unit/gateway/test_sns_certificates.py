"""The gateway's SNS certificate cache and HTTPS client: fetched once, bounded, failures typed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from streams.gateway.adapters.base import SignatureError, UnavailableError
from streams.gateway.adapters.sns_signature import CertificateMissing
from streams.gateway.sns_certificates import MAX_BODY_BYTES, CertificateCache, https_get
from tests.support import sns_messages as sns


class Host:
    """A stand-in SNS host: answers every GET with ``status`` and ``body``; counts requests."""

    def __init__(self, status: int = 200, body: bytes | None = None) -> None:
        self.status, self.body = status, sns.test_pem() if body is None else body
        self.urls: list[str] = []

    async def fetch(self, url: str) -> tuple[int, bytes]:
        self.urls.append(url)
        await asyncio.sleep(0)
        return self.status, self.body


def test_a_certificate_is_fetched_once_then_served_from_memory() -> None:
    host = Host()
    cache = CertificateCache(host.fetch)
    with pytest.raises(CertificateMissing) as missing:
        cache.get(sns.CERT_URL)
    assert missing.value.url == sns.CERT_URL

    async def main() -> None:
        await asyncio.gather(*(cache.load(sns.CERT_URL) for _ in range(5)))
        await cache.load(sns.CERT_URL)

    asyncio.run(main())
    assert cache.get(sns.CERT_URL) == sns.test_key()[1]
    assert (host.urls, cache.fetches) == ([sns.CERT_URL], 1)


def test_the_cache_is_bounded_least_recently_used_first_out() -> None:
    host = Host()
    cache = CertificateCache(host.fetch, max_entries=2)
    urls = [f"https://sns.us-east-1.amazonaws.com/c{i}.pem" for i in range(3)]

    async def main() -> None:
        await cache.load(urls[0])
        await cache.load(urls[1])
        cache.get(urls[0])  # used: urls[1] is now the oldest
        await cache.load(urls[2])

    asyncio.run(main())
    assert len(cache) == 2
    cache.get(urls[0])
    with pytest.raises(CertificateMissing):
        cache.get(urls[1])
    with pytest.raises(ValueError, match="at least 1"):
        CertificateCache(host.fetch, max_entries=0)


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (404, b"<Error/>", SignatureError, r"no certificate at .* \(HTTP 404\)"),
        (200, b"not a pem", SignatureError, "is not a PEM certificate"),
        (503, b"", UnavailableError, "answered HTTP 503; retry later"),
    ],
)
def test_fetch_failures(status: int, body: bytes, error: type[Exception], message: str) -> None:
    cache = CertificateCache(Host(status, body).fetch)
    with pytest.raises(error, match=message):
        asyncio.run(cache.load(sns.CERT_URL))
    assert len(cache) == 0


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def serve(handler: Handler, path: str = "/c.pem") -> Callable[[], Any]:
    """Run ``https_get(0.5)`` of ``path`` against a local server answering with ``handler``."""

    async def main() -> Any:
        app = web.Application()
        app.router.add_get("/c.pem", handler)
        async with TestServer(app) as server:
            return await https_get(0.5)(str(server.make_url(path)))

    return lambda: asyncio.run(main())


def test_https_get_reads_status_and_body() -> None:
    async def ok(_request: web.Request) -> web.Response:
        return web.Response(body=sns.test_pem())

    assert serve(ok)() == (200, sns.test_pem())


def test_https_get_does_not_follow_redirects() -> None:
    async def redirect(_request: web.Request) -> web.Response:
        raise web.HTTPFound("https://evil.example/c.pem")

    assert serve(redirect)()[0] == 302


def test_https_get_times_out_and_limits_the_body() -> None:
    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.Response(body=b"late")

    async def huge(_request: web.Request) -> web.Response:
        return web.Response(body=b"x" * (MAX_BODY_BYTES + 1))

    with pytest.raises(UnavailableError, match="no answer .TimeoutError"):
        serve(slow)()
    with pytest.raises(UnavailableError, match="answer larger than"):
        serve(huge)()


def test_https_get_of_a_closed_port_is_unavailable() -> None:
    async def main() -> tuple[int, bytes]:
        return await https_get(0.5)("http://127.0.0.1:9/c.pem")

    with pytest.raises(UnavailableError, match="no answer"):
        asyncio.run(main())
