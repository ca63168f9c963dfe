"""Timing one query: a warm-up that fetches every row, then timed engine-only runs.

The warm-up runs the query through the client and decodes every row into
Python, as ``mttr report`` or a notebook would; it gives the row count and the
end-to-end fetch time. The timed runs send the same query with ``FORMAT
Null``: ClickHouse computes the complete result (every row, every aggregate)
and discards it, so they measure the view itself, not the client's decoding.
The 100 ms target is judged on their median.

When the row count is already known (the same data measured again after
``OPTIMIZE``), the fetch is skipped and the warm-up is one engine-only run, or
none for a view slower than the time budget.

chDB runs inside this process, so the process CPU time of a run is the CPU
the engine spent on it (all its threads). It is recorded next to the wall
time: on a shared machine wall times grow with the load, CPU times much less.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from clickhouse_connect.driver.client import Client

TARGET_MS = 100.0


def quantile(values: list[float], q: float) -> float:
    """Return the linear-interpolation quantile (the convention of docs/metrics.md)."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


@dataclass(frozen=True)
class Timing:
    """One query's result: rows, the warm-up fetch and the timed runs."""

    view: str
    query: str
    rows: int
    fetch_ms: float | None
    runs_ms: tuple[float, ...]
    cpu_ms: tuple[float, ...]

    @property
    def median_ms(self) -> float:
        """Return the median wall time of the timed runs."""
        return quantile(list(self.runs_ms), 0.5)

    @property
    def p90_ms(self) -> float:
        """Return the 90th percentile of the timed runs' wall times."""
        return quantile(list(self.runs_ms), 0.9)

    @property
    def max_ms(self) -> float:
        """Return the slowest timed run."""
        return max(self.runs_ms)

    @property
    def cpu_median_ms(self) -> float:
        """Return the median CPU time of the timed runs."""
        return quantile(list(self.cpu_ms), 0.5)

    @property
    def meets_target(self) -> bool:
        """Return whether the median run is under ``TARGET_MS``."""
        return self.median_ms < TARGET_MS

    def as_dict(self) -> dict[str, object]:
        """Return the timing as JSON-ready values (milliseconds rounded to 0.1)."""
        return {
            "view": self.view,
            "query": self.query,
            "rows": self.rows,
            "fetch_ms": None if self.fetch_ms is None else round(self.fetch_ms, 1),
            "runs_ms": [round(ms, 1) for ms in self.runs_ms],
            "median_ms": round(self.median_ms, 1),
            "p90_ms": round(self.p90_ms, 1),
            "max_ms": round(self.max_ms, 1),
            "cpu_ms": [round(ms, 1) for ms in self.cpu_ms],
            "cpu_median_ms": round(self.cpu_median_ms, 1),
            "meets_target": self.meets_target,
        }


def views(client: Client) -> list[str]:
    """Return the names of the views analysts read in the ``mttr`` database, sorted.

    The live definitions (``<view>_live``) are left out: without a snapshot
    (the ``backfill`` and ``optimized`` phases) each view reads only them.
    """
    result = client.query(
        "SELECT name FROM system.tables WHERE database = 'mttr' AND engine = 'View' "
        "AND NOT endsWith(name, '_live') ORDER BY name"
    )
    return [str(name) for (name,) in result.result_rows]


def has_service(client: Client, view: str) -> bool:
    """Return whether ``mttr.<view>`` has a ``service`` column (the per-team views have not)."""
    result = client.query(
        "SELECT count() FROM system.columns "
        "WHERE database = 'mttr' AND table = {view:String} AND name = 'service'",
        parameters={"view": view},
    )
    return int(result.result_rows[0][0]) > 0


def busiest_service(client: Client) -> str:
    """Return the service with the most incident rows (the slowest one to filter on)."""
    result = client.query(
        "SELECT service FROM mttr.incidents GROUP BY service ORDER BY count() DESC, service LIMIT 1"
    )
    return str(result.result_rows[0][0])


def time_query(
    client: Client,
    view: str,
    query: str,
    runs: int,
    budget_s: float,
    known: Timing | None = None,
) -> Timing:
    """Warm up, then time up to ``runs`` engine-only runs of ``query``.

    Without ``known`` the warm-up fetches every row. With ``known`` (an
    earlier timing of the same query on the same data) its row count is
    reused and the warm-up is one engine-only run, skipped when ``known`` took
    longer than ``budget_s``. Timed runs stop early once ``budget_s`` seconds
    were spent on them, but at least one is always made: a slow view is still
    reported, from fewer runs. Query errors propagate.
    """
    fetch_ms: float | None = None
    if known is None:
        began = time.perf_counter()
        rows = len(client.query(query).result_rows)
        fetch_ms = (time.perf_counter() - began) * 1000
    else:
        rows = known.rows
        if known.median_ms < budget_s * 1000:
            client.raw_query(query, fmt="Null")
    timed: list[float] = []
    cpu: list[float] = []
    spent = 0.0
    while len(timed) < runs and (not timed or spent < budget_s):
        began, cpu_began = time.perf_counter(), time.process_time()
        client.raw_query(query, fmt="Null")
        elapsed = time.perf_counter() - began
        cpu.append((time.process_time() - cpu_began) * 1000)
        timed.append(elapsed * 1000)
        spent += elapsed
    return Timing(view, query, rows, fetch_ms, tuple(timed), tuple(cpu))
