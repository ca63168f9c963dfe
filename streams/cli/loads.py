"""What ``mttr owners`` and ``mttr objectives`` share: options, the load, the list.

Both commands load a reference table by source from a checked file and list
its periods (``storage/sources.py``), through a running worker or directly
(``owners_target.Target``). A :class:`Commands` names one table's words (what
its rows are called, its terminal table); the options, the problem report,
the summary line and the ``json``/``csv``/``table`` output are made once
here, so both commands say the same in the same way.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import click
from rich.console import Console
from rich.table import Table

from streams.cli.common import fail, load_settings, setup_logging
from streams.cli.owners_target import Target
from streams.storage.owners.rows import (
    Checked,
    Keyed,
    Problem,
    check_name,
    describe_start,
    parse_time,
)

ENV = ["clickhouse_url", "clickhouse_password", "clickhouse_password_file", "web_host",
       "web_port", "var_dir"]  # fmt: skip
MAX_SHOWN = 50
END = "2100-01-01T00:00:00Z"  # valid_until of a period still in force
F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R", bound=Keyed)

CHECK = click.option(
    "--check", is_flag=True, help="Only validate and report problems; write nothing."
)
"""``--check``: validate only."""


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


def _choice(*decls: str, choices: list[str], help: str) -> Callable[[F], F]:  # noqa: A002
    """Return an option taking one of ``choices``, the first by default (shown in the help)."""
    return click.option(
        *decls, type=click.Choice(choices), default=choices[0], show_default=True, help=help
    )


def via_option(page: str) -> Callable[[F], F]:
    """Return the ``--via`` option of a command whose worker page is ``page``."""
    return _choice(
        "--via",
        choices=["auto", "worker", "direct"],
        help="Embedded chDB (held by a running worker): go through the worker's web port "
        f"({page}). auto: the worker if one answers, else ClickHouse directly.",
    )


def source_option(default: str, more: str = "") -> Callable[[F], F]:
    """Return the ``--source`` option (default ``default``; ``more`` ends its help)."""
    return click.option(
        "--source",
        default=default,
        show_default=True,
        callback=source_name,
        help="The name the rows are stored under. A load replaces every row of its source: "
        "rows of that source not given any more are removed, other sources are untouched." + more,
    )


def list_options(page: str, rows: str, one: str) -> Callable[[F], F]:
    """Return the options of a ``list`` command: ``--service``, ``--at``, ``--format``, ``--via``.

    ``rows`` names what ``--at`` filters (``periods``), ``one`` one of them
    (``a period``).
    """

    def decorate(command: F) -> F:
        for option in (
            click.option("--service", help="Only this service."),
            click.option(
                "--at",
                callback=rfc3339_time,
                metavar="TIME",
                help=f"Only the {rows} in force at this RFC 3339 time.",
            ),
            _choice(
                "--format",
                "fmt",
                choices=["table", "json", "csv"],
                help="table for people; json and csv give RFC 3339 times (valid_until "
                f"{END} for {one} still in force).",
            ),
            via_option(page),
        )[::-1]:
            command = option(command)
        return command

    return decorate


def refuse_problems(problems: Sequence[Problem], what: str) -> None:
    """Print the first ``MAX_SHOWN`` problems and exit 1 when there is any."""
    for problem in problems[:MAX_SHOWN]:
        click.echo(f"error: {problem}", err=True)
    if len(problems) > MAX_SHOWN:
        click.echo(f"... and {len(problems) - MAX_SHOWN} more problems", err=True)
    if problems:
        fail(f"{len(problems)} problems in {what}; nothing loaded")


def since(row: dict[str, Any]) -> str:
    """Return a listed period's start for people: ``the beginning`` or RFC 3339."""
    start = datetime.fromisoformat(row["valid_from"]).astimezone(UTC)
    return describe_start(start).removeprefix("from ")


def until(row: dict[str, Any]) -> str:
    """Return a listed period's end for people: empty while it is in force."""
    return "" if row["valid_until"] == END else str(row["valid_until"])


@dataclass(frozen=True)
class Commands(Generic[R]):
    """One reference table's ``load`` and ``list``.

    Attributes:
        target: Where the table is reached (worker page or ClickHouse).
        noun: What its rows are called in the ``--check`` line, e.g.
            ``ownership periods``.
        title: The title of the terminal table.
        headers: The terminal table's columns.
        cells: A listed period to the terminal table's cells.
        empty: What ``list`` says when there is no period.
    """

    target: Target[R]
    noun: str
    title: str
    headers: tuple[str, ...]
    cells: Callable[[dict[str, Any]], list[str]]
    empty: str

    def load(self, parsed: Checked[R], what: str, source: str, via: str, check: bool) -> None:
        """Report the problems (exit 1) or load the rows (or only count them with ``check``)."""
        refuse_problems(parsed.problems, what)
        if check:
            click.echo(f"{what}: {len(parsed.rows)} valid {self.noun}; nothing written")
            return
        settings = load_settings()
        setup_logging(settings)
        result, through = self.target.load_rows(settings, via, source, parsed.rows)
        click.echo(
            f"Loaded {what} as source {source!r}{through}: {result['added']} added, "
            f"{result['changed']} changed, {result['removed']} removed, "
            f"{result['unchanged']} unchanged"
        )

    def show(self, service: str | None, at: datetime | None, fmt: str, via: str) -> None:
        """Print the periods (optionally of one service, at one instant) as ``fmt``."""
        settings = load_settings()
        setup_logging(settings)
        rows = self.target.list_periods(settings, via, service, at)
        if fmt == "json":
            click.echo(json.dumps(rows, indent=2))
        elif fmt == "csv":
            columns = list(self.target.table.period_columns)
            writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        elif not rows:
            click.echo(self.empty)
        else:
            Console(width=None if sys.stdout.isatty() else 140).print(self._table(rows))

    def _table(self, rows: list[dict[str, Any]]) -> Table:
        table = Table(title=self.title, title_justify="left")
        for column in self.headers:
            table.add_column(column)
        for row in rows:
            table.add_row(*self.cells(row))
        return table
