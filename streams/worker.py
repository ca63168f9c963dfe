"""Wire the worker together: app, topics, ClickHouse sink, dead letters, agents, status page."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

import faust
from clickhouse_connect.driver.client import Client

from streams.agents import IngestCounters, register_ingest_agent
from streams.app import create_app, source_topic
from streams.deadletter import DlqLimit
from streams.pipeline import IngestPipeline, SendDeadLetter
from streams.settings import Settings
from streams.sink import EventSink

log = logging.getLogger(__name__)


def build_worker(
    settings: Settings,
    client: Client,
    *,
    broker: str | None = None,
    dead_letters: SendDeadLetter | None = None,
) -> faust.App:
    """Return the Faust app with the ingest agent and the ``/mttr/status/`` page registered.

    Args:
        settings: The one settings object.
        client: The ClickHouse client the sink writes through; it must stay
            open for the app's lifetime.
        broker: Override the broker URL (agent tests).
        dead_letters: Override how dead letters are sent (agent tests);
            default: ``send_and_wait`` to the dead-letter topic.
    """
    app = create_app(settings, broker=broker)
    counters = IngestCounters()

    async def send_dead_letter(
        key: bytes | None, value: bytes, headers: list[tuple[str, bytes]]
    ) -> None:
        await app.producer.send_and_wait(
            settings.topic_dead_letter, key, value, partition=None, timestamp=None, headers=headers
        )

    sender = dead_letters or send_dead_letter

    def make_pipeline() -> IngestPipeline:
        limit = (
            DlqLimit(settings.dlq_max_invalid_ratio, settings.dlq_window)
            if settings.dlq_limit_enabled
            else None
        )
        return IngestPipeline(
            topic_types=settings.topic_types,
            max_bytes=settings.max_message_bytes,
            sink=EventSink(client),
            send_dead_letter=sender,
            limit=limit,
            retry_max_delay=settings.sink_retry_max_seconds,
        )

    register_ingest_agent(
        app,
        source_topic(app, settings),
        make_pipeline,
        batch_size=settings.sink_batch_size,
        batch_seconds=settings.sink_batch_seconds,
        counters=counters,
    )

    @app.page("/mttr/status/")
    async def status(web: Any, request: Any) -> Any:
        return web.json(
            {
                "app_id": settings.app_id,
                "topics": list(settings.source_topics),
                "dead_letter_topic": settings.topic_dead_letter,
                "clickhouse": settings.clickhouse_url_for_display(),
                **asdict(counters),
            }
        )

    return app
