"""``POST /webhooks/sns`` in the gateway: the pure SNS adapter plus the two fetches it needs.

The adapter (``streams/gateway/adapters/sns.py``) is pure and synchronous like
every adapter. Two steps need the network, and both run here, awaited, so the
aiohttp event loop never blocks on them:

1. **The signing certificate.** The adapter reads certificates from a
   ``CertificateCache``; when the one a message names is not cached it raises
   ``CertificateMissing`` (only after the URL passed the SNS host check), the
   endpoint awaits ``cache.load(url)`` and converts again. A host that does
   not answer is a 503, which SNS retries.
2. **Subscription confirmation.** A verified ``SubscriptionConfirmation`` of
   an accepted topic is confirmed by a GET of its ``SubscribeURL`` (an SNS
   host, checked by the adapter) only when ``confirm`` is on
   (``MTTR_SNS_CONFIRM_SUBSCRIPTIONS``): 202 once SNS answered 200, 503
   otherwise. Off (the default), the URL is logged at WARNING for the
   operator and the answer is 202 ``ignored``.

Why not ``asyncio.to_thread`` around the whole conversion: the fetches are
rare (a certificate per region, a confirmation per subscription) and aiohttp's
client is already there; every other message is converted inline from the cache.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from streams.gateway.adapters import sns
from streams.gateway.adapters.base import Converted, UnavailableError
from streams.gateway.adapters.sns_signature import SUBSCRIPTION, CertificateMissing
from streams.gateway.app import Convert
from streams.gateway.sns_certificates import CertificateCache, Fetch

log = logging.getLogger(__name__)


def sns_endpoint(adapter: sns.SnsAdapter, fetch: Fetch, *, confirm: bool) -> Convert:
    """Return the converter of ``POST /webhooks/sns`` for ``create_app``.

    Args:
        adapter: The SNS adapter; its ``certificates`` must be a ``CertificateCache``.
        fetch: The HTTPS GET used to confirm subscriptions.
        confirm: Confirm verified subscription requests of accepted topics.

    Raises:
        TypeError: The adapter's certificate store cannot load certificates.
    """
    cache = adapter.certificates
    if not isinstance(cache, CertificateCache):
        msg = f"the SNS adapter needs a CertificateCache, got {type(cache).__name__}"
        raise TypeError(msg)

    async def convert(
        body: bytes, headers: Mapping[str, str], _query: Mapping[str, str]
    ) -> Converted:
        try:
            message = adapter.verified(body, headers)
        except CertificateMissing as missing:
            await cache.load(missing.url)
            message = adapter.verified(body, headers)
        if message["Type"] == SUBSCRIPTION:
            return await _subscription(message, adapter, fetch, confirm=confirm)
        return sns.convert(message, adapter.config)

    return convert


async def _subscription(
    message: dict[str, str], adapter: sns.SnsAdapter, fetch: Fetch, *, confirm: bool
) -> Converted:
    topic, url = message["TopicArn"], message["SubscribeURL"]
    if not confirm:
        log.warning(
            "SNS subscription to topic %s awaits confirmation (MTTR_SNS_CONFIRM_SUBSCRIPTIONS "
            "is off); to confirm it, open %s",
            topic,
            url,
        )
        return sns.convert(message, adapter.config)
    status, _ = await fetch(url)
    if status != 200:
        log.warning("SNS refused to confirm the subscription to %s: HTTP %d", topic, status)
        msg = f"confirming the subscription to topic {topic}: SNS answered HTTP {status}"
        raise UnavailableError(msg)
    log.info("confirmed the SNS subscription to topic %s", topic)
    return Converted(ignored=f"SubscriptionConfirmation of topic {topic}: subscription confirmed")
