"""``mttr kafka start|stop|status``: the local single-node Kafka broker."""

from __future__ import annotations

from pathlib import Path

import click

from streams.cli.common import env_help, fail, load_settings, setup_logging
from streams.devtools.broker import local
from streams.errors import BrokerError

ENV = ["var_dir", "kafka_version", "kafka_cache_dir", "kafka_heap"]
SASL_ENV = ["kafka_security_protocol", "kafka_sasl_username", "kafka_sasl_password"]
DATA_DIR_HELP = "Broker data directory [default: $MTTR_VAR_DIR/kafka]."


def _data_dir(option: Path | None) -> Path:
    return option if option is not None else load_settings().var_dir / "kafka"


@click.group(epilog=env_help(ENV))
def kafka() -> None:
    """Run a real Apache Kafka broker (KRaft, single node) on 127.0.0.1, no Docker.

    The jars come from Maven Central (fetched once with Maven into a cache
    folder); the broker runs in the background until `mttr kafka stop`.
    """


@kafka.command(epilog=env_help(ENV + SASL_ENV))
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=9092,
    show_default=True,
    help="Client port on 127.0.0.1.",
)
@click.option("--data-dir", type=click.Path(path_type=Path), help=DATA_DIR_HELP)
@click.option(
    "--timeout",
    type=float,
    default=90.0,
    show_default=True,
    help="Seconds to wait for the broker to accept connections.",
)
@click.option(
    "--sasl",
    is_flag=True,
    help=(
        "Serve SASL_PLAINTEXT (SCRAM-SHA-256/512, PLAIN) instead of PLAINTEXT, for the user "
        "MTTR_KAFKA_SASL_USERNAME; needs MTTR_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT and a "
        "new data directory."
    ),
)
def start(port: int, data_dir: Path | None, timeout: float, sasl: bool) -> None:
    """Start the broker and wait until it serves requests.

    Prints the bootstrap address (127.0.0.1:PORT) as the last line of stdout.
    """
    settings = load_settings()
    setup_logging(settings)
    sasl_users = None
    if sasl:
        if settings.kafka_security_protocol != "SASL_PLAINTEXT":
            fail(
                "--sasl needs MTTR_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT plus "
                "MTTR_KAFKA_SASL_USERNAME and MTTR_KAFKA_SASL_PASSWORD (no TLS locally)"
            )
        if settings.kafka_sasl_username is None or settings.kafka_sasl_password is None:
            fail("--sasl needs MTTR_KAFKA_SASL_USERNAME and MTTR_KAFKA_SASL_PASSWORD")
        sasl_users = {settings.kafka_sasl_username: settings.kafka_sasl_password.get_secret_value()}
    directory = _data_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    cache = settings.resolved_kafka_cache_dir()
    if not (cache / ".complete").exists():
        click.echo(
            f"Fetching Apache Kafka {settings.kafka_version} with Maven (first run only)...",
            err=True,
        )
    try:
        state, started = local.start(
            directory,
            port=port,
            cache_dir=cache,
            kafka_version=settings.kafka_version,
            heap=settings.kafka_heap,
            timeout=timeout,
            sasl_users=sasl_users,
        )
    except BrokerError as exc:
        fail(str(exc))
    if started:
        click.echo(f"Kafka {state.kafka_version} started (pid {state.pid}, data {state.data_dir})")
    else:
        click.echo(
            f"Kafka is already running (pid {state.pid}, data {state.data_dir}); leaving it as is"
        )
    click.echo(state.bootstrap)


@kafka.command(epilog=env_help(["var_dir"]))
@click.option("--data-dir", type=click.Path(path_type=Path), help=DATA_DIR_HELP)
def stop(data_dir: Path | None) -> None:
    """Stop the broker (SIGTERM, then SIGKILL after 30 s)."""
    state = local.stop(_data_dir(data_dir))
    if state is None:
        click.echo("Kafka is not running")
    else:
        click.echo(f"Kafka stopped (pid {state.pid}, was {state.bootstrap})")


@kafka.command(epilog=env_help(["var_dir"]))
@click.option("--data-dir", type=click.Path(path_type=Path), help=DATA_DIR_HELP)
def status(data_dir: Path | None) -> None:
    """Show whether the broker runs; exit code 0 if it does, 3 if not."""
    state = local.read_state(_data_dir(data_dir))
    if state is None:
        click.echo("Kafka is not running")
        raise SystemExit(3)
    healthy = local.port_open(state.port)
    click.echo(
        f"Kafka {state.kafka_version} is running (pid {state.pid}, "
        f"{'accepting connections' if healthy else 'NOT accepting connections'}, "
        f"data {state.data_dir})"
    )
    click.echo(state.bootstrap)
