"""``mttr simulate``: publish a realistic, deterministic incident history."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
import orjson
from rich.console import Console

from streams.cli.common import env_help, fail, load_settings, publish_with_progress, setup_logging
from streams.devtools.simulate import Profile
from streams.devtools.simulate import simulate as generate
from streams.kafka.publish import make_producer
from streams.kafka.topics import ensure_topics

ENV = [
    "kafka_bootstrap",
    "topic_alerts",
    "topic_deploys",
    "topic_tickets",
    "topic_changes",
    "topic_partitions",
]


@click.command(epilog=env_help(ENV))
@click.option("--services", type=click.IntRange(1, 10_000), default=12, show_default=True,
              help="Number of services (checkout, payments, search, ...).")  # fmt: skip
@click.option("--days", type=click.IntRange(1, 3650), default=90, show_default=True,
              help="Days of history, ending the day before --end.")  # fmt: skip
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same events.")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Last day of the history (UTC) [default: today].")  # fmt: skip
@click.option("--changes-per-deploy", type=click.FloatRange(0, 50), default=2.0, show_default=True,
              help="Mean number of changes landed before each release or config deploy "
                   "(0: no change events).")  # fmt: skip
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="Write the events as JSON lines to this file instead of publishing.",
)
def simulate(
    services: int,
    days: int,
    seed: int,
    end: datetime | None,
    changes_per_deploy: float,
    output: Path | None,
) -> None:
    """Publish DAYS of alerts, deploys, tickets and changes for SERVICES services.

    Poisson incident arrivals, a severity mix, lognormal repair times by
    severity, flapping alerts, tickets acknowledged minutes later, daily
    deploys (some cause incidents), rollbacks, a few security incidents,
    failures that recur (the same alert on the same service again), postmortems
    (ticket status postmortem) for about 80% of the critical and high incidents
    with a ticket (some weeks later), and the changes the deploys ship (merged
    pull requests and direct pushes, some still pending), for lead time.
    """
    settings = load_settings()
    setup_logging(settings)
    day = end or datetime.now(UTC)
    last = day.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=UTC)
    events = generate(services, days, seed, last, Profile(changes_per_deploy=changes_per_deploy))
    if output is not None:
        output.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
        click.echo(f"Wrote {len(events)} events to {output}")
        return
    try:
        ensure_topics(settings)
        producer = make_producer(settings)
    except Exception as exc:  # noqa: BLE001
        fail(f"cannot reach Kafka at {settings.kafka_bootstrap}: {exc}")
    try:
        publish_with_progress(events, settings, producer, Console(stderr=True))
    finally:
        producer.close()
    counts = {
        kind: sum(1 for e in events if e["type"] == kind) for kind in settings.topic_types.values()
    }
    summary = ", ".join(f"{kind}s={n}" for kind, n in counts.items())
    click.echo(f"Published {len(events)} events ({summary}) for {services} services "
               f"over {days} days (seed {seed})")  # fmt: skip
