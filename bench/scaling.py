"""``python -m bench scaling``: 1, 2 and 3 ``mttr worker`` processes on one ClickHouse server.

The pipeline benchmark's dataset (bench/pipeline/dataset.py: ``mttr
simulate``'s large fleet, 1% sent twice, shuffled in blocks) is published once
to three 8-partition topics of a fresh local broker. A local ClickHouse server
(``mttr clickhouse``'s, streams/devtools/clickhouse/) runs beside it, with a
writer password. Then for each worker count, in turn: a fresh ``mttr``
database on that one server, a fresh consumer group, N workers started at
once (scaling_run.py); all of that ``--rounds`` times, interleaved. The clock
runs from starting them until the group has committed every source message
and every forwarded one: every event stored, every incident row written.
Reported per N (medians of rounds, scaling_report.py): events/s, the CPU
seconds of the workers, the server and the broker, CPU seconds per million
events, what the rest of the machine ran meanwhile, and the speed-up over one
worker. Checked in every run, exit status 1 if not: every distinct published
event is stored, and the incidents equal those of the first run (one
worker's). Results: a table, and JSON under bench/results/scaling-<date>.json
(see bench/README.md).
"""

from __future__ import annotations

import argparse
import signal
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console

from bench import goals
from bench.gateway import exit_on_sigterm
from bench.pipeline import dataset as data
from bench.pipeline.contract import differences
from bench.report import load_average, machine
from bench.scaling_report import row, summary, table
from bench.scaling_run import Cluster, Run, measure
from streams.devtools.broker import local
from streams.devtools.broker.ports import free_port
from streams.devtools.clickhouse import server
from streams.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
PASSWORD = "bench-writer-password"  # noqa: S105  # a throw-away server on loopback


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the options of ``python -m bench scaling``."""
    parser = argparse.ArgumentParser(prog="python -m bench scaling", description=__doc__)
    parser.add_argument(
        "--events", type=int, default=100_000, help="distinct events (default 100000)"
    )
    parser.add_argument("--services", type=int, default=2000, help="services (default 2000)")
    parser.add_argument(
        "--workers", default="1,2,3", help="worker counts to run, in order (default 1,2,3)"
    )
    parser.add_argument("--partitions", type=int, default=8, help="partitions (default 8)")
    parser.add_argument(
        "--rounds", type=int, default=2, help="rounds over the worker counts, interleaved (2)"
    )
    parser.add_argument(
        "--timeout", type=float, default=900.0, help="seconds allowed per worker count"
    )
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    return parser.parse_args(argv)


def check(run: Run, reference: Run | None, distinct: int) -> list[str]:
    """Return what is wrong with ``run`` (empty when it counts).

    Dead letters are not checked: a rebalance makes a worker read again what
    another had processed but not committed, and those replays are behind the
    restored state's event time, so they are dead-lettered as late (changing
    nothing). They are reported; lost or changed output shows up here. The
    incidents are compared with the first run's (one worker's by default).
    """
    if run.error:
        return [run.error]
    problems = []
    stored = run.figures["stored_events"]
    if stored != distinct:
        problems.append(f"{stored:,} distinct events stored, {distinct:,} published")
    if not run.incidents:
        problems.append("no incidents stored")
    if reference is not None and reference is not run and reference.incidents:
        diff = differences(reference.incidents, run.incidents)
        if diff:
            first = f"{reference.workers} worker(s)"
            problems.append(f"incidents differ from those of the first run ({first}): {diff}")
    return problems


def run_all(
    cluster: Cluster, counts: list[int], rounds: int, dataset: data.Dataset, work: Path,
    timeout: float, console: Console,
) -> list[dict[str, Any]]:  # fmt: skip
    """Measure every worker count in turn, ``rounds`` times interleaved; return the rows."""
    messages, distinct = len(dataset.messages), len(dataset.events)
    reference: Run | None = None
    rows = []
    for round_number in range(1, rounds + 1):
        for workers in counts:
            console.print(f"round {round_number}: {workers} worker(s) ...", end=" ")
            time.sleep(3)  # let the previous run's stops and merges settle
            run = measure(cluster, workers, work, timeout)
            if reference is None and not run.error:  # one worker's run, unless --workers
                reference = run
            figures = row(run, messages, check(run, reference, distinct), round_number)
            rows.append(figures)
            if run.error:
                console.print(f"[red]{run.error}[/red]")
                continue
            cpu = figures["cpu_seconds"]
            console.print(
                f"{figures['seconds']:.1f} s, {figures['events_per_second']:,.0f} events/s; "
                f"CPU s: workers {cpu['workers']:.1f}, server {cpu['server']:.1f}, others "
                f"{cpu['others']:.1f}; {figures['dead_letters']:,} dead-lettered as late; "
                + ("; ".join(figures["problems"]) or "all events stored, incidents ok")
            )
            run.incidents = run.incidents if run is reference else {}  # keep one copy only
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the scaling benchmark; exit 1 when a worker count fails a check."""
    return run(argv)[0]


