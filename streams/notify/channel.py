"""The notice channels (Slack, Microsoft Teams) and their settings (no Faust, no I/O).

A channel is what differs between destinations: its payload builder and
response policy, plus the names of its agent, table and status counters.
Everything else (transitions, the notified table's contents, rate limit,
retries, maximum age, minimum severity, at-least-once) is the shared core.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pydantic import SecretStr

from streams.notify.policy import SLACK, TEAMS, ResponsePolicy
from streams.notify.slack_payload import slack_payload
from streams.notify.step import Payload
from streams.notify.teams_card import teams_payload
from streams.notify.transitions import NoticeRules
from streams.settings import Settings


@dataclass(frozen=True)
class Channel:
    """One destination of notices.

    ``key`` prefixes the status counters (``<key>_sent``, ``_failed``,
    ``_skipped``); ``agent`` and ``table`` name its Faust agent and its
    changelog table of notices dealt with.
    """

    key: str
    agent: str
    table: str
    payload: Payload
    policy: ResponsePolicy


SLACK_CHANNEL = Channel("slack", "notify", "slack-notified", slack_payload, SLACK)
TEAMS_CHANNEL = Channel("teams", "notify-teams", "teams-notified", teams_payload, TEAMS)


@dataclass(frozen=True)
class ChannelSettings:
    """A configured channel: where to post, how fast, and which notices."""

    channel: Channel
    url: SecretStr
    rate_per_minute: float
    retry_max_seconds: float
    link_template: str | None
    rules: NoticeRules


def configured(settings: Settings) -> list[ChannelSettings]:
    """Return the channels whose webhook URL is set (Slack first); none without URLs.

    The retry cap and the maximum age are shared by all channels
    (``MTTR_SLACK_RETRY_MAX_SECONDS``, ``MTTR_SLACK_MAX_AGE_S``).
    """
    max_age = timedelta(seconds=settings.slack_max_age_s)
    channels = []
    if settings.slack_webhook_url is not None:
        channels.append(
            ChannelSettings(
                SLACK_CHANNEL,
                settings.slack_webhook_url,
                settings.slack_rate_per_minute,
                settings.slack_retry_max_seconds,
                settings.slack_link_template,
                NoticeRules(min_severity=settings.slack_min_severity, max_age=max_age),
            )
        )
    if settings.teams_webhook_url is not None:
        channels.append(
            ChannelSettings(
                TEAMS_CHANNEL,
                settings.teams_webhook_url,
                settings.teams_rate_per_minute,
                settings.slack_retry_max_seconds,
                settings.teams_link_template,
                NoticeRules(min_severity=settings.teams_min_severity, max_age=max_age),
            )
        )
    return channels
