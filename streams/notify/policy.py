"""What to do after a webhook post: done, retry after a delay, or give up (pure).

One rule serves every channel, because Slack's incoming webhooks and Teams'
Workflows webhooks answer in the same three classes: 2xx took the notice;
408, 429, 5xx and network errors may pass later; any other status will not.
What differs per channel is what those statuses mean, which the log says
when a notice is given up: ``SLACK`` and ``TEAMS`` below are each channel's
response policy, ``decide`` is Slack's.

Microsoft Teams (a Workflows webhook: the Power Automate trigger "When a
Teams webhook request is received", e.g. from the template "Post to a channel
when a webhook request is received") answers:

* 202 Accepted: the flow started. It posts the card afterwards; a card the
  channel refuses shows only in the flow's run history, never here. (200 or
  another 2xx if someone added a Response action to the flow.)
* 400 Bad Request: the body does not match the trigger's schema.
* 401 Unauthorized / 403 Forbidden: the URL's signature (``sig``) is wrong, or
  the trigger only accepts signed-in callers, or the flow may not run.
* 404 Not Found: no such flow or trigger (deleted, or a truncated URL).
* 413 Payload Too Large: Teams messages are limited to about 28 KB.
* 429 Too Many Requests with ``Retry-After``: Power Automate throttles.
* 5xx: the service failed; 502/504 when the flow timed out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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


def classify(
    status: int | None,
    retry_after: str | None,
    attempt: int,
    *,
    first_delay: float,
    max_delay: float,
) -> Decision:
    """Return what to do after attempt ``attempt`` answered ``status`` (any channel).

    Args:
        status: The HTTP status, None for a network error or timeout.
        retry_after: The ``Retry-After`` header, if any.
        attempt: 1 for the first post of a notice.
        first_delay: Back-off after the first failure (doubles each time).
        max_delay: Cap of the back-off.

    2xx is done. 429 waits ``Retry-After`` (else the back-off); 408, 5xx and
    network errors retry with the back-off, forever. Any other status will
    not improve by retrying: give up. Redirects are not followed, so a 3xx
    gives up too.
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


@dataclass(frozen=True)
class ResponsePolicy:
    """One channel's answers: its name in logs and what its refusals mean."""

    channel: str
    meanings: Mapping[int, str] = field(default_factory=dict)

    def decide(
        self,
        status: int | None,
        retry_after: str | None,
        attempt: int,
        *,
        first_delay: float,
        max_delay: float,
    ) -> Decision:
        """Return :func:`classify`'s decision (the same rule for every channel)."""
        return classify(status, retry_after, attempt, first_delay=first_delay, max_delay=max_delay)

    def meaning(self, status: int | None) -> str:
        """Return what a refusal means for this channel ("" when not documented)."""
        return self.meanings.get(status, "") if status is not None else ""


SLACK = ResponsePolicy(
    "Slack",
    {
        400: "Slack refused the message (e.g. invalid_payload)",
        403: "the webhook may not post (action_prohibited or disabled)",
        404: "the webhook no longer exists (no_service): set a new MTTR_SLACK_WEBHOOK_URL",
        410: "the channel is archived (channel_is_archived)",
    },
)
TEAMS = ResponsePolicy(
    "Teams",
    {
        400: "the workflow refused the body (a trigger schema that does not fit the card?)",
        401: "the URL's signature is wrong or the trigger requires signed-in callers:"
        " copy the URL again and let anyone trigger the flow",
        403: "the flow may not run (turned off, or blocked by a policy or licence)",
        404: "no such workflow (deleted, or a truncated URL): set MTTR_TEAMS_WEBHOOK_URL again",
        413: "the card is larger than Teams allows (about 28 KB)",
    },
)


def decide(
    status: int | None,
    retry_after: str | None,
    attempt: int,
    *,
    first_delay: float,
    max_delay: float,
) -> Decision:
    """Return Slack's decision after attempt ``attempt`` answered ``status``.

    2xx is done. 429 waits ``Retry-After`` (else the back-off); 408, 5xx and
    network errors retry with the back-off, forever. Any other status
    (e.g. 400 ``invalid_payload``, 403, 404 ``no_service``, 410
    ``channel_is_archived``) will not improve by retrying: give up.
    """
    return SLACK.decide(status, retry_after, attempt, first_delay=first_delay, max_delay=max_delay)