def run(argv: list[str] | None = None) -> tuple[int, dict[str, Any]]:
    """Run the scaling benchmark; return the exit status and the result written as JSON."""
    args = parse_args(argv or [])
    counts = [int(n) for n in args.workers.split(",") if n]
    console = Console(width=max(Console().width, 132))  # the table, also when logged
    began = time.monotonic()
    load_at_start = load_average()
    signal.signal(signal.SIGTERM, exit_on_sigterm)  # so the broker and server are stopped
    dataset = data.build(args.services, args.events)
    console.print(
        f"dataset: {len(dataset.events):,} distinct events of {dataset.services:,} services "
        f"over {dataset.days:.1f} days, {len(dataset.messages):,} messages with duplicates"
    )
    with tempfile.TemporaryDirectory(prefix="mttr-bench-scaling-") as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        broker_dir, server_dir = work / "kafka", work / "clickhouse"
        base = Settings()
        broker, _ = local.start(broker_dir, port=local.free_port(),
                                cache_dir=base.resolved_kafka_cache_dir(),
                                kafka_version=base.kafka_version, heap="1g")  # fmt: skip
        try:
            ch, _ = server.start(server_dir, http_port=free_port(), tcp_port=free_port(),
                                 writer_password=PASSWORD, reader_password=None)  # fmt: skip
            topics = data.Topics("scale-alerts", "scale-deploys", "scale-tickets")
            data.create_topics(broker.bootstrap, topics, args.partitions)
            seconds = data.prefill(broker.bootstrap, topics, dataset)
            console.print(f"published {len(dataset.messages):,} messages in {seconds:.1f} s")
            cluster = Cluster(
                bootstrap=broker.bootstrap,
                clickhouse_url=ch.url,
                password=PASSWORD,
                sources={
                    "alert": topics.alerts,
                    "deploy": topics.deploys,
                    "ticket": topics.tickets,
                },  # fmt: skip
                partitions=args.partitions,
                broker_pid=broker.pid,
                server_pid=ch.pid,
            )
            rows = run_all(cluster, counts, args.rounds, dataset, work, args.timeout, console)
        finally:
            server.stop(server_dir)
            local.stop(broker_dir)
    medians = summary(rows, len(dataset.messages))
    console.print(table(medians, len(dataset.messages), args.partitions))
    measured = goals.scaling_goals(medians, args.partitions)
    console.print(goals.table(measured, "Performance goals (this scaling run)"))
    failed = [r for r in rows if r["problems"]]
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine("the chdb-core engine as a server (mttr clickhouse)"),
        "load_average_at_start": load_at_start,
        "load_average_at_end": load_average(),
        "dataset": {
            "events": len(dataset.events),
            "messages": len(dataset.messages),
            "services": dataset.services,
            "days": round(dataset.days, 2),
            "partitions": args.partitions,
        },
        "rounds": args.rounds,
        "summary": medians,
        "runs": rows,
        "ok": not failed,
        "goals": [goal.as_dict() for goal in measured],
        "seconds": round(time.monotonic() - began, 1),
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"scaling-{datetime.now(UTC):%Y-%m-%d}.json"
    path.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    console.print(f"written {path} ({time.monotonic() - began:.0f} s in all)")
    if failed:
        console.print(f"[bold red]FAILED: {len(failed)} worker count(s) failed a check[/bold red]")
        for r in failed:
            what = "; ".join(r["problems"])
            console.print(f"[red]round {r['round']}, {r['workers']} worker(s): {what}[/red]")
        return 1, result
    return 0, result
