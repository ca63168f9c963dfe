"""``python -m bench.faust_path``: the CPU Faust spends per consumed message, nothing else.

A fresh single-node broker in a temporary folder (or ``--bootstrap``) gets
three topics of 4 partitions, pre-filled once with ``--messages`` small
messages in all. Every run starts a new process with a minimal app built
with ``streams.worker.faust_compat.App`` over the worker's source topic
(``streams.worker.app.source_topic``): one agent, concurrency 1,
``take_events(--batch, within=--within)``, each batch held and released as
the worker's agents do (``streams.worker.batches.holding``), and nothing
else. It reads the topics from the start under a fresh consumer group and
reports the process CPU time (``time.process_time()``: every thread, the
consumer's included) from its first batch to its last, per message after
the first batch. That is the cost of the consume path alone: fetching,
delivering to the stream, ``take_events``, acknowledging and committing.

``--baseline DIR``: also run the child from the source tree ``DIR`` (for
instance ``git archive`` of an earlier commit), interleaved run by run with
this tree, and print both medians and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PARTITIONS = 4


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the options of ``python -m bench.faust_path``."""
    parser = argparse.ArgumentParser(prog="python -m bench.faust_path", description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000, help="in all (default 100000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per tree (default 5)")
    parser.add_argument("--batch", type=int, default=1000, help="take_events size (default 1000)")
    parser.add_argument("--within", type=float, default=0.5, help="take_events within, seconds")
    parser.add_argument("--bootstrap", help="use this running broker instead of a fresh one")
    parser.add_argument("--baseline", type=Path, help="a source tree to compare with")
    parser.add_argument("--consume", type=Path, help=argparse.SUPPRESS)  # the child's config
    return parser.parse_args(argv)


def prefill(bootstrap: str, names: list[str], messages: int) -> None:
    """Create ``names`` (4 partitions each) and publish ``messages`` small messages over them."""
    from kafka import KafkaProducer
    from kafka.admin import KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(n, PARTITIONS, 1) for n in names], timeout_ms=30_000)
    finally:
        admin.close()
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20)
    try:
        for i in range(messages):
            value = b'{"type":"deploy","service":"svc-%d","n":%d}' % (i % 200, i)
            producer.send(names[i % len(names)], key=b"svc-%d" % (i % 200), value=value)
        producer.flush()
    finally:
        producer.close()


