"""Wire the worker together: app, topics, table, sinks, agents, timers and pages.

Only wiring: what each part does is in its own module (``agents``, ``sends``,
``web``, ``source_offsets``, ``snapshot_refresh``, ``streams.notify.agent``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import faust
from clickhouse_connect.driver.client import Client

from streams.engine.correlate import EngineConfig
from streams.ingest.deadletter import DlqLimit
from streams.ingest.pipeline import Forward, IngestPipeline, ReadOffsets
from streams.ingest.rows import EVENT_COLUMNS
from streams.ingest.types import SendDeadLetter
from streams.kafka.names import forwarded_topic_name
from streams.notify.agent import register_notify_agents
from streams.settings import Settings
from streams.storage.incident_writer import IncidentWriter, PublishRows
from streams.storage.sink import TableSink
from streams.worker.agents import Correlation, register_correlate_agent, register_ingest_agent
from streams.worker.app import create_app, forwarded_topic, incident_table, source_topic
from streams.worker.correlation_step import CorrelationStep
from streams.worker.counters import IngestCounters
from streams.worker.in_place import InPlaceRouter
from streams.worker.metrics import WorkerMetrics
from streams.worker.objectives_page import register_objectives_page
from streams.worker.owners_page import register_owners_page
from streams.worker.prompt_commit import register_prompt_commit
from streams.worker.sends import KafkaSends, register_tick_timer
from streams.worker.snapshot_refresh import register_snapshot_refresh
from streams.worker.source_offsets import offsets_reader, register_progress_reset
from streams.worker.staged_table import StagedTable
from streams.worker.state_flush import register_state_flush
from streams.worker.web import Reports, Status, register_pages


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
        review_retention_ms=int(settings.review_retention_s * 1000),
    )


def _pipeline_factory(
    settings: Settings,
    client: Client,
    clickhouse_lock: threading.Lock,
    metrics: WorkerMetrics,
    pipelines: list[IngestPipeline],
    *,
    send_dead_letter: SendDeadLetter,
    forward: Forward,
    read_offsets: ReadOffsets,
    route: InPlaceRouter,
) -> Callable[[], IngestPipeline]:
    """Return the ingest agent's pipeline factory; the pipeline made replaces ``pipelines``."""

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
            send_dead_letter=send_dead_letter,
            limit=limit,
            retry_max_delay=settings.sink_retry_max_seconds,
            forward=forward,
            read_offsets=read_offsets,
            route=route.split,
            stall_s=settings.idle_flush_s,
        )
        pipelines[:] = [pipeline]
        return pipeline

    return make_pipeline


def _writer_factory(
    settings: Settings,
    client: Client,
    clickhouse_lock: threading.Lock,
    metrics: WorkerMetrics,
    *,
    publish: PublishRows,
    send_dead_letter: SendDeadLetter,
) -> Callable[[], IncidentWriter]:
    """Return the correlate agent's incident writer factory."""

    def make_writer() -> IncidentWriter:
        return IncidentWriter(
            client,
            clickhouse_lock,
            publish,
            send_dead_letter,
            max_bytes=settings.max_message_bytes,
            retry_max_delay=settings.sink_retry_max_seconds,
            on_write=metrics.sink_write,
        )

    return make_writer


def build_worker(
    settings: Settings,
    client: Client,
    *,
    broker: str | None = None,
    io: WorkerIO | None = None,
) -> faust.App:
    """Return the Faust app with its agents, the state tables, timers and pages.

    Args:
        settings: The one settings object.
        client: The ClickHouse client the sinks write through; it must stay
            open for the app's lifetime.
        broker: Override the broker URL (agent tests).
        io: Override dead-letter, forward and publish functions (agent tests;
            with ``forward`` set, nothing reads offsets or sends ticks).
    """
    io = io or WorkerIO()
    app = create_app(settings, broker=broker)
    clickhouse_lock = threading.Lock()  # both agents write through one client
    counters = IngestCounters()
    forwarded = forwarded_topic(app, settings)
    table = incident_table(app, settings)
    staged = StagedTable(table)  # every read and write of the state goes through it
    register_state_flush(app, staged, table.changelog_topic.get_topic_name())
    pipelines: list[IngestPipeline] = []  # the ingest agent's, for the status page and metrics
    metrics = WorkerMetrics(
        counters,
        lag=lambda: pipelines[0].progress.lag() if pipelines else {},
        states=staged.values,
    )
    kafka = KafkaSends(app, settings)
    online = io.forward is None  # agent tests: no consumer, no producer
    dead_letters = io.send_dead_letter or kafka.send_dead_letter
    make_pipeline = _pipeline_factory(
        settings,
        client,
        clickhouse_lock,
        metrics,
        pipelines,
        send_dead_letter=dead_letters,
        forward=io.forward or kafka.forward,
        read_offsets=io.read_offsets or offsets_reader(app, settings.source_topics, on=online),
        route=InPlaceRouter(
            app,
            [
                *settings.source_topics,
                forwarded_topic_name(settings),
                table.changelog_topic.get_topic_name(),
            ],
            enabled=settings.correlate_in_place and online,
        ),
    )
    make_writer = _writer_factory(
        settings,
        client,
        clickhouse_lock,
        metrics,
        publish=io.publish_incidents or kafka.publish_incidents,
        send_dead_letter=dead_letters,
    )
    step = CorrelationStep(
        engine_config(settings),
        settings.max_message_bytes,
        settings.idle_flush_s,
        on_completed=metrics.completed,
    )
    correlation = Correlation(staged, step, make_writer)
    size, seconds = settings.sink_batch_size, settings.sink_batch_seconds
    register_ingest_agent(
        app,
        source_topic(app, settings),
        make_pipeline,
        correlation,
        batch_size=size,
        batch_seconds=seconds,
        counters=counters,
    )
    register_tick_timer(app, settings, kafka, on=online)
    register_progress_reset(app, pipelines)

    if online:
        register_prompt_commit(
            app, lambda: (counters.batches, counters.incident_rows, counters.late)
        )
    register_correlate_agent(
        app, forwarded, correlation, batch_size=size, batch_seconds=seconds, counters=counters
    )
    register_notify_agents(app, settings, counters)  # only with a Slack or Teams webhook URL
    snapshot_status = register_snapshot_refresh(app, settings)
    register_pages(
        app,
        Status(app, settings, counters, pipelines, snapshot_status),
        metrics,
        Reports(client, clickhouse_lock),
    )
    register_owners_page(app, client, clickhouse_lock)
    register_objectives_page(app, client, clickhouse_lock)
    return app
