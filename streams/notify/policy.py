"""What to do after a Slack post: done, retry after a delay, or give up (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MAX_RETRY_AFTER = 3600.0  # never trust a Retry-After beyond an hour
RETRYABLE = frozenset({408, 429})


@dataclass(frozen=True)
class Decision:
    """``done`` (posted), ``retry`` after ``delay`` seconds, or ``give_up``."""

    action: Literal["done", "retry", "give_up"]
    delay: float = 0.0


def backoff(attempt: int, first: float, cap: float) -> float:
    """Return the capped exponential delay after failed attempt ``attempt`` (1-based)."""
    return float(min(cap, first * 2 ** min(attempt - 1, 60)))


def retry_after_seconds(header: str | None) -> float | None:
    """Return a ``Retry-After`` header in seconds (delta form only), None when unusable."""
    if header is None:
        return None
    try:
        seconds = float(header.strip())
    except ValueError:
        return None
    if seconds != seconds or seconds < 0:  # NaN or negative
        return None
    return min(seconds, MAX_RETRY_AFTER)


def decide(
    status: int | None,
    retry_after: str | None,
    attempt: int,
    *,
    first_delay: float,
    max_delay: float,
) -> Decision:
    """Return what to do after attempt ``attempt`` answered ``status``.

    Args:
        status: The HTTP status, None for a network error or timeout.
        retry_after: The ``Retry-After`` header, if any.
        attempt: 1 for the first post of a notice.
        first_delay: Back-off after the first failure (doubles each time).
        max_delay: Cap of the back-off.

    2xx is done. 429 waits ``Retry-After`` (else the back-off); 408, 5xx and
    network errors retry with the back-off, forever. Any other status
    (e.g. 400 ``invalid_payload``, 403, 404 ``no_service``, 410
    ``channel_is_archived``) will not improve by retrying: give up.
    """
    if status is not None and 200 <= status < 300:
        return Decision("done")
    if status == 429:
        waited = retry_after_seconds(retry_after)
        if waited is not None:
            return Decision("retry", waited)
    if status is None or status in RETRYABLE or status >= 500:
        return Decision("retry", backoff(attempt, first_delay, max_delay))
    return Decision("give_up")
