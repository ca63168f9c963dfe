"""``mttr owners``: load, import from Backstage and list which team owned which service when."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from streams.cli.common import env_help, fail, load_settings, setup_logging
from streams.cli.owners_target import list_periods, load_rows
from streams.storage.owners.backstage import catalog_files, parse_catalog_file
from streams.storage.owners.files import parse_owner_file
from streams.storage.owners.rows import (
    BEGINNING,
    Parsed,
    Problem,
    check_conflicts,
    check_name,
    describe_start,
    parse_time,
)
from streams.storage.owners.table import PERIOD_COLUMNS

ENV = ["clickhouse_url", "clickhouse_password", "clickhouse_password_file", "web_host",
       "web_port", "var_dir"]  # fmt: skip
MAX_SHOWN = 50
END = "2100-01-01T00:00:00Z"  # valid_until of a period still in force
F = TypeVar("F", bound=Callable[..., Any])


def source_name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """Check a ``--source`` value: the event contract's name rule."""
    reason = check_name(value)
    if reason:
        raise click.BadParameter(reason)
    return value


def rfc3339_time(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """Parse an optional RFC 3339 option value to UTC milliseconds."""
    try:
        return None if value is None else parse_time(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _common(source: str | None) -> Callable[[F], F]:
    """Decorate a command with ``--via`` and, for the loading commands, ``--source``."""

    def decorate(command: F) -> F:
        command = click.option(
            "--via",
            type=click.Choice(["auto", "worker", "direct"]),
            default="auto",
            show_default=True,
            help="Embedded chDB (held by a running worker): go through the worker's web port "
            "(/mttr/owners/). auto: the worker if one answers, else ClickHouse directly.",
        )(command)
        if source is None:
            return command
        return click.option(
            "--source",
            default=source,
            show_default=True,
            callback=source_name,
            help="The name the rows are stored under. A load replaces every row of its "
            "source: rows of that source not given any more are removed, other sources "
            "are untouched. Use one source per file when loading several.",
        )(command)

    return decorate


_CHECK = click.option(
    "--check", is_flag=True, help="Only validate and report problems; write nothing."
)


@click.group(epilog=env_help(ENV, note="docs/ownership.md describes the formats and rules."))
def owners() -> None:
    """Which team owned which service when: the team on every incident, deploy and change.

    A service's owner at time t is the team of its period with the greatest
    valid_from <= t; a service without one is (unowned). The views read the
    periods at query time, so a new load re-attributes all history.
    """


@owners.command("load", epilog=env_help(ENV))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_common(source="file")
@_CHECK
def load(file: Path, source: str, via: str, check: bool) -> None:
    """Load FILE (.yaml/.yml or .csv) as the ownership of its source.

    \b
    YAML: a list of mappings:
      - service: checkout
        team: payments                      # from the beginning
      - service: checkout
        team: storefront
        valid_from: 2026-03-15T00:00:00Z    # RFC 3339 with offset
    CSV: a header line service,team,valid_from, then one row per line.

    Every problem is printed as FILE:LINE: reason and nothing is loaded (exit
    1). Loading the same file again changes nothing.
    """
    _load(parse_owner_file(file), file.name, source, via, check)


@owners.command("import-backstage", epilog=env_help(ENV))
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@_common(source="backstage")
@click.option(
    "--valid-from",
    callback=rfc3339_time,
    metavar="TIME",
    help="RFC 3339 start of every imported period (Backstage keeps no history). "
    "[default: the beginning]",
)
@_CHECK
def import_backstage(
    paths: tuple[Path, ...], source: str, via: str, valid_from: datetime | None, check: bool
) -> None:
    """Import the owners of Backstage Components from catalog files or directories.

    Each PATH is a catalog-info.yaml (several documents allowed) or a
    directory searched for catalog-info.yaml files. Every entity of kind
    Component gives one row: metadata.name is the service, spec.owner the team
    (group: and default/ stripped). Other kinds are ignored. Problems are
    printed as FILE:LINE: reason and nothing is loaded (exit 1).
    """
    start = valid_from or BEGINNING
    files, problems = catalog_files(paths)
    parsed = Parsed(problems=tuple(problems))
    for path in files:
        parsed = parsed + parse_catalog_file(path, start)
    checked = check_conflicts(parsed.rows)
    parsed = Parsed(checked.rows, parsed.problems + checked.problems, parsed.ignored)
    what = f"{len(files)} catalog files ({parsed.ignored} other entities ignored)"
    _load(parsed, what, source, via, check)


def refuse_problems(problems: Sequence[Problem], what: str) -> None:
    """Print the first ``MAX_SHOWN`` problems and exit 1 when there is any."""
    for problem in problems[:MAX_SHOWN]:
        click.echo(f"error: {problem}", err=True)
    if len(problems) > MAX_SHOWN:
        click.echo(f"... and {len(problems) - MAX_SHOWN} more problems", err=True)
    if problems:
        fail(f"{len(problems)} problems in {what}; nothing loaded")


def _load(parsed: Parsed, what: str, source: str, via: str, check: bool) -> None:
    """Report the problems (exit 1) or load the rows (or only count them with ``check``)."""
    refuse_problems(parsed.problems, what)
    if check:
        click.echo(f"{what}: {len(parsed.rows)} valid ownership periods; nothing written")
        return
    settings = load_settings()
    setup_logging(settings)
    result, through = load_rows(settings, via, source, parsed.rows)
    click.echo(
        f"Loaded {what} as source {source!r}{through}: {result['added']} added, "
        f"{result['changed']} changed, {result['removed']} removed, "
        f"{result['unchanged']} unchanged"
    )


@owners.command("list", epilog=env_help(ENV))
@click.option("--service", help="Only this service.")
@click.option(
    "--at",
    callback=rfc3339_time,
    metavar="TIME",
    help="Only the periods in force at this RFC 3339 time.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table for people; json and csv give RFC 3339 times (valid_until "
    f"{END} for a period still in force).",
)
@_common(source=None)
def list_owners(service: str | None, at: datetime | None, fmt: str, via: str) -> None:
    """List the ownership periods (mttr.service_owner_periods) by service and start.

    Where two sources give the same service and valid_from, the row written
    last is the one shown and used.
    """
    settings = load_settings()
    setup_logging(settings)
    rows = list_periods(settings, via, service, at)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(PERIOD_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    elif not rows:
        click.echo("No ownership periods: load some with `mttr owners load FILE`.")
    else:
        Console(width=None if sys.stdout.isatty() else 140).print(_table(rows))


def _table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="Service owners", title_justify="left")
    for column in ("service", "team", "from", "until", "source", "loaded at"):
        table.add_column(column)
    for row in rows:
        start = datetime.fromisoformat(row["valid_from"]).astimezone(UTC)
        table.add_row(
            row["service"],
            row["team"],
            describe_start(start).removeprefix("from "),
            "" if row["valid_until"] == END else row["valid_until"],
            row["source"],
            row["loaded_at"],
        )
    return table
