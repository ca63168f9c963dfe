"""Wire the worker together: app, topics, table, sinks, dead letters, agents, status page."""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import asdict, dataclass
from typing import Any

import faust
import orjson
from clickhouse_connect.driver.client import Client

from streams.engine.correlate import EngineConfig
from streams.engine.members import from_ms
from streams.ingest.bundle import BUNDLE_HEADER, bundle
from streams.ingest.deadletter import DlqLimit
from streams.ingest.decode import Decoded
from streams.ingest.pipeline import Forward, IngestPipeline, ReadOffsets
from streams.ingest.progress import WATERMARK_HEADER, SourceOffsets
from streams.ingest.rows import EVENT_COLUMNS
from streams.ingest.types import SendDeadLetter
from streams.kafka.names import forwarded_topic_name, ticks_topic_name
from streams.notify.agent import register_notify_agent
from streams.present.html_report import collect as collect_html_data
from streams.settings import Settings
from streams.storage.incident_writer import IncidentWriter, PublishRows
from streams.storage.report import ReportQuery, jsonable, report_rows
from streams.storage.sink import TableSink
from streams.worker.agents import TICK_HEADER, register_correlate_agent, register_ingest_agent
from streams.worker.app import create_app, forwarded_topic, incident_table, source_topic
from streams.worker.correlation_step import CorrelationStep
from streams.worker.counters import IngestCounters
from streams.worker.faust_compat import active_partitions
from streams.worker.metrics import CONTENT_TYPE, WorkerMetrics
from streams.worker.snapshot_refresh import register_snapshot_refresh
from streams.worker.source_offsets import read_source_offsets

log = logging.getLogger(__name__)


@dataclass
class WorkerIO:
    """How the worker talks to Kafka besides consuming; agent tests replace parts."""

    send_dead_letter: SendDeadLetter | None = None
    forward: Forward | None = None
    publish_incidents: PublishRows | None = None
    read_offsets: ReadOffsets | None = None


def engine_config(settings: Settings) -> EngineConfig:
    """Return the engine's rule windows from the settings."""
    return EngineConfig(
        quiet_ms=int(settings.quiet_period_s * 1000),
        allowed_lateness_ms=int(settings.allowed_lateness_s * 1000),
        suspect_ms=int(settings.suspect_window_s * 1000),
        retention_ms=int(settings.retention_s * 1000),
    )


def _catching_up(pipelines: list[IngestPipeline]) -> dict[str, Any]:
    """Source partitions with unread messages and the input watermark (see progress.py)."""
    lagging = pipelines[0].progress.lagging() if pipelines else {}
    return {
        "lagging_partitions": sorted(f"{topic}[{partition}]" for topic, partition in lagging),
        "input_watermark": from_ms(min(lagging.values())).isoformat() if lagging else None,
    }


def _partitions(app: faust.App) -> dict[str, list[str]]:
    """What the consumer owns and reads: assigned, and of those the paused ones.

    A partition assigned but paused after a rebalance is never read; this is
    the first thing to look at when the group lag stops moving.
    """
    if not app.consumer_generation_id:  # never assigned yet
        return {"assigned": [], "paused": []}
    consumer = app.consumer
    assigned = consumer.assignment()
    active = active_partitions(consumer)
    return {
        "assigned": sorted(f"{tp.topic}[{tp.partition}]" for tp in assigned),
        "paused": sorted(f"{tp.topic}[{tp.partition}]" for tp in assigned - active),
    }


