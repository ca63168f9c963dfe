"""Load check of ``mttr gateway``: sustained webhooks from a second process, counted in Kafka.

Run it with ``python -m bench gateway`` (``make bench`` runs it after the
views). It starts a fresh single-node Kafka broker in a temporary folder,
creates the topics and starts ``mttr gateway``; once ``/healthz`` answers, a
second process (``bench.gateway_load``) keeps ``--concurrency`` requests in
flight on loopback for a warm-up plus ``--duration`` seconds. Then the three
source topics are read from the beginning to their end offsets and every
event id the gateway acknowledged with a 2xx is looked up: an acknowledged
event missing from Kafka is a lost event.

Results are printed as tables and written to ``bench/results/gateway-<date>.json``.
Slow figures are reported, never an error; the exit status is 1 only when an
acknowledged event is missing from Kafka or nothing was acknowledged.
Everything started is stopped at the end, on errors too.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from types import FrameType
from typing import Any

import orjson
from kafka import KafkaConsumer, TopicPartition
from rich.console import Console

from bench.gateway_report import (
    Delivery,
    delivery,
    delivery_table,
    per_second,
    print_verdict,
    throughput,
    throughput_table,
    write_json,
)
from bench.report import load_average, machine
from streams.devtools.broker import local
from streams.devtools.processes import stop_process
from streams.kafka.topics import ensure_topics
from streams.settings import Settings, env_var

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
HOST_FIELDS = ("cpu_count", "cpu_model", "memory_gib", "platform", "python")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench gateway", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--concurrency", type=int, default=16, help="connections in flight")
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before them")
    parser.add_argument("--seed", type=int, default=1, help="seed of the payload generator")
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder for the JSON file")
    args = parser.parse_args(argv)
    if args.concurrency < 1 or args.duration < 1 or args.warmup < 0:
        parser.error("--concurrency and --duration take at least 1, --warmup at least 0")
    return args


def cpu_seconds(pid: int) -> float:
    """Return the user plus system CPU seconds of process ``pid`` so far (0 when unreadable)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()  # fields 3.. of proc(5): utime is 14, stime 15
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    """Poll ``url`` until it answers 200; ``RuntimeError`` with the log tail if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
    msg = f"the gateway did not answer {url} with 200 within {timeout:.0f} s:\n{tail}"
    raise RuntimeError(msg)


def read_topics(
    bootstrap: str, topics: list[str], timeout: float = 120
) -> tuple[Counter[str], dict[str, int]]:
    """Read ``topics`` from the beginning to their current end offsets.

    Returns (event id -> messages carrying it, messages per topic). Raises
    ``TimeoutError`` when the end offsets are not reached within ``timeout``.
    """
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        ids: Counter[str] = Counter()
        per_topic = dict.fromkeys(topics, 0)
        deadline = time.monotonic() + timeout
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            if time.monotonic() > deadline:
                msg = f"could not read {topics} to their end offsets within {timeout:.0f} s"
                raise TimeoutError(msg)
            for tp, messages in consumer.poll(timeout_ms=1000, max_records=10_000).items():
                per_topic[tp.topic] += len(messages)
                ids.update(orjson.loads(m.value)["event_id"] for m in messages)
        return ids, per_topic
    finally:
        consumer.close()


def run_load(url: str, folder: Path, tag: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run ``bench.gateway_load`` in a second process and return its document."""
    output = folder / "load.json"
    command = [
        sys.executable, "-m", "bench.gateway_load", "--url", url, "--output", str(output),
        "--concurrency", str(args.concurrency), "--duration", str(args.duration),
        "--warmup", str(args.warmup), "--tag", tag, "--seed", str(args.seed),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT)  # noqa: S603
    try:
        code = process.wait(timeout=args.warmup + args.duration + 120)
    finally:
        stop_process(process)  # only acts when it is still running (an error or a timeout)
    if code != 0:
        msg = f"the load generator exited with code {code}"
        raise RuntimeError(msg)
    document: dict[str, Any] = orjson.loads(output.read_bytes())
    return document


