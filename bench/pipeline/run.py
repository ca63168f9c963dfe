"""``python -m bench pipeline``: the same topics through raw consumers, ours and peers.

A fresh single-node broker in a temporary folder gets the three topics,
pre-filled once with the dataset of bench/pipeline/dataset.py. Every round
runs every contender in turn (interleaved), each from the beginning of the
topics under its own consumer group into its own fresh chDB database. A
contender whose incidents differ from ours does not count. Then, unless
``--no-storm``: the alert storm, one key and one incident, through ours and
Quix Streams (storm_round.py). Then, unless ``--no-extra``: the end-to-end
latency on a paced stream of every stream contender (and of ours on a
ClickHouse server), the state size per open incident of ours (extra.py), and
one against two worker processes (scaling.py). Last, the performance goals
this run measured (bench/goals.py). Results: tables, and JSON under
bench/results/pipeline-<date>.json (see bench/README.md).
"""

from __future__ import annotations

import argparse
import signal
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from bench import goals
from bench.gateway import exit_on_sigterm
from bench.pipeline import dataset as data
from bench.pipeline import storm_round
from bench.pipeline.contest import Contender, Outcome, judge, prepare, run_raw, run_stream
from bench.pipeline.contract import ContenderConfig
from bench.report import load_average, machine
from streams.devtools.broker import local
from streams.settings import Settings

RESULTS = Path(__file__).resolve().parents[1] / "results"


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the options of ``python -m bench pipeline``."""
    parser = argparse.ArgumentParser(prog="python -m bench pipeline", description=__doc__)
    parser.add_argument(
        "--events", type=int, default=50_000, help="distinct events (default 50000)"
    )
    parser.add_argument("--services", type=int, default=2000, help="services (default 2000)")
    parser.add_argument("--runs", type=int, default=3, help="rounds per contender (default 3)")
    parser.add_argument("--only", default="", help="comma-separated contenders (default: all)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument(
        "--cap", type=float, default=180.0, help="stop a stream contender after this many seconds"
    )
    parser.add_argument(
        "--no-extra", action="store_true", help="skip latency, state size and scaling"
    )
    parser.add_argument(
        "--storm-events", type=int, default=50_000, help="alert events in the storm (50000)"
    )
    parser.add_argument(
        "--storm-alerts", type=int, help="alert ids in the storm (default: events / 10)"
    )
    parser.add_argument(
        "--storm-cap", type=float, default=300.0, help="stop a storm run after this many seconds"
    )
    parser.add_argument("--no-storm", action="store_true", help="skip the alert storm")
    parser.add_argument(
        "--open-incidents", type=int, default=100_000, help="state size at (default 100000)"
    )
    return parser.parse_args(argv)


def contenders(span_days: float, bench_python: str | None, only: set[str]) -> list[Contender]:
    """Return the contenders to run, ours first (the reference)."""
    lateness = (span_days + 1) * 86400.0  # no input watermark: must accept the whole backlog
    every = [
        Contender("ours"),
        Contender("raw_aiokafka", raw=True),
        Contender("naive_faust", lateness_s=lateness, rounds=1),  # about 80 events/s
    ]
    if bench_python is not None:
        every += [
            Contender("raw_confluent", python=bench_python, raw=True),
            Contender("quix", python=bench_python, lateness_s=lateness),
        ]
    return [c for c in every if not only or c.name in only]


def run_rounds(
    bootstrap: str,
    topics: data.Topics,
    dataset: data.Dataset,
    work: Path,
    chosen: list[Contender],
    runs: int,
    console: Console,
    cap: float,
) -> dict[str, list[Outcome]]:
    """Run every contender ``runs`` times, interleaved; return the outcomes by name."""
    expected = len(dataset.messages)
    outcomes: dict[str, list[Outcome]] = {c.name: [] for c in chosen}
    reference: Outcome | None = None
    for round_number in range(1, runs + 1):
        for contender in chosen:
            if contender.rounds is not None and round_number > contender.rounds:
                continue
            folder = work / f"{contender.name}-{round_number}"
            chdb = prepare(folder)
            config = ContenderConfig(
                bootstrap=bootstrap,
                topics={"alert": topics.alerts, "deploy": topics.deploys, "ticket": topics.tickets},
                group=f"bench-{contender.name}-{round_number}-{time.time_ns()}",
                chdb_path=str(chdb),
                state_dir=str(folder / "state"),
                partitions=data.PARTITIONS,
                **({"allowed_lateness_s": contender.lateness_s} if contender.lateness_s else {}),
            )
            console.print(f"round {round_number}/{runs}: {contender.name} ...", end=" ")
            if contender.raw:
                outcome = run_raw(contender, config, folder, expected)
            else:
                outcome = run_stream(contender, config, folder, expected, topics.names, timeout=cap)
            if contender.name == "ours" and reference is None and not outcome.error:
                reference = outcome
            if not contender.raw:  # a raw consumer stores nothing to compare
                judge(outcome, reference)
            outcomes[contender.name].append(outcome)
            verdict = outcome.error or outcome.mismatch or "output equals ours"
            if contender.raw or contender.name == "ours":
                verdict = outcome.error or f"{outcome.stored_events or outcome.events} events"
            console.print(
                f"{outcome.events_per_second:,.0f} events/s, {outcome.cpu_seconds:.1f} CPU s "
                f"({outcome.startup_cpu_seconds:.1f} before joining), "
                f"peak {outcome.peak_rss_mib:,.0f} MiB ({verdict})"
            )
    return outcomes


def table(outcomes: dict[str, list[Outcome]], total: int) -> tuple[Table, list[dict[str, Any]]]:
    """Return the result table and its rows as JSON-able dicts (medians over rounds)."""
    view = Table(title=f"Pipeline throughput ({total:,} messages, median of rounds)")
    for name in (
        "contender",
        "events/s",
        "CPU s per 1M events",
        "with start-up",
        "peak RSS MiB",
        "vs ours",
        "output",
    ):
        view.add_column(name, justify="left" if name in ("contender", "output") else "right")
    rows = []
    ours = outcomes.get("ours", [])
    ours_rate = statistics.median(o.events_per_second for o in ours) if ours else 0.0
    for name, rounds in outcomes.items():
        good = [o for o in rounds if not o.error and not o.mismatch]
        bad = [o.error or o.mismatch for o in rounds if o.error or o.mismatch]
        pool = good or rounds  # figures that do not count are still shown, marked
        rate = statistics.median(o.events_per_second for o in pool)
        cpu = statistics.median(
            (o.cpu_seconds - o.startup_cpu_seconds) / max(o.events, 1) * 1e6 for o in pool
        )  # from joining the group to caught up: per event, not the process's start-up
        with_startup = statistics.median(o.cpu_seconds / max(o.events, 1) * 1e6 for o in pool)
        rss = statistics.median(o.peak_rss_mib for o in pool)
        counted = "counts" if not bad else f"does not count: {bad[0][:120]}"
        rows.append({"contender": name, "events_per_second": round(rate, 1),
                     "cpu_seconds_per_million": round(cpu, 1),
                     "cpu_seconds_per_million_with_startup": round(with_startup, 1),
                     "peak_rss_mib": round(rss, 1),
                     "rounds": [o.summary() for o in rounds], "counts": not bad})  # fmt: skip
        ratio = f"{rate / ours_rate:.2f}x" if ours_rate and rate else "-"
        figures = [f"{rate:,.0f}", f"{cpu:,.0f}", f"{with_startup:,.0f}", f"{rss:,.0f}"]
        view.add_row(name, *figures, ratio, counted)
    return view, rows


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline benchmark; exit 0 unless a contender could not run at all."""
    return run(argv)[0]


