"""``mttr migrate``: apply sql/*.sql to ClickHouse, idempotently."""

from __future__ import annotations

import click

from streams.cli.common import env_help, fail, load_settings, setup_logging
from streams.errors import MttrError
from streams.storage.clickhouse import connect, load_migrations
from streams.storage.clickhouse import migrate as apply_migrations

ENV = ["clickhouse_url", "clickhouse_password", "clickhouse_password_file", "var_dir"]


@click.command(epilog=env_help(ENV))
def migrate() -> None:
    """Create or update the `mttr` database, tables and views (safe to re-run)."""
    settings = load_settings()
    setup_logging(settings)
    try:
        migrations = load_migrations()
        client = connect(settings)
        try:
            changed = apply_migrations(client, migrations)
        finally:
            client.close()
    except MttrError as exc:
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - report driver errors without a traceback
        fail(f"migration against {settings.clickhouse_url_for_display()} failed: {exc}")
    target = settings.clickhouse_url_for_display()
    if changed:
        click.echo(
            f"Applied {len(migrations)} migrations to {target} (new or changed: "
            f"{', '.join(changed)})"
        )
    else:
        click.echo(f"Schema of {target} is up to date ({len(migrations)} migrations)")
