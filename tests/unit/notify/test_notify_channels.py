"""Which notice channels run, and with which settings (streams/notify/channel.py)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import SecretStr

from streams.notify.channel import SLACK_CHANNEL, TEAMS_CHANNEL, configured
from streams.notify.policy import SLACK, TEAMS
from streams.notify.slack_payload import slack_payload
from streams.notify.teams_card import teams_payload
from streams.notify.transitions import NoticeRules
from streams.settings import Settings

SLACK_URL = SecretStr("https://hooks.slack.com/services/T0/B0/x")
TEAMS_URL = SecretStr("https://prod-1.westeurope.logic.azure.com/workflows/w?sig=s")


def test_nothing_without_urls() -> None:
    assert configured(Settings()) == []


def test_the_channels_differ_only_in_format_policy_and_names() -> None:
    assert (SLACK_CHANNEL.payload, SLACK_CHANNEL.policy) == (slack_payload, SLACK)
    assert (TEAMS_CHANNEL.payload, TEAMS_CHANNEL.policy) == (teams_payload, TEAMS)
    assert {SLACK_CHANNEL.agent, TEAMS_CHANNEL.agent} == {"notify", "notify-teams"}
    assert {SLACK_CHANNEL.table, TEAMS_CHANNEL.table} == {"slack-notified", "teams-notified"}


def test_teams_alone_shares_retry_cap_and_max_age() -> None:
    settings = Settings(
        teams_webhook_url=TEAMS_URL,
        teams_rate_per_minute=6,
        teams_min_severity="high",
        teams_link_template="https://g.example/{incident_id}",
        slack_link_template="https://slack-only.example/{incident_id}",
        slack_min_severity="low",
        slack_retry_max_seconds=30,
        slack_max_age_s=600,
    )
    (teams,) = configured(settings)
    assert teams.channel is TEAMS_CHANNEL
    assert teams.url is TEAMS_URL
    assert (teams.rate_per_minute, teams.retry_max_seconds) == (6, 30)
    assert teams.link_template == "https://g.example/{incident_id}"  # its own, not Slack's
    assert teams.rules == NoticeRules(min_severity="high", max_age=timedelta(minutes=10))


def test_both_slack_first() -> None:
    settings = Settings(slack_webhook_url=SLACK_URL, teams_webhook_url=TEAMS_URL)
    slack, teams = configured(settings)
    assert (slack.channel, teams.channel) == (SLACK_CHANNEL, TEAMS_CHANNEL)
    assert slack.rules == teams.rules == NoticeRules()
