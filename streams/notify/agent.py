"""The thin notify agents: incident versions from the ``incidents`` topic to each channel."""

from __future__ import annotations

import logging
from typing import Any

import faust
from faust.types import Message

from streams.notify.channel import ChannelSettings, configured
from streams.notify.sender import HttpPost, NoticeSender
from streams.notify.step import NotifyStep
from streams.settings import Settings
from streams.worker.app import incidents_topic, notified_table
from streams.worker.batches import holding, position
from streams.worker.counters import IngestCounters

log = logging.getLogger(__name__)


def _failure(message: Message, _: Message) -> str:
    return f"unexpected failure on {position(message)}; stopping the worker"


def register_notify_agents(
    app: faust.App, settings: Settings, counters: IngestCounters
) -> list[Any]:
    """Register one notify agent per channel with a webhook URL; return them (maybe none).

    Slack's agent is ``notify`` (table ``slack-notified``), Teams' is
    ``notify-teams`` (table ``teams-notified``). Without any URL nothing is
    registered and the worker does not even subscribe to the incidents topic.
    Each channel reads every incident version on its own and remembers in its
    own table what it dealt with, so one channel's outage never holds back the
    other's posts or records, and a channel enabled later starts from its own
    (empty) table. A message's offset is committed once every channel has
    handled it (``holds.finished``).
    """
    return [_register(app, settings, counters, channel) for channel in configured(settings)]


def _register(
    app: faust.App, settings: Settings, counters: IngestCounters, config: ChannelSettings
) -> Any:
    """Register the agent of one channel.

    The agent has concurrency 1 and holds each message until its notice is
    posted and the channel's table is written, so the offset is committed only
    after that; a post retried for a long time blocks only this agent. Anything
    unexpected stops the worker, like the other agents.
    """
    channel = config.channel
    table = notified_table(app, settings, channel.table)

    @app.agent(incidents_topic(app, settings), name=channel.agent, concurrency=1)
    async def notify(stream: faust.StreamT[bytes]) -> None:
        post = HttpPost(config.url)
        sender = NoticeSender(
            post,
            channel.policy,
            rate_per_minute=config.rate_per_minute,
            max_delay=config.retry_max_seconds,
        )
        step = NotifyStep(sender.send, config.rules, config.link_template, payload=channel.payload)
        try:
            async for event in stream.events():
                # released only once posted and recorded
                async with holding(app, [event], counters, _failure, log=log) as held:
                    await step.handle(event.message.value, position(event.message), table)
                if held.failed:
                    return
                setattr(counters, f"{channel.key}_sent", step.sent)
                setattr(counters, f"{channel.key}_failed", step.rejected)
                setattr(counters, f"{channel.key}_skipped", step.skipped)
        finally:
            await post.close()

    return notify
