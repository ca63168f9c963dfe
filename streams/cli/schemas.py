"""``mttr schemas``: export or check the JSON Schema files of the event contract."""

from __future__ import annotations

import click

from schemas import export


@click.command()
@click.option("--check", is_flag=True, help="Exit 1 if schemas/json/ differs from the models.")
def schemas(check: bool) -> None:
    """Write schemas/json/*.schema.json from the pydantic models (or --check them)."""
    if check:
        stale = export.stale_files()
        if stale:
            click.echo(f"out of date: {', '.join(stale)}; run `mttr schemas`", err=True)
            raise SystemExit(1)
        click.echo("schemas/json is up to date")
        return
    for name in export.write():
        click.echo(f"wrote schemas/json/{name}")
