"""``mttr owners``: load, import from Backstage and list which team owned which service when."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from streams.cli import loads
from streams.cli.common import env_help
from streams.cli.loads import since, until
from streams.cli.owners_target import OWNER_TARGET, PAGE
from streams.storage.owners.backstage import catalog_files, parse_catalog_file
from streams.storage.owners.files import parse_owner_file
from streams.storage.owners.rows import BEGINNING, OwnerRow, Parsed, check_conflicts

_ONE_PER_FILE = " Use one source per file when loading several."


def _cells(row: dict[str, Any]) -> list[str]:
    return [row["service"], row["team"], since(row), until(row), row["source"], row["loaded_at"]]


COMMANDS: loads.Commands[OwnerRow] = loads.Commands(
    target=OWNER_TARGET,
    noun="ownership periods",
    title="Service owners",
    headers=("service", "team", "from", "until", "source", "loaded at"),
    cells=_cells,
    empty="No ownership periods: load some with `mttr owners load FILE`.",
)


@click.group(epilog=env_help(loads.ENV, note="docs/ownership.md describes the formats and rules."))
def owners() -> None:
    """Which team owned which service when: the team on every incident, deploy and change.

    A service's owner at time t is the team of its period with the greatest
    valid_from <= t; a service without one is (unowned). The views read the
    periods at query time, so a new load re-attributes all history.
    """


@owners.command("load", epilog=env_help(loads.ENV))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@loads.source_option("file", _ONE_PER_FILE)
@loads.via_option(PAGE)
@loads.CHECK
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
    COMMANDS.load(parse_owner_file(file), file.name, source, via, check)


@owners.command("import-backstage", epilog=env_help(loads.ENV))
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@loads.source_option("backstage", _ONE_PER_FILE)
@loads.via_option(PAGE)
@click.option(
    "--valid-from",
    callback=loads.rfc3339_time,
    metavar="TIME",
    help="RFC 3339 start of every imported period (Backstage keeps no history). "
    "[default: the beginning]",
)
@loads.CHECK
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
    COMMANDS.load(parsed, what, source, via, check)


@owners.command("list", epilog=env_help(loads.ENV))
@loads.list_options(PAGE, "periods", "a period")
def list_owners(service: str | None, at: datetime | None, fmt: str, via: str) -> None:
    """List the ownership periods (mttr.service_owner_periods) by service and start.

    Where two sources give the same service and valid_from, the row written
    last is the one shown and used.
    """
    COMMANDS.show(service, at, fmt, via)
