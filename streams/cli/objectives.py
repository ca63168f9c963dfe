"""``mttr objectives``: load and list the availability objectives (SLOs) behind error budgets.

Parsing, checking and the ``--via`` rule are those of ``mttr owners``
(``storage/rowfiles.py``, ``cli/owners_target.py``): with the embedded chDB
a running worker is asked on ``/mttr/objectives/``, else ClickHouse directly.
"""

from __future__ import annotations

import csv
import json
import sys
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from streams.cli.common import env_help, load_settings, setup_logging
from streams.cli.owners import END, ENV, refuse_problems, rfc3339_time, source_name
from streams.cli.owners_target import through, worker_url
from streams.settings import Settings
from streams.storage.objectives.files import parse_objective_file
from streams.storage.objectives.rows import ObjectiveRow
from streams.storage.objectives.table import PERIOD_COLUMNS, TABLE, periods, replace_source
from streams.storage.objectives.wire import to_body
from streams.storage.owners.rows import describe_start, format_time

PAGE = "/mttr/objectives/"
_VIA = click.option(
    "--via",
    type=click.Choice(["auto", "worker", "direct"]),
    default="auto",
    show_default=True,
    help="Embedded chDB (held by a running worker): go through the worker's web port "
    f"({PAGE}). auto: the worker if one answers, else ClickHouse directly.",
)


@click.group(epilog=env_help(ENV, note="docs/objectives.md describes the formats and rules."))
def objectives() -> None:
    """Availability objectives (SLOs): the error budget of every service and month.

    The objective of a service in an environment for a month is the one in
    force at the month's start; mttr.availability_monthly reads them at query
    time, so a new load re-computes every month's budget.
    """


@objectives.command("load", epilog=env_help(ENV))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_VIA
@click.option(
    "--source",
    default="file",
    show_default=True,
    callback=source_name,
    help="The name the rows are stored under. A load replaces every row of its source: "
    "rows of that source not given any more are removed, other sources are untouched.",
)
@click.option("--check", is_flag=True, help="Only validate and report problems; write nothing.")
def load(file: Path, via: str, source: str, check: bool) -> None:
    """Load FILE (.yaml/.yml or .csv) as the availability objectives of its source.

    \b
    YAML: a list of mappings:
      - service: checkout
        environment: prod
        objective: 0.999                    # 99.9%, from the beginning
      - service: checkout
        environment: prod
        objective: 0.9995
        min_severity: medium                # default high
        valid_from: 2026-07-01T00:00:00Z    # RFC 3339 with offset
    CSV: a header line service,environment,objective,valid_from (and
    optionally min_severity), then one row per line.

    Every problem is printed as FILE:LINE: reason and nothing is loaded (exit
    1). Loading the same file again changes nothing.
    """  # noqa: D301 - \b is click's verbatim marker
    parsed = parse_objective_file(file)
    refuse_problems(parsed.problems, file.name)
    if check:
        click.echo(f"{file.name}: {len(parsed.rows)} valid objective periods; nothing written")
        return
    settings = load_settings()
    setup_logging(settings)
    result, how = load_rows(settings, via, source, parsed.rows)
    click.echo(
        f"Loaded {file.name} as source {source!r}{how}: {result['added']} added, "
        f"{result['changed']} changed, {result['removed']} removed, "
        f"{result['unchanged']} unchanged"
    )


def load_rows(
    settings: Settings, via: str, source: str, rows: Sequence[ObjectiveRow]
) -> tuple[dict[str, Any], str]:
    """Replace ``source``'s objectives through the worker or directly.

    Returns the load's counts (``LoadResult.as_json``) and `` through the
    worker`` or an empty string, for the summary line.
    """
    request = urllib.request.Request(  # noqa: S310 - http:// to the configured worker only
        worker_url(settings, page=PAGE),
        data=json.dumps(to_body(source, rows)).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    answer, direct = through(
        settings, via, request,
        lambda client: replace_source(client, source, rows, datetime.now(UTC)).as_json(),
        page=PAGE, table=TABLE,
    )  # fmt: skip
    if answer is not None:
        return answer, " through the worker"
    assert direct is not None  # noqa: S101 - through returns one of the two
    return direct, ""


@objectives.command("list", epilog=env_help(ENV))
@click.option("--service", help="Only this service.")
@click.option(
    "--at",
    callback=rfc3339_time,
    metavar="TIME",
    help="Only the objectives in force at this RFC 3339 time.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table for people; json and csv give RFC 3339 times (valid_until "
    f"{END} for an objective still in force).",
)
@_VIA
def list_objectives(service: str | None, at: datetime | None, fmt: str, via: str) -> None:
    """List the objective periods (mttr.availability_objective_periods) in key order."""
    settings = load_settings()
    setup_logging(settings)
    query = {"service": service or "", "at": format_time(at) if at else ""}
    request = urllib.request.Request(  # noqa: S310
        worker_url(settings, {k: v for k, v in query.items() if v}, page=PAGE)
    )
    answer, direct = through(
        settings, via, request, lambda c: periods(c, service, at), page=PAGE, table=TABLE
    )
    rows = list(answer.get("periods", [])) if answer is not None else direct or []
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(PERIOD_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    elif not rows:
        click.echo("No availability objectives: load some with `mttr objectives load FILE`.")
    else:
        Console(width=None if sys.stdout.isatty() else 140).print(_table(rows))


def _table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="Availability objectives", title_justify="left")
    for column in ("service", "environment", "objective", "counts", "from", "until", "source"):
        table.add_column(column)
    for row in rows:
        start = datetime.fromisoformat(row["valid_from"]).astimezone(UTC)
        table.add_row(
            row["service"],
            row["environment"],
            f"{row['objective'] * 100:g}%",
            f"{row['min_severity']} or worse",
            describe_start(start).removeprefix("from "),
            "" if row["valid_until"] == END else row["valid_until"],
            row["source"],
        )
    return table
