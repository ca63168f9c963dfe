"""Load check of ``mttr gateway``: sustained webhooks on every route, counted in Kafka.

Run it with ``python -m bench gateway`` (``make bench`` runs it after the
views). The routes are the ones the gateway serves (``/events`` and one per
adapter of ``build_adapters``); a source without a payload builder in
bench/gateway_payloads/ stops the run before anything starts. It generates
the run's secrets (``Keys``), starts a fresh single-node Kafka broker in a
temporary folder, creates the topics and starts the gateway with the gateway
token and every source's secret set (bench/gateway_server.py: ``mttr
gateway`` with the SNS certificate served locally); once ``/healthz``
answers, a second process (``bench.gateway_load``) loads each route alone,
``--concurrency`` requests in flight on loopback for a warm-up plus
``--duration`` seconds. Then the three source topics are read from the
beginning to their end offsets and every event id the gateway acknowledged
with a 2xx is looked up: an acknowledged event missing from Kafka is a lost
event.

Results are printed as tables and written to ``bench/results/gateway-<date>.json``.
Slow figures are reported, never an error; the exit status is 1 when a
request got no 2xx answer (the payloads are all valid and authenticated), an
acknowledged event is missing from Kafka, or nothing was acknowledged.
Everything started is stopped at the end, on errors too.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from types import FrameType
from typing import Any

import orjson
from rich.console import Console

from bench.gateway_payloads import Keys, MissingBuilder, builders_for, served
from bench.gateway_processes import cpu_seconds, read_topics, wait_healthy
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
    parser.add_argument("--duration", type=float, default=8.0, help="measured seconds per route")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of load before each")
    parser.add_argument("--routes", help="comma-separated route names (default: every route)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the payload generator")
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder for the JSON file")
    args = parser.parse_args(argv)
    if args.concurrency < 1 or args.duration < 1 or args.warmup < 0:
        parser.error("--concurrency and --duration take at least 1, --warmup at least 0")
    return args


def routes_of(args: argparse.Namespace, settings: Settings) -> list[str]:
    """Return the routes to load: every served one, or ``--routes`` (which must be served).

    Raises:
        SystemExit: A served source has no payload builder, or ``--routes``
            names a route the gateway does not serve.
    """
    names = served(settings)
    try:
        builders_for(names)
    except MissingBuilder as exc:
        raise SystemExit(str(exc)) from None
    if args.routes is None:
        return names
    chosen = [name.strip() for name in args.routes.split(",") if name.strip()]
    if unknown := [name for name in chosen if name not in names]:
        msg = f"--routes: not served by the gateway: {', '.join(unknown)} (served: {names})"
        raise SystemExit(msg)
    return chosen


def _env_value(value: Any) -> str:
    """Return a setting's value as its environment variable holds it (maps as JSON)."""
    return json.dumps(value) if isinstance(value, dict) else str(value)


def run_load(
    url: str, folder: Path, tag: str, routes: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    """Run ``bench.gateway_load`` in a second process and return its document."""
    output = folder / "load.json"
    command = [
        sys.executable, "-m", "bench.gateway_load", "--url", url, "--output", str(output),
        "--keys", str(folder / "keys.json"), "--routes", ",".join(routes),
        "--concurrency", str(args.concurrency), "--duration", str(args.duration),
        "--warmup", str(args.warmup), "--tag", tag, "--seed", str(args.seed),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT)  # noqa: S603
    try:
        code = process.wait(timeout=len(routes) * (args.warmup + args.duration + 30) + 120)
    finally:
        stop_process(process)  # only acts when it is still running (an error or a timeout)
    if code != 0:
        msg = f"the load generator exited with code {code}"
        raise RuntimeError(msg)
    document: dict[str, Any] = orjson.loads(output.read_bytes())
    return document


def measure(
    folder: Path, console: Console, keys: Keys, routes: list[str], args: argparse.Namespace
) -> tuple[Settings, dict[str, Any], Delivery, dict[str, float]]:
    """Start the broker and the gateway, run the load, read the topics back; stop both.

    Returns the gateway's settings, the load document, the delivery count and
    the CPU seconds each process spent during the load.
    """
    base = Settings(**keys.settings())
    keys.write(folder / "keys.json")
    certificate = folder / "sns-certificate.pem"
    certificate.write_text(keys.sns_cert_pem, encoding="ascii")
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
        overrides = {
            env_var(name): _env_value(value) for name, value in (keys.settings() | update).items()
        }
        env = {**os.environ, **overrides}  # the rest of the settings: the same environment
        log = folder / "gateway.log"
        with log.open("ab") as out:
            gateway = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "bench.gateway_server",
                 "--sns-certificate", str(certificate)],
                env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        url = f"http://{local.HOST}:{settings.gateway_port}"
        try:
            with console.status("starting mttr gateway"):
                wait_healthy(f"{url}/healthz", gateway, log, timeout=60)
            console.print(f"broker {state.bootstrap} (Kafka {state.kafka_version}), gateway {url}")
            before = {"gateway": cpu_seconds(gateway.pid), "broker": cpu_seconds(state.pid)}
            with console.status(
                f"load: {len(routes)} routes in turn, {args.concurrency} connections, "
                f"{args.warmup:.0f} s warm-up + {args.duration:.0f} s each"
            ):
                load = run_load(url, folder, tag, routes, args)
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
    """Run the load check; return 1 on a request without 2xx or an event not in Kafka, else 0."""
    args = parse_args(argv)
    keys = Keys.generate()
    routes = routes_of(args, Settings(**keys.settings()))  # before anything is started
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
            settings, load, result, cpu = measure(Path(tmp), console, keys, routes, args)
    finally:
        signal.signal(signal.SIGTERM, previous)
    info["kafka"] = settings.kafka_version
    rows = [throughput(load, name) for name in (*load["routes"], None)]
    console.print(throughput_table(load, rows))
    console.print(
        "status codes: "
        + ", ".join(f"{code} x {n:,}" for code, n in rows[-1].statuses.items())
        + (f"; no answer: {load['failures']}" if load["failures"] else "")
    )
    loaded_s = sum(load["windows"].values()) + sum(load["warmups"].values())
    console.print(
        "CPU during the load: "
        + ", ".join(f"{name} {s:.1f} s ({s / loaded_s:.2f} cores)" for name, s in cpu.items())
    )
    console.print(delivery_table(result))
    passed = print_verdict(console, result, rows)
    total_s = time.perf_counter() - began
    document = {
        "machine": info,
        "concurrency": args.concurrency,
        "warmup_s": args.warmup,
        "duration_s": args.duration,
        "seed": args.seed,
        "gateway_token": True,
        "topic_partitions": settings.topic_partitions,
        "gateway_timeout_s": settings.gateway_timeout_s,
        "routes": [row.as_dict() for row in rows],
        "requests_per_second": {name: per_second(load, name) for name in load["routes"]},
        "no_answer": load["failures"],
        "delivery": result.as_dict(),
        "cpu_seconds": {name: round(s, 1) for name, s in cpu.items()},
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "total_seconds": round(total_s, 1),
    }
    path = write_json(args.results, started, document)
    console.print(f"Total {total_s:.0f} s. Results: {path}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
