"""Retry with capped exponential back-off, for writes that must not be dropped."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


async def retry_forever(
    operation: Callable[[], Awaitable[T]],
    *,
    what: str,
    max_delay: float,
    first_delay: float = 0.2,
) -> T:
    """Run ``operation`` until it succeeds, sleeping 0.2 s, 0.4 s, ... up to ``max_delay``.

    Used where giving up would lose data: while it retries, the caller does
    not consume more input, which keeps memory bounded. Cancellation
    (worker shutdown) propagates immediately.
    """
    delay = first_delay
    attempt = 1
    while True:
        try:
            result = await operation()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure is retried and logged
            log.warning("%s failed (attempt %d), retrying in %.1fs: %s", what, attempt, delay, exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_delay)
            attempt += 1
        else:
            if attempt > 1:
                log.info("%s succeeded after %d attempts", what, attempt)
            return result
