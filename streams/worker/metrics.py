"""Prometheus metrics of one worker, served on ``/metrics`` (text exposition format).

``mttr_repair_duration_seconds`` is a histogram observed when an incident
completes (see docs/metrics.md for the PromQL of a true MTTR). Everything
else is read at scrape time from what the worker already keeps: its counters,
the source partitions' progress and the incident table. The hot path only
increments plain counters.

Each worker has its own registry, never the process-global one, so several
apps in one process (tests) do not collide.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from streams.ingest.progress import TopicPartition

disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series (noise)
CONTENT_TYPE = "text/plain; version=0.0.4"  # UTF-8, the exposition default
# 1 min .. 1 week: repair times span minutes (critical) to days (low).
REPAIR_BUCKETS = (
    60, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 259200, 604800,
)  # fmt: skip
SINK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class WorkerMetrics:
    """The worker's registry: two histograms plus a collector of scrape-time values."""

    def __init__(
        self,
        counters: Any,
        lag: Callable[[], Mapping[TopicPartition, int]],
        states: Callable[[], Iterable[Any]],
    ) -> None:
        """Create the registry.

        Args:
            counters: The worker's ``IngestCounters``.
            lag: Unread messages per assigned source partition.
            states: The incident table's values (per-key engine states).
        """
        self.registry = CollectorRegistry()
        self.repair = Histogram(
            "mttr_repair_duration_seconds",
            "Time to resolve (ttr_seconds) of incidents, observed when an incident completes.",
            ["service", "environment", "severity"],
            buckets=REPAIR_BUCKETS,
            registry=self.registry,
        )
        self.sink = Histogram(
            "mttr_sink_batch_seconds",
            "Duration of one batch insert into ClickHouse.",
            ["table"],
            buckets=SINK_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_ScrapeTime(counters, lag, states))

    def completed(self, row: Mapping[str, Any]) -> None:
        """Observe the repair duration of an incident that just completed."""
        if row["ttr_seconds"] is not None:
            labels = (row["service"], row["environment"], row["severity"])
            self.repair.labels(*labels).observe(row["ttr_seconds"])

    def sink_write(self, table: str, seconds: float) -> None:
        """Observe one ClickHouse batch insert."""
        self.sink.labels(table).observe(seconds)

    def render(self) -> bytes:
        """Return the exposition text."""
        return generate_latest(self.registry)


class _ScrapeTime(Collector):
    def __init__(
        self,
        counters: Any,
        lag: Callable[[], Mapping[TopicPartition, int]],
        states: Callable[[], Iterable[Any]],
    ) -> None:
        self._counters = counters
        self._lag = lag
        self._states = states

    def collect(self) -> Iterator[Metric]:
        counters = self._counters
        consumed = CounterMetricFamily(
            "mttr_events_consumed", "Messages read from the source topics.", labels=["topic"]
        )
        for topic, count in sorted(counters.consumed.items()):
            consumed.add_metric([topic], count)
        yield consumed
        dead = CounterMetricFamily(
            "mttr_events_dead_lettered",
            "Messages sent to the dead-letter topic, by reason class.",
            labels=["reason"],
        )
        for reason, count in sorted(counters.dead_lettered.items()):
            dead.add_metric([reason], count)
        yield dead
        yield CounterMetricFamily(
            "mttr_events_correlated_in_place",
            "Valid events correlated where they were read (on their service's partition).",
            value=counters.correlated_in_place,
        )
        yield CounterMetricFamily(
            "mttr_events_forwarded",
            "Valid events forwarded to the events-by-service topic (not on their service's"
            " partition).",
            value=counters.forwarded,
        )
        yield CounterMetricFamily(
            "mttr_late_events", "Events dead-lettered as late.", value=counters.late
        )
        yield CounterMetricFamily(
            "mttr_incident_rows", "Incident row versions written.", value=counters.incident_rows
        )
        lag = GaugeMetricFamily(
            "mttr_consumer_lag",
            "Unread messages per assigned source partition.",
            labels=["topic", "partition"],
        )
        for (topic, partition), behind in sorted(self._lag().items()):
            lag.add_metric([topic, str(partition)], behind)
        yield lag
        open_incidents = GaugeMetricFamily(
            "mttr_open_incidents",
            "Incidents not resolved yet, held by this worker.",
            labels=["service", "environment", "severity"],
        )
        for labels, count in sorted(_open_incidents(self._states()).items()):
            open_incidents.add_metric(list(labels), count)
        yield open_incidents


def _open_incidents(states: Iterable[Any]) -> Counter[tuple[str, str, str]]:
    counts: Counter[tuple[str, str, str]] = Counter()
    for state in states:
        if not isinstance(state, dict):
            continue
        for entry in state.get("emitted", {}).values():
            fields = entry["fields"]
            if entry["live"] and fields["resolved_at"] is None:
                counts[(fields["service"], fields["environment"], fields["severity"])] += 1
    return counts
