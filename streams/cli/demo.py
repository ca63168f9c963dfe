"""``mttr demo``: the whole pipeline on this machine in one command, then clean up."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from clickhouse_connect.driver.client import Client
from kafka import KafkaConsumer
from pydantic import SecretStr
from rich.console import Console

from streams.cli.common import env_help, fail, load_settings, publish_with_progress
from streams.cli.demo_samples import load_references, publish_sample
from streams.devtools.broker import local
from streams.devtools.clickhouse import server as clickhouse_server
from streams.devtools.processes import stop_process
from streams.devtools.simulate import Profile
from streams.devtools.simulate import simulate as generate
from streams.devtools.wait import wait_processed
from streams.errors import MttrError
from streams.kafka.publish import make_producer
from streams.kafka.security import kafka_python_options
from streams.present.availability import NO_OBJECTIVES, availability_table
from streams.present.dora import dora_team_table
from streams.present.html_report import collect, render
from streams.present.learning import recurring_table, review_table
from streams.present.summary import events_table, incidents_table, report_table
from streams.settings import Settings, project_root
from streams.storage.availability import availability_rows, objective_count
from streams.storage.clickhouse import connect, load_migrations, migrate
from streams.storage.learning import recurring_rows, review_rows
from streams.storage.report import ReportQuery, report_rows

SAMPLE = project_root() / "samples" / "events.jsonl"


def _worker_env(settings: Settings, url: str) -> dict[str, str]:
    # The demo's own broker is PLAINTEXT: drop any Kafka security variables; its
    # ClickHouse is the one chosen here (embedded, or the demo's own server).
    drop = (
        "MTTR_KAFKA_SECURITY_PROTOCOL",
        "MTTR_KAFKA_SASL_",
        "MTTR_KAFKA_SSL_",
        "MTTR_CLICKHOUSE_",
    )
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(drop)}
    password = settings.resolved_clickhouse_password()
    if password is not None and not url.startswith("chdb://"):
        env["MTTR_CLICKHOUSE_PASSWORD"] = password
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
        **kafka_python_options(settings),
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
    help="JSON-lines events to publish first (hand-checked examples).",
)
@click.option("--services", type=click.IntRange(0, 500), default=12, show_default=True,
              help="Services in the simulated history (0: none).")  # fmt: skip
@click.option("--days", type=click.IntRange(1, 730), default=90, show_default=True,
              help="Days of simulated history, ending today (UTC).")  # fmt: skip
@click.option("--seed", type=int, default=1, show_default=True, help="Simulation seed.")
@click.option(
    "--clean", is_flag=True, help="Delete var/demo/ afterwards (default: keep the database)."
)
@click.option(
    "--clickhouse",
    "engine",
    type=click.Choice(["embedded", "server"]),
    default="embedded",
    show_default=True,
    help="Embedded chDB, or a local ClickHouse server (`mttr clickhouse`) the worker "
    "writes to over HTTP, as several workers would.",
)
def demo(sample: Path, services: int, days: int, seed: int, clean: bool, engine: str) -> None:
    """Run the whole pipeline on this machine, print the MTTR report, stop everything.

    Starts Kafka and the worker, publishes the sample events and a simulated
    history (DAYS days of SERVICES services), waits until every event is
    processed, and prints the events, the sample's incidents, the MTTR
    report, DORA's keys per team, the availability and error budgets of
    the last full month and the current one, last month's reviews and the
    top recurring failures (samples/owners.yaml and
    samples/objectives.yaml are loaded through the worker). Everything runs
    under var/demo/ on free ports; every process it starts is stopped at the
    end, also on errors or Ctrl-C. The database is kept (unless --clean) so
    `mttr report` can query it again.
    """
    base = load_settings()
    root = (base.var_dir / "demo").resolve()
    shutil.rmtree(root, ignore_errors=True)
    console = Console(width=None if sys.stdout.isatty() else 140)
    settings = base.model_copy(
        update={
            "var_dir": root,
            "web_port": local.free_port(),
            "kafka_bootstrap": "",
            # the demo's own broker has a PLAINTEXT listener only
            "kafka_security_protocol": "PLAINTEXT",
            "kafka_sasl_username": None,
            "kafka_sasl_password": None,
            "kafka_ssl_cafile": None,
            "kafka_ssl_certfile": None,
            "kafka_ssl_keyfile": None,
        }
    )
    url = f"chdb://{root / 'chdb'}"
    worker: subprocess.Popen[bytes] | None = None
    broker_dir, server_dir = root / "kafka", root / "clickhouse-server"
    try:
        console.print("[bold]1/6[/] starting Kafka ...")
        state, _ = local.start(
            broker_dir,
            port=local.free_port(),
            cache_dir=base.resolved_kafka_cache_dir(),
            kafka_version=base.kafka_version,
            heap=base.kafka_heap,
        )
        settings = settings.model_copy(update={"kafka_bootstrap": state.bootstrap})
        console.print(f"      Kafka {state.kafka_version} on {state.bootstrap} (pid {state.pid})")

        if engine == "server":
            url = _start_server(server_dir, settings, console)
            settings = settings.model_copy(update={"clickhouse_url": SecretStr(url)})
            console.print(f"[bold]2/6[/] migrating ClickHouse (server {url}) ...")
        else:
            console.print(
                f"[bold]2/6[/] migrating ClickHouse (embedded chDB at {root / 'chdb'}) ..."
            )
        client = connect(settings)
        migrate(client, load_migrations())
        client.close()

        console.print("[bold]3/6[/] starting the worker ...")
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

        console.print(f"[bold]4/6[/] publishing {sample.name} ...")
        bad = publish_sample(sample, settings, console)

        end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        history_start = end - timedelta(days=days)
        if services:
            console.print(
                f"[bold]5/6[/] simulating {days} days of {services} services (seed {seed}) ..."
            )
            history = generate(services, days, seed, end, Profile(changes_per_deploy=2.0))
            _publish_history(history, settings, console)
        else:
            console.print("[bold]5/6[/] no simulated history (--services 0)")
        with console.status("      waiting for the worker to process everything ..."):
            wait_processed(settings, timeout=900)
        load_references(settings, console)  # the worker answers by now (it holds chDB)
        stop_process(worker)
        if worker.returncode not in (0, -signal.SIGTERM):
            fail(f"worker exited with code {worker.returncode}")
        worker = None

        console.print("[bold]6/6[/] read back from ClickHouse:")
        client = connect(settings)
        try:
            console.print(events_table(client))
            console.print(
                incidents_table(
                    client,
                    started_before=history_start if services else None,
                    title=f"incidents of {sample.name} (worked examples: docs/incident-model.md)",
                )
            )
            console.print(report_table(report_rows(client, ReportQuery())))
            console.print(dora_team_table(client))
            console.print(
                availability_table(
                    availability_rows(client, ReportQuery(), months=2),
                    title="Availability and error budgets, last month and this month so far "
                    "(mttr.availability_monthly)",
                )
            )
            if not objective_count(client):
                console.print(f"      {NO_OBJECTIVES}")
            _learning(client, console)
            html = root / "report.html"
            html.write_text(render(collect(client, ReportQuery()), datetime.now(UTC)), "utf-8")
        finally:
            client.close()
        for offset, reason in _dead_letters(settings, len(bad)):
            console.print(f"      dead-letter <- alerts@{offset}: {reason}")
        if not clean:
            console.print(f"      HTML report (opens offline): {html}")
            again = f"MTTR_VAR_DIR={root}"
            if engine == "server":
                console.print(f"      database kept: mttr clickhouse start --data-dir {server_dir}")
                again = "MTTR_CLICKHOUSE_URL=<the URL it prints>"
            console.print(f"      the same numbers as JSON: {again} mttr report --format json")
    except MttrError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        console.print("interrupted; cleaning up")
    finally:
        if worker is not None:
            stop_process(worker)
        stopped_server = clickhouse_server.stop(server_dir) is not None
        if local.stop(broker_dir) is not None:
            what = "Kafka, ClickHouse and the worker" if stopped_server else "Kafka and the worker"
            console.print(f"stopped {what}; nothing left running")
        time.sleep(0.2)
        shutil.rmtree(root if clean else broker_dir, ignore_errors=True)


def _learning(client: Client, console: Console) -> None:
    """Print last month's review compliance (where required) and the top recurring failures."""
    last = (datetime.now(UTC).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    reviews = [
        r for r in review_rows(client, ReportQuery())
        if str(r["month"])[:7] == last and r["review_required"]
    ]  # fmt: skip
    title = f"Reviews (postmortems) of the incidents resolved in {last} (mttr.review_compliance)"
    console.print(review_table(reviews, title=title))
    recurring = recurring_rows(client, ReportQuery())[:8]
    title = "Recurring failures, most recurrences within 30 days first (mttr.recurring_failures)"
    console.print(recurring_table(recurring, title=title))


def _publish_history(events: list[dict[str, Any]], settings: Settings, console: Console) -> None:
    producer = make_producer(settings)
    try:
        publish_with_progress(events, settings, producer, console)
    finally:
        producer.close()
    console.print(f"      {len(events)} simulated events published")


def _start_server(server_dir: Path, settings: Settings, console: Console) -> str:
    """Start the demo's ClickHouse server on free ports; return the writer's URL."""
    state, _ = clickhouse_server.start(
        server_dir,
        http_port=local.free_port(),
        tcp_port=local.free_port(),
        writer_password=settings.resolved_clickhouse_password(),
        reader_password=None,
    )
    console.print(f"      ClickHouse server on {state.url} (pid {state.pid})")
    return state.url
