"""``mttr clickhouse start|stop|status``: a local ClickHouse server from the chdb-core wheel."""

from __future__ import annotations

from pathlib import Path

import click

from streams.cli.common import env_help, fail, load_settings, setup_logging
from streams.devtools.clickhouse import server
from streams.devtools.clickhouse.config import READER, WRITER

ENV = ["var_dir", "clickhouse_password", "clickhouse_password_file", "clickhouse_reader_password"]
DATA_DIR_HELP = "Server directory (config, data, logs) [default: $MTTR_VAR_DIR/clickhouse-server]."


def _server_dir(option: Path | None) -> Path:
    return option if option is not None else load_settings().var_dir / "clickhouse-server"


@click.group(epilog=env_help(ENV))
def clickhouse() -> None:
    """Run a local ClickHouse server (HTTP and native TCP on 127.0.0.1), no Docker.

    The same engine as embedded chDB (the chdb-core wheel), serving clients the
    way a clickhouse-server does: several workers, Grafana and analysts at once.
    It is the local and test server; run clickhouse-server in production.

    \b
    Users (passwords from the environment, stored hashed, never printed):
      mttr         read-write: migrate, workers     MTTR_CLICKHOUSE_PASSWORD
      mttr_reader  read-only: Grafana, reports      MTTR_CLICKHOUSE_READER_PASSWORD
    """


@clickhouse.command(epilog=env_help(ENV))
@click.option(
    "--http-port", type=click.IntRange(1, 65535), default=8123, show_default=True,
    help="HTTP port on 127.0.0.1 (clickhouse-connect, Grafana, curl).",
)  # fmt: skip
@click.option(
    "--tcp-port", type=click.IntRange(1, 65535), default=9000, show_default=True,
    help="Native TCP port on 127.0.0.1 (clickhouse-client).",
)  # fmt: skip
@click.option("--data-dir", type=click.Path(path_type=Path), help=DATA_DIR_HELP)
@click.option(
    "--timeout", type=float, default=60.0, show_default=True,
    help="Seconds to wait for the server to answer /ping.",
)  # fmt: skip
def start(http_port: int, tcp_port: int, data_dir: Path | None, timeout: float) -> None:
    """Start the server and wait until it answers.

    The last line of stdout is the URL a worker needs (no password in it):
    MTTR_CLICKHOUSE_URL=<that line>, plus MTTR_CLICKHOUSE_PASSWORD if set.
    """
    settings = load_settings()
    setup_logging(settings)
    reader = settings.clickhouse_reader_password
    try:
        state, started = server.start(
            _server_dir(data_dir),
            http_port=http_port,
            tcp_port=tcp_port,
            writer_password=settings.resolved_clickhouse_password(),
            reader_password=reader.get_secret_value() if reader is not None else None,
            timeout=timeout,
        )
    except (server.ServerError, OSError) as exc:
        fail(str(exc))
    if started:
        click.echo(f"ClickHouse started (pid {state.pid}, data {state.data_dir})")
    else:
        click.echo(
            f"ClickHouse is already running (pid {state.pid}, data {state.data_dir}); "
            "leaving it as is"
        )
    _describe(state)
    click.echo(state.url)


def _describe(state: server.ServerState) -> None:
    click.echo(f"  http://127.0.0.1:{state.http_port}/  native tcp 127.0.0.1:{state.tcp_port}")
    click.echo(f"  read-only (Grafana, mttr report): {state.reader_url}")
    click.echo(f"  read-write ({WRITER}: migrate, workers) below; users {WRITER}, {READER}")


@clickhouse.command(epilog=env_help(["var_dir"]))
@click.option("--data-dir", type=click.Path(path_type=Path), help=DATA_DIR_HELP)
def stop(data_dir: Path | None) -> None:
    """Stop the server (SIGTERM, then SIGKILL after 30 s)."""
    state = server.stop(_server_dir(data_dir))
    if state is None:
        click.echo("ClickHouse is not running")
    else:
        click.echo(f"ClickHouse stopped (pid {state.pid}, was {state.url})")


@clickhouse.command(epilog=env_help(["var_dir"]))
@click.option("--data-dir", type=click.Path(path_type=Path), help=DATA_DIR_HELP)
def status(data_dir: Path | None) -> None:
    """Show whether the server runs; exit code 0 if it does, 3 if not."""
    state = server.read_state(_server_dir(data_dir))
    if state is None:
        click.echo("ClickHouse is not running")
        raise SystemExit(3)
    healthy = server.pings(state.http_port)
    click.echo(
        f"ClickHouse is running (pid {state.pid}, "
        f"{'answering' if healthy else 'NOT answering'} /ping, data {state.data_dir})"
    )
    _describe(state)
    click.echo(state.url)
