"""``mttr report``: MTTR by service and severity, in the terminal, as JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from streams.cli.common import env_help, fail, load_settings, setup_logging
from streams.clickhouse import connect
from streams.durations import human
from streams.report import BUCKETS, ReportQuery, jsonable, parse_since, report_rows
from streams.settings import Settings

ENV = ["clickhouse_url", "clickhouse_password", "clickhouse_password_file", "web_host",
       "web_port", "var_dir"]  # fmt: skip
DURATIONS = ("mttr_seconds", "p50_seconds", "p90_seconds", "mttd_seconds", "mtta_seconds")


def _from_worker(settings: Settings, query: ReportQuery) -> list[dict[str, Any]] | None:
    """Ask a running worker (it holds the embedded database); None if none answers."""
    url = f"http://{settings.web_host}:{settings.web_port}/mttr/report/?" + urllib.parse.urlencode(
        query.as_params()
    )
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return list(json.load(response)["rows"])
    except urllib.error.HTTPError as exc:
        fail(f"the worker rejected the report query: {exc.read().decode(errors='replace')}")
    except (urllib.error.URLError, OSError, ValueError, KeyError):
        return None


def _direct(settings: Settings, query: ReportQuery) -> list[dict[str, Any]]:
    try:
        client = connect(settings)
    except Exception as exc:  # noqa: BLE001
        hint = ""
        if settings.resolved_clickhouse_url().startswith("chdb://"):
            hint = (" (the embedded database is used by one process at a time: is a worker "
                    "running without its web port reachable?)")  # fmt: skip
        fail(f"cannot open ClickHouse at {settings.clickhouse_url_for_display()}: {exc}{hint}")
    try:
        return jsonable(report_rows(client, query))
    finally:
        client.close()


def _table(rows: list[dict[str, Any]], query: ReportQuery) -> Table:
    title = "MTTR by service and severity"
    if query.since is not None:
        title += f" (resolved in the last {human(query.since.total_seconds())})"
    table = Table(title=title)
    headers = ([query.by] if query.by else []) + [
        "service", "env", "severity", "incidents", "MTTR", "p50", "p90", "MTTD", "MTTA",
    ]  # fmt: skip
    for header in headers:
        table.add_column(header, justify="right" if header == "incidents" else "left")
    for row in rows:
        cells = [str(row[query.by])] if query.by else []
        cells += [row["service"], row["environment"], row["severity"], str(row["incidents"])]
        cells += [human(row[name]) for name in DURATIONS]
        table.add_row(*cells)
    return table


@click.command(epilog=env_help(ENV))
@click.option("--since", help="Only incidents resolved in this window, e.g. 12h, 30d, 8w.")
@click.option("--service", help="Only this service.")
@click.option("--severity", type=click.Choice(["critical", "high", "medium", "low"]))
@click.option(
    "--by", type=click.Choice(sorted(BUCKETS)), help="Bucket by the resolved day/week/month."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)  # fmt: skip
@click.option(
    "--via",
    type=click.Choice(["auto", "worker", "direct"]),
    default="auto",
    show_default=True,
    help="Embedded chDB: ask the worker over its web port (auto: if it answers).",
)
def report(since: str | None, service: str | None, severity: str | None, by: str | None,
           fmt: str, via: str) -> None:  # fmt: skip
    """Print MTTR (mean, p50, p90), MTTD and MTTA of resolved incidents.

    Numbers are those of docs/metrics.md (mttr.incidents FINAL). With the
    embedded database (chdb://), which one process holds at a time, the report
    is asked from the running worker's web port when one answers.
    """
    settings = load_settings()
    setup_logging(settings)
    try:
        query = ReportQuery(parse_since(since) if since else None, service, severity, by)  # type: ignore[arg-type]
    except ValueError as exc:
        fail(str(exc), code=2)
    embedded = settings.resolved_clickhouse_url().startswith("chdb://")
    rows = None
    if via == "worker" or (via == "auto" and embedded):
        rows = _from_worker(settings, query)
        if rows is None and via == "worker":
            fail(f"no worker answers on http://{settings.web_host}:{settings.web_port}/")
    if rows is None:
        rows = _direct(settings, query)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    elif fmt == "csv":
        columns = ([by] if by else []) + [
            "service", "environment", "severity", "incidents", *DURATIONS,
        ]  # fmt: skip
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        Console(width=None if sys.stdout.isatty() else 140).print(_table(rows, query))
