"""``mttr publish FILE.jsonl``: validate event lines and publish the valid ones."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import BinaryIO

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from streams.cli.common import env_help, fail, load_settings, setup_logging
from streams.kafka.publish import make_producer, publish_lines
from streams.kafka.topics import ensure_topics

ENV = [
    "kafka_bootstrap",
    "topic_alerts",
    "topic_deploys",
    "topic_tickets",
    "topic_changes",
    "topic_partitions",
    "max_message_bytes",
]
MAX_SHOWN = 50


def _numbered(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    yield from enumerate(stream, start=1)


@click.command(epilog=env_help(ENV))
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Validate only; publish nothing.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar [default: on for files over 1 MiB on a terminal].",
)
def publish(file: BinaryIO, dry_run: bool, progress: bool | None) -> None:
    """Validate FILE (JSON lines, `-` for stdin) and publish each valid event.

    Events go to the topic of their type, keyed by service (murmur2, as Java
    clients partition). Invalid lines are reported with their line number and
    reason; the exit code is 1 if any line was invalid or not acknowledged.
    """
    settings = load_settings()
    setup_logging(settings)
    producer = None
    if not dry_run:
        try:
            ensure_topics(settings)
            producer = make_producer(settings)
        except Exception as exc:  # noqa: BLE001
            fail(f"cannot reach Kafka at {settings.kafka_bootstrap}: {exc}")
    size = os.fstat(file.fileno()).st_size if file is not sys.stdin.buffer else 0
    show = progress if progress is not None else (size > 1024 * 1024 and sys.stderr.isatty())
    console = Console(stderr=True)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not show,
    ) as bar:
        task = bar.add_task("publishing" if producer else "validating", total=size or None)
        report = publish_lines(
            _numbered(file), settings, producer, on_line=lambda n: bar.advance(task, n)
        )
    if producer is not None:
        producer.close()
    for number, reason in report.invalid[:MAX_SHOWN]:
        click.echo(f"{file.name}:{number}: invalid event: {reason}", err=True)
    if len(report.invalid) > MAX_SHOWN:
        click.echo(f"... and {len(report.invalid) - MAX_SHOWN} more invalid lines", err=True)
    for number, reason in report.failed[:MAX_SHOWN]:
        click.echo(f"{file.name}:{number}: not published: {reason}", err=True)
    verb = "Validated" if dry_run else "Published"
    topics = ", ".join(f"{t}={n}" for t, n in sorted(report.by_topic.items())) or "none"
    click.echo(
        f"{verb} {report.published} events ({topics}); "
        f"{len(report.invalid)} invalid, {len(report.failed)} failed"
    )
    if report.invalid or report.failed:
        sys.exit(1)
