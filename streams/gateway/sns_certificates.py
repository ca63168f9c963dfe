"""SNS signing certificates for the gateway: fetched once over HTTPS, kept in a bounded cache.

``CertificateCache`` is the ``CertificateStore`` the SNS adapter reads:
``get(url)`` answers from memory only (``CertificateMissing`` when absent), so
the adapter stays synchronous and never blocks the event loop;
``await load(url)`` fetches and parses the certificate, one fetch at a time,
and keeps at most ``max_entries`` (least recently used dropped first). SNS
signs with one certificate per region, rotated rarely, so a handful of entries
serve every message; a URL is only ever fetched after the adapter checked it
is ``https://sns.<region>.amazonaws.com[.cn]/<name>.pem``.

``https_get`` is the HTTP client of both the certificate fetch and the
subscription confirmation: aiohttp, a total timeout, no redirects (a redirect
could leave the SNS host), TLS verified against the system CAs, at most
``MAX_BODY_BYTES`` read.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable

import aiohttp
from cryptography import x509

from streams.gateway.adapters.base import SignatureError, UnavailableError
from streams.gateway.adapters.sns_signature import CertificateMissing

Fetch = Callable[[str], Awaitable[tuple[int, bytes]]]
"""GET ``url`` -> (HTTP status, body); raises ``UnavailableError`` when the host does not answer."""
MAX_BODY_BYTES = 64 * 1024


def https_get(timeout_s: float) -> Fetch:
    """Return a ``Fetch`` over aiohttp with a total timeout of ``timeout_s``, no redirects."""

    async def fetch(url: str) -> tuple[int, bytes]:
        timeout = aiohttp.ClientTimeout(total=timeout_s)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(url, allow_redirects=False) as response,
            ):
                body = bytearray()
                async for chunk in response.content.iter_chunked(16 * 1024):
                    body += chunk
                    if len(body) > MAX_BODY_BYTES:
                        msg = f"{url}: answer larger than {MAX_BODY_BYTES} bytes"
                        raise UnavailableError(msg)
                return response.status, bytes(body)
        except (aiohttp.ClientError, TimeoutError) as exc:
            msg = f"{url}: no answer ({type(exc).__name__}: {exc}); retry later"
            raise UnavailableError(msg) from None

    return fetch


class CertificateCache:
    """Signing certificates by URL: ``get`` from memory, ``load`` over HTTPS; bounded (LRU)."""

    def __init__(self, fetch: Fetch, max_entries: int = 16) -> None:
        """Keep at most ``max_entries`` certificates, fetched with ``fetch``."""
        if max_entries < 1:
            msg = "max_entries must be at least 1"
            raise ValueError(msg)
        self._fetch = fetch
        self._max = max_entries
        self._certificates: OrderedDict[str, x509.Certificate] = OrderedDict()
        self._lock = asyncio.Lock()
        self.fetches = 0  # how many times a certificate was downloaded (tests, debugging)

    def get(self, url: str) -> x509.Certificate:
        """Return the cached certificate at ``url``; ``CertificateMissing`` if not cached."""
        certificate = self._certificates.get(url)
        if certificate is None:
            raise CertificateMissing(url)
        self._certificates.move_to_end(url)
        return certificate

    def __len__(self) -> int:
        """The number of cached certificates."""
        return len(self._certificates)

    async def load(self, url: str) -> None:
        """Fetch and cache the certificate at ``url`` unless it is cached already.

        Concurrent loads run one at a time, so a burst of messages signed with
        a new certificate fetches it once.

        Raises:
            SignatureError: The SNS host has no certificate there (HTTP 4xx)
                or sent something that is not a PEM certificate (HTTP 401).
            UnavailableError: The host did not answer, or answered 5xx (HTTP 503).
        """
        async with self._lock:
            if url in self._certificates:
                return
            self.fetches += 1
            status, body = await self._fetch(url)
            if status >= 500:
                msg = f"SigningCertURL: {url} answered HTTP {status}; retry later"
                raise UnavailableError(msg)
            if status != 200:
                msg = f"SigningCertURL: no certificate at {url} (HTTP {status})"
                raise SignatureError(msg)
            try:
                certificate = x509.load_pem_x509_certificate(body)
            except ValueError:
                msg = f"SigningCertURL: {url} is not a PEM certificate"
                raise SignatureError(msg) from None
            self._certificates[url] = certificate
            while len(self._certificates) > self._max:
                self._certificates.popitem(last=False)
