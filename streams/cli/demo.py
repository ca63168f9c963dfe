"""``mttr demo``: the whole pipeline on this machine in one command, then clean up."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from kafka import KafkaConsumer, KafkaProducer
from rich.console import Console

from streams.broker import local
from streams.cli.common import env_help, fail, load_settings
from streams.clickhouse import connect, load_migrations, migrate
from streams.decode import decode_line
from streams.errors import MttrError
from streams.lag import wait_processed
from streams.processes import stop_process
from streams.publish import make_producer, publish_lines
from streams.settings import Settings, project_root
from streams.summary import events_table, incidents_table, mttr_table

SAMPLE = project_root() / "samples" / "events.jsonl"


def _worker_env(settings: Settings, url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        MTTR_KAFKA_BOOTSTRAP=settings.kafka_bootstrap,
        MTTR_CLICKHOUSE_URL=url,
        MTTR_VAR_DIR=str(settings.var_dir),
        MTTR_WEB_PORT=str(settings.web_port),
        MTTR_LOG_LEVEL="warn",
    )
    return env


def _dead_letters(settings: Settings, expected: int) -> list[tuple[int, str]]:
    consumer = KafkaConsumer(
        settings.topic_dead_letter,
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=5000,
        enable_auto_commit=False,
    )
    found = []
    for message in consumer:
        headers = dict(message.headers)
        found.append((int(headers["source_offset"]), headers["reason"].decode()))
        if len(found) >= expected:
            break
    consumer.close()
    return found


@click.command(epilog=env_help(["var_dir", "kafka_version", "kafka_cache_dir", "kafka_heap"]))
@click.option(
    "--file",
    "sample",
    type=click.Path(exists=True, path_type=Path),
    default=SAMPLE,
    show_default=True,
    help="JSON-lines events to publish.",
)
@click.option("--keep", is_flag=True, help="Keep var/demo/ (broker data, chDB) afterwards.")
def demo(sample: Path, keep: bool) -> None:
    """Start Kafka, migrate, run the worker, publish sample events, summarize, stop.

    Everything runs under var/demo/ on free ports; every process it starts is
    stopped at the end, also on errors or Ctrl-C.
    """
    base = load_settings()
    root = base.var_dir / "demo"
    shutil.rmtree(root, ignore_errors=True)
    console = Console(width=None if sys.stdout.isatty() else 140)
    settings = base.model_copy(
        update={"var_dir": root, "web_port": local.free_port(), "kafka_bootstrap": ""}
    )
    url = f"chdb://{root / 'chdb'}"
    worker: subprocess.Popen[bytes] | None = None
    broker_dir = root / "kafka"
    try:
        console.print("[bold]1/5[/] starting Kafka ...")
        state, _ = local.start(
            broker_dir,
            port=local.free_port(),
            cache_dir=base.resolved_kafka_cache_dir(),
            kafka_version=base.kafka_version,
            heap=base.kafka_heap,
        )
        settings = settings.model_copy(update={"kafka_bootstrap": state.bootstrap})
        console.print(f"      Kafka {state.kafka_version} on {state.bootstrap} (pid {state.pid})")

        console.print(f"[bold]2/5[/] migrating ClickHouse (embedded chDB at {root / 'chdb'}) ...")
        client = connect(settings)
        migrate(client, load_migrations())
        client.close()

        console.print("[bold]3/5[/] starting the worker ...")
        worker_log = (root / "worker.log").open("ab")
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "streams", "worker", "--no-migrate"],
            env=_worker_env(settings, url),
            stdout=worker_log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        worker_log.close()
        console.print(f"      pid {worker.pid}, log {root / 'worker.log'}")

        console.print(f"[bold]4/5[/] publishing {sample.name} ...")
        lines = list(enumerate(sample.read_bytes().splitlines(), start=1))
        producer = make_producer(settings)
        report = publish_lines(lines, settings, producer)
        for number, reason in report.invalid:
            console.print(
                f"      [yellow]{sample.name}:{number}[/] rejected by the publisher: {reason}"
            )
        bad = [
            (n, line)
            for n, line in lines
            if line.strip() and isinstance(decode_line(line, max_bytes=10**6), str)
        ]
        raw = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
        for _, line in bad:  # what a misbehaving producer would do: send them anyway
            raw.send(settings.topic_alerts, key=b"demo", value=line)
        raw.flush()
        raw.close()
        producer.close()
        console.print(
            f"      {report.published} valid events published; {len(bad)} invalid "
            "lines sent raw to show the dead-letter path"
        )
        wait_processed(settings, timeout=120)
        stop_process(worker)
        if worker.returncode not in (0, -signal.SIGTERM):
            fail(f"worker exited with code {worker.returncode}")
        worker = None

        console.print("[bold]5/5[/] summary read back from ClickHouse:")
        client = connect(settings)
        try:
            for table in (events_table(client), incidents_table(client), mttr_table(client)):
                console.print(table)
        finally:
            client.close()
        if keep:
            console.print(
                f"      query it: MTTR_CLICKHOUSE_URL={url} (chDB, one process at a time)"
            )
        for offset, reason in _dead_letters(settings, len(bad)):
            console.print(f"      dead-letter <- alerts@{offset}: {reason}")
    except MttrError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        console.print("interrupted; cleaning up")
    finally:
        if worker is not None:
            stop_process(worker)
        if local.stop(broker_dir) is not None:
            console.print("stopped Kafka and the worker; nothing left running")
        if not keep:
            time.sleep(0.2)
            shutil.rmtree(root, ignore_errors=True)
