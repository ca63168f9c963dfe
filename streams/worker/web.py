"""The worker's HTTP pages: ``/mttr/status/``, ``/metrics`` and the two report answers.

Faust serves them on ``MTTR_WEB_HOST:MTTR_WEB_PORT``. ``register_pages``
adds thin handlers; what they answer comes from :class:`Status`,
``WorkerMetrics`` and :class:`Reports`, each given everything it reads.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import faust
from clickhouse_connect.driver.client import Client

from streams.engine.members import from_ms
from streams.ingest.pipeline import IngestPipeline
from streams.present.html_report import collect as collect_html_data
from streams.settings import Settings
from streams.storage.report import ReportQuery
from streams.storage.sections import section_answer
from streams.worker.counters import IngestCounters
from streams.worker.faust_compat import active_partitions
from streams.worker.metrics import CONTENT_TYPE, WorkerMetrics


def catching_up(pipelines: Sequence[IngestPipeline]) -> dict[str, Any]:
    """Source partitions with unread messages and the input watermark (see progress.py).

    Args:
        pipelines: The ingest agent's pipeline, once it started (else empty).
    """
    lagging = pipelines[0].progress.lagging() if pipelines else {}
    return {
        "lagging_partitions": sorted(f"{topic}[{partition}]" for topic, partition in lagging),
        "input_watermark": from_ms(min(lagging.values())).isoformat() if lagging else None,
    }


def partitions(app: faust.App) -> dict[str, list[str]]:
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


@dataclass(frozen=True)
class Status:
    """What ``/mttr/status/`` shows (docs/operations.md).

    Attributes:
        app: The Faust app (consumer generation and partitions).
        settings: The one settings object (names shown).
        counters: The worker's running totals.
        pipelines: The ingest agent's pipeline once it started (a list the
            agent fills in; empty before).
        snapshots: The last snapshot refresh (``register_snapshot_refresh``).
    """

    app: faust.App
    settings: Settings
    counters: IngestCounters
    pipelines: Sequence[IngestPipeline]
    snapshots: Callable[[], dict[str, Any]]

    def body(self) -> dict[str, Any]:
        """Return the status page's JSON body."""
        settings = self.settings
        return {
            "app_id": settings.app_id,
            "topics": list(settings.event_topics),
            "dead_letter_topic": settings.topic_dead_letter,
            "clickhouse": settings.clickhouse_url_for_display(),
            **asdict(self.counters),
            **catching_up(self.pipelines),
            "generation": self.app.consumer_generation_id,
            "partitions": partitions(self.app),
            "snapshots": self.snapshots(),
        }


@dataclass(frozen=True)
class Reports:
    """Report queries on the embedded database this worker holds.

    Attributes:
        client: The worker's ClickHouse client.
        lock: The lock every user of ``client`` takes (the sinks too).
    """

    client: Client
    lock: threading.Lock

    async def answer(self, query: ReportQuery) -> dict[str, Any]:
        """Return ``mttr report``'s answer for the query's section, in a thread under the lock."""

        def run() -> dict[str, Any]:
            with self.lock:
                return section_answer(self.client, query)

        return await asyncio.to_thread(run)

    async def html_data(self, query: ReportQuery) -> dict[str, Any]:
        """Return ``mttr report --html``'s page data, queried in a thread under the lock."""

        def run() -> dict[str, Any]:
            with self.lock:
                return collect_html_data(self.client, query)

        return await asyncio.to_thread(run)


def register_pages(
    app: faust.App, worker_status: Status, metrics: WorkerMetrics, reports: Reports
) -> None:
    """Add ``/mttr/status/``, ``/metrics``, ``/mttr/report/`` and ``/mttr/report/html-data/``.

    The report pages answer 400 with ``{"error": ...}`` for invalid query
    parameters (``ReportQuery.from_params``).
    """

    @app.page("/mttr/status/")
    async def status(web: Any, request: Any) -> Any:
        return web.json(worker_status.body())

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
        return web.json(await reports.answer(query))

    @app.page("/mttr/report/html-data/")
    async def report_html_data(web: Any, request: Any) -> Any:
        """Answer ``mttr report --html`` (the page's data) while this worker holds the database."""
        try:
            query = ReportQuery.from_params(dict(request.query))
        except ValueError as exc:
            return web.json({"error": str(exc)}, status=400)
        return web.json(await reports.html_data(query))