def run(argv: list[str] | None = None) -> tuple[int, dict[str, Any]]:
    """Run the pipeline benchmark; return the exit status and the result written as JSON."""
    args = parse_args(argv or [])
    console = Console(width=max(Console().width, 132))  # the tables, also when logged
    began = time.monotonic()
    signal.signal(signal.SIGTERM, exit_on_sigterm)  # so the broker is stopped on the way out
    with tempfile.TemporaryDirectory(prefix="mttr-bench-pipeline-") as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        dataset = data.build(args.services, args.events)
        console.print(
            f"dataset: {len(dataset.events):,} distinct events of {dataset.services:,} services "
            f"over {dataset.days:.1f} days, {len(dataset.messages):,} messages with duplicates; "
            f"{dataset.in_incidents / len(dataset.events):.1%} alerts and tickets"
        )
        broker_dir = work / "kafka"
        base = Settings()
        state, _ = local.start(broker_dir, port=local.free_port(),
                               cache_dir=base.resolved_kafka_cache_dir(),
                               kafka_version=base.kafka_version, heap="1g")  # fmt: skip
        try:
            topics = data.Topics("bench-alerts", "bench-deploys", "bench-tickets")
            data.create_topics(state.bootstrap, topics)
            seconds = data.prefill(state.bootstrap, topics, dataset)
            console.print(f"pre-filled {len(dataset.messages):,} messages in {seconds:.1f} s")
            bench_python = None
            only = {name for name in args.only.split(",") if name}
            if not only or only & {"quix", "raw_confluent"}:
                from bench.pipeline.venv import ensure_venv

                bench_python = str(ensure_venv(Path(__file__).resolve().parents[2]))
            chosen = contenders(dataset.days, bench_python, only)
            outcomes = run_rounds(
                state.bootstrap, topics, dataset, work, chosen, args.runs, console, args.cap
            )
            view, rows = table(outcomes, len(dataset.messages))
            console.print(view)
            extra: dict[str, Any] = {}
            if not args.no_storm:
                spread = {r["contender"]: r["events_per_second"] for r in rows}
                size = (args.storm_events, args.storm_alerts or args.storm_events // 10)
                extra["storm"] = storm_round.run(state.bootstrap, broker_dir, work, console,
                                                 chosen, spread, size, args.storm_cap)  # fmt: skip
            if not args.no_extra:
                from bench.pipeline import extra as extras
                from bench.pipeline import scaling

                extra |= extras.run_all(state.bootstrap, broker_dir, work, console, chosen,
                                        args.open_incidents)  # fmt: skip
                extra["scaling"] = scaling.run(
                    state.bootstrap, topics, len(dataset.messages), work, console
                )
        finally:
            local.stop(broker_dir)
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine("chDB"),
        "load_average_at_start": load_average(),
        "dataset": {
            "events": len(dataset.events),
            "messages": len(dataset.messages),
            "services": dataset.services,
            "days": round(dataset.days, 2),
        },  # fmt: skip
        "throughput": rows,
        **extra,
        "seconds": round(time.monotonic() - began, 1),
    }
    measured = goals.pipeline_goals(result)
    console.print(goals.table(measured, "Performance goals (this pipeline run)"))
    result["goals"] = [goal.as_dict() for goal in measured]
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"pipeline-{datetime.now(UTC):%Y-%m-%d}.json"
    path.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    console.print(f"written {path} ({time.monotonic() - began:.0f} s in all)")
    return 0, result