def build_worker(
    settings: Settings,
    client: Client,
    *,
    broker: str | None = None,
    io: WorkerIO | None = None,
) -> faust.App:
    """Return the Faust app with both agents, the state table and the status page.

    Args:
        settings: The one settings object.
        client: The ClickHouse client the sinks write through; it must stay
            open for the app's lifetime.
        broker: Override the broker URL (agent tests).
        io: Override dead-letter, forward and publish functions (agent tests).
    """
    io = io or WorkerIO()
    app = create_app(settings, broker=broker)
    clickhouse_lock = threading.Lock()  # both agents write through one client
    counters = IngestCounters()
    forwarded = forwarded_topic(app, settings)
    table = incident_table(app, settings)
    pipelines: list[IngestPipeline] = []  # the ingest agent's, for the status page and metrics
    metrics = WorkerMetrics(
        counters,
        lag=lambda: pipelines[0].progress.lag() if pipelines else {},
        states=lambda: list(table.values()),
    )

    async def send_dead_letter(
        key: bytes | None, value: bytes, headers: list[tuple[str, bytes]]
    ) -> None:
        await app.producer.send_and_wait(
            settings.topic_dead_letter, key, value, partition=None, timestamp=None, headers=headers
        )

    async def forward(events: list[Decoded], watermark: int | None) -> None:
        headers = [(BUNDLE_HEADER, b"1")]
        if watermark is not None:
            headers.append((WATERMARK_HEADER, str(watermark).encode()))
        futures = [
            await app.producer.send(
                forwarded_topic_name(settings),
                key,
                value,
                partition=None,
                timestamp=None,
                headers=headers,
            )
            for key, value in bundle(events)
        ]
        await asyncio.gather(*futures)

    async def publish_incidents(rows: list[dict[str, Any]]) -> None:
        futures = [
            await app.producer.send(
                settings.topic_incidents,
                row["incident_id"].encode(),
                orjson.dumps(row),
                partition=None,
                timestamp=None,
                headers=None,
            )
            for row in rows
        ]
        await asyncio.gather(*futures)

    async def read_offsets() -> SourceOffsets | None:
        if io.forward is not None:  # agent tests: no consumer
            return None
        return await read_source_offsets(app, settings.source_topics)

    dead_letters = io.send_dead_letter or send_dead_letter

    def make_pipeline() -> IngestPipeline:
        limit = (
            DlqLimit(settings.dlq_max_invalid_ratio, settings.dlq_window)
            if settings.dlq_limit_enabled
            else None
        )
        pipeline = IngestPipeline(
            topic_types=settings.topic_types,
            max_bytes=settings.max_message_bytes,
            sink=TableSink(
                client, "mttr.events", EVENT_COLUMNS, clickhouse_lock, metrics.sink_write
            ),
            send_dead_letter=dead_letters,
            limit=limit,
            retry_max_delay=settings.sink_retry_max_seconds,
            forward=io.forward or forward,
            read_offsets=io.read_offsets or read_offsets,
            stall_s=settings.idle_flush_s,
        )
        pipelines[:] = [pipeline]
        return pipeline

    def make_writer() -> IncidentWriter:
        return IncidentWriter(
            client,
            clickhouse_lock,
            io.publish_incidents or publish_incidents,
            dead_letters,
            max_bytes=settings.max_message_bytes,
            retry_max_delay=settings.sink_retry_max_seconds,
            on_write=metrics.sink_write,
        )

    size, seconds = settings.sink_batch_size, settings.sink_batch_seconds
    register_ingest_agent(
        app,
        source_topic(app, settings),
        make_pipeline,
        batch_size=size,
        batch_seconds=seconds,
        counters=counters,
    )
    step = CorrelationStep(
        engine_config(settings),
        settings.max_message_bytes,
        settings.idle_flush_s,
        on_completed=metrics.completed,
    )

    @app.timer(interval=max(0.5, settings.idle_flush_s / 2))  # type: ignore[untyped-decorator]
    async def send_ticks() -> None:
        """Tick every partition of the correlation topic (drives idle completion)."""
        if io.forward is not None:  # agent tests: no producer
            return
        for partition in range(settings.topic_partitions):
            await app.producer.send(
                ticks_topic_name(settings),
                None,
                b"",
                partition=partition,
                timestamp=None,
                headers=[(TICK_HEADER, b"1")],
            )

    register_correlate_agent(
        app,
        forwarded,
        table,
        step,
        make_writer,
        batch_size=size,
        batch_seconds=seconds,
        counters=counters,
    )
    register_notify_agent(app, settings, counters)  # only with MTTR_SLACK_WEBHOOK_URL
    snapshot_status = register_snapshot_refresh(app, settings)

    @app.page("/mttr/status/")
    async def status(web: Any, request: Any) -> Any:
        return web.json(
            {
                "app_id": settings.app_id,
                "topics": list(settings.source_topics),
                "dead_letter_topic": settings.topic_dead_letter,
                "clickhouse": settings.clickhouse_url_for_display(),
                **asdict(counters),
                **_catching_up(pipelines),
                "generation": app.consumer_generation_id,
                "partitions": _partitions(app),
                "snapshots": snapshot_status(),
            }
        )

    @app.page("/metrics")
    async def prometheus(web: Any, request: Any) -> Any:
        """Prometheus metrics (docs/metrics.md)."""
        return web.bytes(metrics.render(), content_type=CONTENT_TYPE)

    @app.page("/mttr/report/")
    async def report(web: Any, request: Any) -> Any:
        """Answer ``mttr report`` while this worker holds the embedded database."""
        try:
            query = ReportQuery.from_params(dict(request.query))
        except ValueError as exc:
            return web.json({"error": str(exc)}, status=400)

        def run() -> list[dict[str, Any]]:
            with clickhouse_lock:
                return report_rows(client, query)

        return web.json({"rows": jsonable(await asyncio.to_thread(run))})

    @app.page("/mttr/report/html-data/")
    async def report_html_data(web: Any, request: Any) -> Any:
        """Answer ``mttr report --html`` (the page's data) while this worker holds the database."""
        try:
            query = ReportQuery.from_params(dict(request.query))
        except ValueError as exc:
            return web.json({"error": str(exc)}, status=400)

        def run() -> dict[str, Any]:
            with clickhouse_lock:
                return collect_html_data(client, query)

        return web.json(await asyncio.to_thread(run))

    return app