def measure(
    folder: Path, console: Console, args: argparse.Namespace
) -> tuple[Settings, dict[str, Any], Delivery, dict[str, float]]:
    """Start the broker and the gateway, run the load, read the topics back; stop both.

    Returns the gateway's settings, the load document, the delivery count and
    the CPU seconds each process spent during the load.
    """
    base = Settings()
    broker_dir = folder / "kafka"
    try:  # local.stop is a no-op when start failed before the broker ran
        with console.status("starting a Kafka broker"):
            state, _ = local.start(
                broker_dir,
                port=local.free_port(),
                cache_dir=base.resolved_kafka_cache_dir(),
                kafka_version=base.kafka_version,
                heap=base.kafka_heap,
            )
        tag = uuid.uuid4().hex[:8]
        update = {
            "kafka_bootstrap": state.bootstrap, "gateway_host": local.HOST,
            "gateway_port": local.free_port(), "app_id": f"mttr-bench-{tag}",
            "var_dir": folder / "var", "log_level": "warn",
        }  # fmt: skip
        settings = base.model_copy(update=update)
        ensure_topics(settings)
        overrides = {env_var(name): str(value) for name, value in update.items()}
        env = {**os.environ, **overrides}  # the rest of the settings: the same environment
        log = folder / "gateway.log"
        with log.open("ab") as out:
            gateway = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "streams", "gateway"],
                env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        url = f"http://{local.HOST}:{settings.gateway_port}"
        try:
            with console.status("starting mttr gateway"):
                wait_healthy(f"{url}/healthz", gateway, log, timeout=60)
            console.print(f"broker {state.bootstrap} (Kafka {state.kafka_version}), gateway {url}")
            before = {"gateway": cpu_seconds(gateway.pid), "broker": cpu_seconds(state.pid)}
            with console.status(
                f"load: {args.concurrency} connections, {args.warmup:.0f} s warm-up"
                f" + {args.duration:.0f} s"
            ):
                load = run_load(url, folder, tag, args)
            cpu = {
                "gateway": cpu_seconds(gateway.pid) - before["gateway"],
                "broker": cpu_seconds(state.pid) - before["broker"],
                "load generator": load["cpu_s"],
            }
        finally:
            code = stop_process(gateway)
        if code != 0:
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            console.print(f"[yellow]the gateway exited with code {code}:\n{tail}")
        with console.status("reading the topics back"):
            stored, per_topic = read_topics(state.bootstrap, list(settings.source_topics))
    finally:
        with console.status("stopping the broker"):
            local.stop(broker_dir)
    return settings, load, delivery(load, stored, per_topic), cpu


def exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    """Turn SIGTERM into ``SystemExit``: the gateway and the broker are stopped on the way out."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Run the load check; return 1 when an acknowledged event is not in Kafka, else 0."""
    args = parse_args(argv)
    console = Console()
    if not console.is_terminal:  # e.g. piped into a log: do not wrap the tables at 80
        console = Console(width=150)
    started = datetime.now(UTC)
    began = time.perf_counter()
    load_before = load_average()
    info = {k: v for k, v in machine("").items() if k in HOST_FIELDS}
    info |= {name: version(name) for name in ("aiohttp", "aiokafka", "kafka-python")}
    console.print(
        f"Python {info['python']}, {info['cpu_count']} CPUs ({info['cpu_model']}), "
        f"{info['memory_gib']} GiB, load {load_before}"
    )
    if load_before and load_before[0] > 0.5 * (os.cpu_count() or 1):
        console.print(
            f"[yellow]the machine is busy (load {load_before[0]}): fewer requests per second "
            "and higher latencies than on an idle machine"
        )
    previous = signal.signal(signal.SIGTERM, exit_on_sigterm)  # so the finally blocks run
    try:
        with tempfile.TemporaryDirectory(prefix="mttr-bench-gateway-") as tmp:
            settings, load, result, cpu = measure(Path(tmp), console, args)
    finally:
        signal.signal(signal.SIGTERM, previous)
    info["kafka"] = settings.kafka_version
    rows = [throughput(load, name) for name in ("alertmanager", "events", None)]
    seconds = per_second(load)
    console.print(throughput_table(load, rows))
    everything = rows[-1]
    console.print(
        f"sustained: {min(seconds, default=0):,} to {max(seconds, default=0):,} requests answered"
        " per second of the window; status codes: "
        + ", ".join(f"{code} x {n:,}" for code, n in everything.statuses.items())
        + (f"; no answer: {load['failures']}" if load["failures"] else "")
    )
    window = load["warmup_s"] + load["window_s"]
    console.print(
        "CPU during the load: "
        + ", ".join(f"{name} {s:.1f} s ({s / window:.2f} cores)" for name, s in cpu.items())
    )
    console.print(delivery_table(result))
    print_verdict(console, result)
    total_s = time.perf_counter() - began
    document = {
        "machine": info,
        "concurrency": args.concurrency,
        "warmup_s": args.warmup,
        "duration_s": args.duration,
        "window_s": round(load["window_s"], 2),
        "seed": args.seed,
        "topic_partitions": settings.topic_partitions,
        "gateway_timeout_s": settings.gateway_timeout_s,
        "endpoints": [row.as_dict() for row in rows],
        "requests_per_second": seconds,
        "no_answer": load["failures"],
        "delivery": result.as_dict(),
        "cpu_seconds": {name: round(s, 1) for name, s in cpu.items()},
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "total_seconds": round(total_s, 1),
    }
    path = write_json(args.results, started, document)
    console.print(f"Total {total_s:.0f} s. Results: {path}")
    return 0 if result.complete else 1


if __name__ == "__main__":
    raise SystemExit(main())
