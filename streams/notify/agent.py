"""The thin ``notify`` agent: incident versions from the ``incidents`` topic to Slack."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import faust
from faust.types import Message

from streams.notify.sender import HttpPost, SlackSender
from streams.notify.step import NotifyStep
from streams.notify.transitions import NoticeRules
from streams.settings import Settings
from streams.worker.app import incidents_topic, notified_table
from streams.worker.batches import holding, position
from streams.worker.counters import IngestCounters

log = logging.getLogger(__name__)


def _failure(message: Message, _: Message) -> str:
    return f"unexpected failure on {position(message)}; stopping the worker"


def register_notify_agent(app: faust.App, settings: Settings, counters: IngestCounters) -> Any:
    """Register the ``notify`` agent when ``MTTR_SLACK_WEBHOOK_URL`` is set; else do nothing.

    Returns the agent, or None when notices are off (then the worker does not
    even subscribe to the incidents topic). The agent has concurrency 1 and
    holds each message until its notice is posted and the ``slack-notified``
    table is written, so the offset is committed only after that; a post
    retried for a long time blocks only this agent. Anything unexpected
    stops the worker, like the other agents.
    """
    url = settings.slack_webhook_url
    if url is None:
        return None
    table = notified_table(app, settings)
    rules = NoticeRules(
        min_severity=settings.slack_min_severity,
        max_age=timedelta(seconds=settings.slack_max_age_s),
    )

    @app.agent(incidents_topic(app, settings), name="notify", concurrency=1)
    async def notify(stream: faust.StreamT[bytes]) -> None:
        post = HttpPost(url)
        sender = SlackSender(
            post,
            rate_per_minute=settings.slack_rate_per_minute,
            max_delay=settings.slack_retry_max_seconds,
        )
        step = NotifyStep(sender.send, rules, settings.slack_link_template)
        try:
            async for event in stream.events():
                # released only once posted and recorded
                async with holding(app, [event], counters, _failure, log=log) as held:
                    await step.handle(event.message.value, position(event.message), table)
                if held.failed:
                    return
                counters.slack_sent = step.sent
                counters.slack_failed = step.rejected
                counters.slack_skipped = step.skipped
        finally:
            await post.close()

    return notify
