"""``mttr simulate``: publish a realistic, deterministic incident history."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from streams.cli.common import env_help, fail, load_settings, setup_logging
from streams.publish import make_producer
from streams.simulate import simulate as generate
from streams.topics import ensure_topics

ENV = ["kafka_bootstrap", "topic_alerts", "topic_deploys", "topic_tickets", "topic_partitions"]


@click.command(epilog=env_help(ENV))
@click.option("--services", type=click.IntRange(1, 10_000), default=12, show_default=True)
@click.option("--days", type=click.IntRange(1, 3650), default=90, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same events.")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Last day of the history (UTC) [default: today].")  # fmt: skip
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="Write the events as JSON lines to this file instead of publishing.",
)
def simulate(
    services: int, days: int, seed: int, end: datetime | None, output: Path | None
) -> None:
    """Publish DAYS of alerts, deploys and tickets for SERVICES services.

    Poisson incident arrivals, a severity mix, lognormal repair times by
    severity, flapping alerts, tickets acknowledged minutes later, daily
    deploys (some cause incidents), rollbacks and a few security incidents.
    """
    settings = load_settings()
    setup_logging(settings)
    day = end or datetime.now(UTC)
    last = day.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=UTC)
    events = generate(services, days, seed, last)
    if output is not None:
        output.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
        click.echo(f"Wrote {len(events)} events to {output}")
        return
    try:
        ensure_topics(settings)
        producer = make_producer(settings)
    except Exception as exc:  # noqa: BLE001
        fail(f"cannot reach Kafka at {settings.kafka_bootstrap}: {exc}")
    topics = {kind: topic for topic, kind in settings.topic_types.items()}
    failed: list[str] = []
    with Progress(
        "publishing",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not sys.stderr.isatty(),
    ) as bar:
        task = bar.add_task("publishing", total=len(events))
        for event in events:
            future = producer.send(
                topics[event["type"]], key=event["service"].encode(), value=orjson.dumps(event)
            )
            future.add_errback(lambda exc: failed.append(str(exc)))
            bar.advance(task)
        producer.flush()
    producer.close()
    if failed:
        fail(f"{len(failed)} events were not acknowledged, e.g. {failed[0]}")
    counts = {kind: sum(1 for e in events if e["type"] == kind) for kind in topics}
    summary = ", ".join(f"{kind}s={n}" for kind, n in counts.items())
    click.echo(f"Published {len(events)} events ({summary}) for {services} services "
               f"over {days} days (seed {seed})")  # fmt: skip
