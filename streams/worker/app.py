"""The Faust application, its topics and the worker's web views, built from settings."""

from __future__ import annotations

import gc
import logging

import faust

from streams.kafka.names import forwarded_topic_name, ticks_topic_name
from streams.kafka.security import faust_credentials
from streams.settings import Settings
from streams.worker.faust_compat import App
from streams.worker.faust_compat.raw_schema import raw_bytes


class Worker(faust.Worker):
    """``faust.Worker`` that keeps the root logger at the configured level.

    With the terminal spinner on (log level warn or error), Faust's worker
    sets the root logger to DEBUG so that every record spins it: every
    ``log.debug`` of aiokafka and Faust then builds a record that no handler
    prints (about 6% of the worker's CPU in bench/pipeline). The spinner
    still turns on what is logged at the configured level.
    """

    def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
        """Set up Faust's spinner handler, then put the root level back to ``level``."""
        super().on_setup_root_logger(logger, level)
        if level:
            logger.setLevel(level)


GC_THRESHOLDS = (50_000, 20, 100)  # Python's defaults: (700, 10, 10)


def tune_gc() -> None:
    """Make the cyclic garbage collector run far less often on the worker's short-lived objects.

    A consumed message leaves dozens of small containers behind (records,
    events, rows, engine states), almost all freed by reference counting; at
    the default thresholds the collector still walked the young generation
    every 700 allocations and the older ones often. Objects built before
    consuming (modules, settings, the app) are frozen out of every collection.
    Measured on the pipeline benchmark (4 runs each, ours only): 11.1 against
    9.5 CPU s for 50,500 messages (about 14% less), the same events/s.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def create_app(settings: Settings, *, broker: str | None = None) -> faust.App:
    """Return a configured (not yet started) Faust app.

    Args:
        settings: The one settings object.
        broker: Override the broker URL (``memory://`` in agent tests).
    """
    brokers = broker or ";".join(
        f"kafka://{h.strip()}" for h in settings.kafka_bootstrap.split(",")
    )
    return App(
        settings.app_id,
        broker=brokers,
        # None for memory:// (agent tests) and PLAINTEXT; TLS/SASL otherwise.
        broker_credentials=None if broker else faust_credentials(settings),
        store=settings.store,
        datadir=str(settings.var_dir / "faust"),
        topic_partitions=settings.topic_partitions,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        # Forwarded events and changelog writes leave in bursts of a batch: a
        # 5 ms linger and 1 MiB batches send them in a few requests instead of
        # hundreds (about 20% more events/s in bench/pipeline).
        producer_linger=0.005,
        producer_max_batch_size=1024 * 1024,
        # Room for a dead letter of up to max_message_bytes plus its headers.
        producer_max_request_size=settings.max_message_bytes + 256 * 1024,
        # Never wait for held (unacknowledged) messages on shutdown: a batch
        # whose write did not complete must be redelivered, not committed.
        stream_wait_empty=False,
        web_enabled=True,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_in_thread=False,
    )


def source_topic(app: faust.App, settings: Settings) -> faust.TopicT:
    """Return the raw-bytes topic over the alert, deploy, ticket and change topics."""
    return app.topic(
        *settings.event_topics,
        schema=raw_bytes(),  # bytes in, parsed by the agents (parse at the edge)
        partitions=settings.topic_partitions,
    )


def forwarded_topic(app: faust.App, settings: Settings) -> faust.TopicT:
    """Return the ``correlate`` agent's input: forwarded events plus the tick topic.

    Producers may partition the source topics any way they like; the ingest
    agent re-publishes every valid event to ``<app_id>-events-by-service``
    with the service as key (murmur2, like Java clients), so one service
    always lands on one partition of the stateful ``correlate`` agent. The
    co-partitioned ``<app_id>-ticks`` topic carries the timer's ticks; being
    a separate topic, it never shows up as lag of the events topic.
    """
    return app.topic(
        forwarded_topic_name(settings),
        ticks_topic_name(settings),
        schema=raw_bytes(),  # bytes in, parsed by the agents (parse at the edge)
        partitions=settings.topic_partitions,
        internal=True,
    )


def incident_table(app: faust.App, settings: Settings) -> faust.types.TableT[str, object]:
    """Return the changelog-backed table of per-(service, environment) engine state."""
    # rocksdb:// keeps state on local disk (MTTR_VAR_DIR/faust) via rocksdict, so a
    # restarted worker only replays the changelog tail; memory:// rebuilds it all.
    options = {"driver": "rocksdict"} if settings.store.startswith("rocksdb") else None
    return app.Table(
        "incident-state",
        partitions=settings.topic_partitions,
        options=options,
        key_type=str,
        value_type=None,  # plain JSON snapshots (app default serializer: json)
    )


def incidents_topic(app: faust.App, settings: Settings) -> faust.TopicT:
    """Return the raw-bytes ``incidents`` topic (JSON rows keyed by incident id) as input."""
    return app.topic(
        settings.topic_incidents,
        schema=raw_bytes(),  # bytes in, parsed by the agents (parse at the edge)
        partitions=settings.topic_partitions,
    )


def notified_table(
    app: faust.App, settings: Settings, name: str
) -> faust.types.TableT[str, object]:
    """Return a channel's changelog-backed table (``slack-notified``, ...) of notices dealt with."""
    options = {"driver": "rocksdict"} if settings.store.startswith("rocksdb") else None
    return app.Table(
        name,
        partitions=settings.topic_partitions,
        options=options,
        key_type=str,
        value_type=None,  # plain JSON snapshots (streams/notify/transitions.py)
    )