def run_child(tree: Path, config: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Run one consuming process from source tree ``tree``; return its figures."""
    folder.mkdir(parents=True)
    config = {**config, "datadir": str(folder / "faust"), "result": str(folder / "result.json")}
    (folder / "config.json").write_text(json.dumps(config))
    env = {**os.environ, "PYTHONPATH": str(tree)}
    with (folder / "child.log").open("wb") as log:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "bench.faust_path", "--consume", str(folder / "config.json")],
            cwd=tree,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            process.wait(timeout=600)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    result = Path(config["result"])
    if not result.exists():
        msg = f"the child wrote no result; see {folder / 'child.log'}"
        raise RuntimeError(msg)
    figures: dict[str, Any] = json.loads(result.read_text())
    return figures


def measure(args: argparse.Namespace, bootstrap: str, work: Path) -> int:
    """Pre-fill the topics, run the children, print the medians; return the exit code."""
    stamp = time.time_ns()
    names = [f"faust-path-{stamp}-{kind}" for kind in ("alerts", "deploys", "tickets")]
    began = time.perf_counter()
    prefill(bootstrap, names, args.messages)
    print(f"pre-filled {args.messages:,} messages in {time.perf_counter() - began:.1f} s")
    trees = {"this tree": ROOT}
    if args.baseline is not None:
        trees = {"baseline": args.baseline.resolve(), **trees}
    figures: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    for run in range(1, args.runs + 1):
        for name, tree in trees.items():
            config = {"bootstrap": bootstrap, "topics": names, "group": f"fp-{stamp}-{name}-{run}"}
            config |= {"messages": args.messages, "batch": args.batch, "within": args.within}
            got = run_child(tree, config, work / f"{name.replace(' ', '-')}-{run}")
            figures[name].append(got)
            print(
                f"run {run} {name}: {got['cpu_us_per_message']:.1f} CPU µs/message, "
                f"{got['messages_per_second']:,.0f} messages/s, {got['batches']} batches"
            )
    medians = {
        name: statistics.median(f["cpu_us_per_message"] for f in runs)
        for name, runs in figures.items()
    }
    for name, value in medians.items():
        rate = statistics.median(f["messages_per_second"] for f in figures[name])
        print(f"median {name}: {value:.1f} CPU µs/message, {rate:,.0f} messages/s")
    if "baseline" in medians:
        print(f"this tree / baseline: {medians['this tree'] / medians['baseline']:.2f}x CPU")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--consume``, be one consuming child)."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.consume is not None:
        consume(json.loads(args.consume.read_text()))
        return 0
    with tempfile.TemporaryDirectory(prefix="mttr-bench-faust-path-") as scratch:
        work = Path(scratch)
        if args.bootstrap:
            return measure(args, args.bootstrap, work)
        from streams.devtools.broker import local
        from streams.settings import Settings

        base = Settings()
        state, _ = local.start(work / "kafka", port=local.free_port(),
                               cache_dir=base.resolved_kafka_cache_dir(),
                               kafka_version=base.kafka_version, heap="1g")  # fmt: skip
        try:
            return measure(args, state.bootstrap, work)
        finally:
            local.stop(work / "kafka")


def consume(config: dict[str, Any]) -> None:
    """The child: consume ``config["messages"]`` messages with one agent, write the figures."""
    import faust

    from streams.settings import Settings
    from streams.worker.app import source_topic
    from streams.worker.batches import holding
    from streams.worker.counters import IngestCounters
    from streams.worker.faust_compat import App

    app = App(
        config["group"],
        broker=f"kafka://{config['bootstrap']}",
        store="memory://",
        datadir=config["datadir"],
        topic_partitions=PARTITIONS,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        stream_wait_empty=False,
        web_enabled=False,
    )
    alerts, deploys, tickets = config["topics"]
    settings = Settings(topic_alerts=alerts, topic_deploys=deploys, topic_tickets=tickets)
    topic = source_topic(app, settings)  # exactly the worker's
    counters = IngestCounters()
    log = logging.getLogger("bench.faust_path")
    total = config["messages"]
    seen = {"messages": 0, "batches": 0}
    start: dict[str, float] = {}

    def failure(first: Any, last: Any) -> str:
        return "unexpected failure"

    @app.agent(topic, name="drain", concurrency=1)
    async def drain(stream: faust.StreamT[bytes]) -> None:
        batches = stream.take_events(config["batch"], within=config["within"])  # type: ignore[attr-defined]
        async for events in batches:
            async with holding(app, events, counters, failure, log=log):
                pass
            if not start:
                start.update(cpu=time.process_time(), wall=time.perf_counter())
                start["first"] = len(events)
            seen["messages"] += len(events)
            seen["batches"] += 1
            if seen["messages"] >= total:
                report(config, seen, start)
                os.kill(os.getpid(), signal.SIGTERM)
                await asyncio.sleep(3600)

    faust.Worker(app, loglevel="warning", quiet=True).execute_from_commandline()


def report(config: dict[str, Any], seen: dict[str, int], start: dict[str, float]) -> None:
    """Write the child's figures: CPU and wall time after its first batch, per message."""
    cpu = time.process_time() - start["cpu"]
    wall = time.perf_counter() - start["wall"]
    counted = max(seen["messages"] - int(start["first"]), 1)
    figures = {
        "messages": seen["messages"],
        "batches": seen["batches"],
        "cpu_seconds": round(cpu, 3),
        "cpu_us_per_message": round(cpu / counted * 1e6, 2),
        "messages_per_second": round(counted / wall, 1) if wall > 0 else 0.0,
    }
    Path(config["result"]).write_text(json.dumps(figures))


if __name__ == "__main__":
    sys.exit(main())
