"""``mttr objectives``: load and list the availability objectives (SLOs) behind error budgets.

Parsing, checking, the options and the ``--via`` rule are those of ``mttr
owners`` (``storage/rowfiles.py``, ``cli/loads.py``, ``cli/owners_target.py``):
with the embedded chDB a running worker is asked on ``/mttr/objectives/``,
else ClickHouse directly.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from streams.cli import loads
from streams.cli.common import env_help
from streams.cli.loads import since, until
from streams.cli.owners_target import Target
from streams.storage.objectives.files import parse_objective_file
from streams.storage.objectives.rows import ObjectiveRow
from streams.storage.objectives.table import OBJECTIVES
from streams.storage.objectives.wire import to_body

PAGE = "/mttr/objectives/"


def _cells(row: dict[str, Any]) -> list[str]:
    return [
        row["service"],
        row["environment"],
        f"{row['objective'] * 100:g}%",
        f"{row['min_severity']} or worse",
        since(row),
        until(row),
        row["source"],
    ]


COMMANDS: loads.Commands[ObjectiveRow] = loads.Commands(
    target=Target(OBJECTIVES, PAGE, to_body),
    noun="objective periods",
    title="Availability objectives",
    headers=("service", "environment", "objective", "counts", "from", "until", "source"),
    cells=_cells,
    empty="No availability objectives: load some with `mttr objectives load FILE`.",
)
load_rows = COMMANDS.target.load_rows
"""Replace a source's objectives through the worker or directly (``Target.load_rows``)."""


@click.group(epilog=env_help(loads.ENV, note="docs/objectives.md describes the formats and rules."))
def objectives() -> None:
    """Availability objectives (SLOs): the error budget of every service and month.

    The objective of a service in an environment for a month is the one in
    force at the month's start; mttr.availability_monthly reads them at query
    time, so a new load re-computes every month's budget.
    """


@objectives.command("load", epilog=env_help(loads.ENV))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@loads.via_option(PAGE)
@loads.source_option("file")
@loads.CHECK
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
    COMMANDS.load(parse_objective_file(file), file.name, source, via, check)


@objectives.command("list", epilog=env_help(loads.ENV))
@loads.list_options(PAGE, "objectives", "an objective")
def list_objectives(service: str | None, at: datetime | None, fmt: str, via: str) -> None:
    """List the objective periods (mttr.availability_objective_periods) in key order."""
    COMMANDS.show(service, at, fmt, via)
