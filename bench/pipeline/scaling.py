"""One worker process against two in one group, over the same 4-partition topics.

Each measurement starts ``workers`` unmodified ``mttr worker`` processes in a
fresh consumer group, each with its own state folder and chDB database (one
process owns a chDB path), over the pre-filled throughput topics. The clock
runs from the moment the group is stable with every process in it until its
committed offsets reach the end of every topic it reads; CPU is summed over
the processes. Their databases are merged (per incident, the row with the
highest version) and compared with the one-process result, so a speed-up
that loses or changes incidents does not count. Reported, not asserted.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.console import Console

from bench.pipeline import dataset as data
from bench.pipeline.contest import SETTLE_S, Contender, launch, prepare
from bench.pipeline.contract import COMPARED_COLUMNS, ContenderConfig, differences
from bench.pipeline.measure import GroupWatch, cpu_seconds, memory_kib
from streams.devtools.processes import stop_process
from streams.settings import Settings
from streams.storage.clickhouse import connect


def merged_incidents(paths: list[str], folder: Path) -> dict[str, tuple[Any, ...]]:
    """Return the current incidents over several databases: highest version wins."""
    best: dict[str, tuple[int, bool, tuple[Any, ...]]] = {}
    for path in paths:
        client = connect(Settings(clickhouse_url=f"chdb://{path}", var_dir=folder))
        try:
            rows = client.query(
                f"SELECT version, is_deleted, {', '.join(COMPARED_COLUMNS)}"
                " FROM mttr.incidents FINAL"
            ).result_rows
        finally:
            client.close()
        for version, deleted, *compared in rows:
            current = best.get(compared[0])
            if current is None or version > current[0]:
                best[compared[0]] = (int(version), bool(deleted), tuple(compared))
    return {key: row for key, (_, deleted, row) in best.items() if not deleted}


def measure(
    bootstrap: str, topics: data.Topics, expected: int, work: Path, workers: int
) -> dict[str, Any]:
    """Run ``workers`` processes of ours to the end of the topics; return the figures."""
    group = f"bench-scaling-{workers}-{time.time_ns()}"
    configs = []
    for n in range(workers):
        folder = work / f"{group}-{n}"
        configs.append(
            ContenderConfig(
                bootstrap=bootstrap,
                topics={"alert": topics.alerts, "deploy": topics.deploys, "ticket": topics.tickets},
                group=group,
                chdb_path=str(prepare(folder)),
                state_dir=str(folder / "state"),
                partitions=data.PARTITIONS,
            )
        )
    watch = GroupWatch(bootstrap, group, topics.names, expected)
    processes = []
    for config in configs:
        folder = Path(config.state_dir).parent
        config.write(folder / "config.json")
        processes.append(
            launch(Contender("ours"), config, folder / "config.json", folder / "log.txt", expected)
        )
    started = time.monotonic()
    joined_at: float | None = None
    caught_since: float | None = None
    cpu = peak = 0.0
    try:
        while time.monotonic() - started < 900:
            if any(p.poll() is not None for p in processes):
                return {"workers": workers, "error": "a worker exited"}
            if joined_at is None and watch.members() == workers:
                joined_at = time.monotonic()
            progress = watch.look()
            if progress.caught_up and joined_at is not None:
                if caught_since is None:
                    caught_since = progress.at
                    cpu = sum(cpu_seconds(p.pid) for p in processes)
                    peak = sum(memory_kib(p.pid)[1] for p in processes) / 1024
                elif progress.at - caught_since >= SETTLE_S:
                    break
            else:
                caught_since = None
            time.sleep(0.25)
        else:
            return {"workers": workers, "error": "not caught up within 900 s"}
    finally:
        watch.close()
        for process in processes:
            stop_process(process, timeout=60)
    assert joined_at is not None and caught_since is not None
    seconds = caught_since - joined_at
    return {
        "workers": workers,
        "events_per_second": round(expected / seconds, 1),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_rss_mib_sum": round(peak, 1),
        "incidents": merged_incidents([c.chdb_path for c in configs], work),
    }


def run(
    bootstrap: str, topics: data.Topics, expected: int, work: Path, console: Console
) -> list[dict[str, Any]]:
    """Measure one and two processes; print and return both (incidents compared, not kept)."""
    results = []
    for workers in (1, 2):
        console.print(f"scaling: {workers} worker process(es) ...", end=" ")
        figures = measure(bootstrap, topics, expected, work, workers)
        results.append(figures)
        console.print({k: v for k, v in figures.items() if k != "incidents"})
    one, two = results
    if "incidents" in one and "incidents" in two:
        two["output"] = differences(one["incidents"], two["incidents"]) or "equals one process"
        two["speedup"] = round(two["events_per_second"] / one["events_per_second"], 2)
        console.print(f"two processes: {two['speedup']}x one process; output {two['output']}")
    for figures in results:
        figures["incident_count"] = len(figures.pop("incidents", {}))
    return results
