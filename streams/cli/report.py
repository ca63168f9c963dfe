"""``mttr report``: MTTR by service and severity, or another section, as a table, JSON, CSV or HTML.

``--section`` picks what is reported (``storage.report.SECTIONS``): ``mttr``
(the default), ``availability`` (availability and error budgets per month),
``reviews`` (review compliance) or ``recurring`` (recurring failures).
Each section's answer comes from ``storage.sections.section_answer``, on a
direct client or from the running worker's ``/mttr/report/`` page.
"""

from __future__ import annotations

import csv
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource
from clickhouse_connect.driver.client import Client
from rich.console import Console

from schemas.events import SEVERITIES
from streams.cli.common import env_help, fail, load_settings, setup_logging
from streams.present.availability import NO_OBJECTIVES, availability_table
from streams.present.durations import human
from streams.present.html_report import collect, render
from streams.present.learning import recurring_table, review_table
from streams.present.summary import report_table
from streams.settings import Settings
from streams.storage.clickhouse import connect
from streams.storage.report import BUCKETS, SECTIONS, ReportQuery, parse_since
from streams.storage.sections import ANSWER_KEYS, FILTERS, section_answer, section_columns

ENV = ["clickhouse_url", "clickhouse_password", "clickhouse_password_file", "web_host",
       "web_port", "var_dir"]  # fmt: skip
ROWS_PAGE = "/mttr/report/"
TITLES = {
    "availability": "Availability and error budgets by month, service and environment",
    "reviews": "Reviews (postmortems) by month resolved, service and severity",
    "recurring": "Recurring failures (the same fingerprint again)",
}
SINCE = {"availability": "months overlapping", "reviews": "months overlapping",
         "recurring": "last started in"}  # fmt: skip
HTML_DATA_PAGE = "/mttr/report/html-data/"
T = TypeVar("T")


def _ask_worker(settings: Settings, page: str, query: ReportQuery, key: str) -> Any | None:
    """Ask a running worker (it holds the embedded database) for ``page``.

    Returns its JSON object, or None when nothing answers with an object holding ``key``.
    """
    url = f"http://{settings.web_host}:{settings.web_port}{page}?" + urllib.parse.urlencode(
        query.as_params()
    )
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            fail(f"the worker does not serve {page}: is it an older version of mttr?")
        fail(f"the worker rejected the report query: {exc.read().decode(errors='replace')}")
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return answer if isinstance(answer, dict) and key in answer else None


def _direct(settings: Settings, run: Callable[[Client], T]) -> T:
    """Return ``run(client)`` on a new ClickHouse client; exits 1 if it cannot connect."""
    try:
        client = connect(settings)
    except Exception as exc:  # noqa: BLE001
        hint = ""
        if settings.resolved_clickhouse_url().startswith("chdb://"):
            hint = (" (the embedded database is used by one process at a time: is a worker "
                    "running without its web port reachable?)")  # fmt: skip
        fail(f"cannot open ClickHouse at {settings.clickhouse_url_for_display()}: {exc}{hint}")
    try:
        return run(client)
    finally:
        client.close()


def _fetch(settings: Settings, via: str, page: str, key: str, query: ReportQuery,
           run: Callable[[Client], dict[str, Any]]) -> dict[str, Any]:  # fmt: skip
    """Return the worker's answer for ``page`` (embedded chDB) or ``run`` on a direct client.

    Both give the same JSON object, which holds ``key``.
    """
    embedded = settings.resolved_clickhouse_url().startswith("chdb://")
    if via == "worker" or (via == "auto" and embedded):
        answer: dict[str, Any] | None = _ask_worker(settings, page, query, key)
        if answer is not None:
            return answer
        if via == "worker":
            fail(f"no worker answers on http://{settings.web_host}:{settings.web_port}/")
    return _direct(settings, run)


def _write_html(settings: Settings, via: str, query: ReportQuery, path: Path) -> None:
    """Build the HTML report (from the worker or directly) and write it to ``path``."""
    data = _fetch(settings, via, HTML_DATA_PAGE, "summary", query, lambda c: collect(c, query))
    try:
        path.write_text(render(data, datetime.now(UTC)), encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    click.echo(f"HTML report written to {path.resolve()}")


def _title(query: ReportQuery) -> str:
    if query.section in TITLES:
        title = TITLES[query.section]
    elif query.by == "team":
        title = "MTTR by team and severity"
    else:
        title = "MTTR by service and severity"
    if query.team is not None:
        title += f" of team {query.team}"
    if query.since is not None:
        what = SINCE.get(query.section, "resolved in")
        title += f" ({what} the last {human(query.since.total_seconds())})"
    return title


def _refuse_other_filters(query: ReportQuery) -> None:
    """Exit 2 when ``query`` sets a filter its section does not take."""
    given = {"severity": query.severity, "by": query.by, "team": query.team}
    for name, value in given.items():
        if value is not None and name not in FILTERS[query.section]:
            fail(f"--{name} does not apply to --section {query.section}", code=2)


@click.command(epilog=env_help(ENV))
@click.option(
    "--section",
    type=click.Choice(SECTIONS),
    default="mttr",
    show_default=True,
    help="What to report: mttr (MTTR, MTTD, MTTA by service and severity); availability "
    "(downtime, availability and error budget per month, service and environment; "
    "takes --since, --service and --team); reviews (postmortems required, done, on time "
    "and overdue per month resolved; --since, --service, --severity); recurring (failures "
    "that happened more than once, by fingerprint; --since, --service).",
)
@click.option(
    "--since",
    help="Only incidents resolved in this window, e.g. 12h, 30d, 8w (with --html also: "
    "incidents started and deploy months in it; with --section availability: the months "
    "overlapping it).",
)
@click.option("--service", help="Only this service.")
@click.option(
    "--team",
    help="Only incidents of services this team owned when they started "
    "(mttr owners; '(unowned)' for the others; availability: the owner at the month's start).",
)
@click.option("--severity", type=click.Choice(SEVERITIES))
@click.option(
    "--by",
    type=click.Choice([*sorted(BUCKETS), "team"]),
    help="Bucket by the resolved day/week/month, or group by team instead of service.",
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
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    metavar="PATH",
    help="Write a self-contained HTML page with charts to this file instead of printing.",
)
def report(section: str, since: str | None, service: str | None, team: str | None,
           severity: str | None, by: str | None, fmt: str, via: str,
           html_path: Path | None) -> None:  # fmt: skip
    """Print MTTR (mean, p50, p90), MTTD and MTTA of resolved incidents.

    Numbers are those of docs/metrics.md (mttr.incidents FINAL). With the
    embedded database (chdb://), which one process holds at a time, the report
    is asked from the running worker's web port when one answers.

    --section availability prints the availability and error budget of every
    month, service and environment instead (mttr.availability_monthly; the
    objectives come from `mttr objectives load`).

    --html PATH writes one HTML file that opens offline (no network, no other
    files): MTTR trend (mean, p50, p90) per severity, MTTR by service,
    incidents per week, MTTD/MTTA, change failure rate and open incidents.
    """
    settings = load_settings()
    setup_logging(settings)
    try:
        query = ReportQuery(
            parse_since(since) if since else None,
            service,
            severity,
            by,  # type: ignore[arg-type]
            team,
            section,  # type: ignore[arg-type]
        )
    except ValueError as exc:
        fail(str(exc), code=2)
    _refuse_other_filters(query)
    if html_path is not None and section != "mttr":
        fail("--html draws the MTTR report: it cannot be combined with --section", code=2)
    if html_path is not None:
        if by or click.get_current_context().get_parameter_source("fmt") != ParameterSource.DEFAULT:
            fail("--html draws its own charts: it cannot be combined with --by or --format", code=2)
        _write_html(settings, via, query, html_path)
        return

    key = ANSWER_KEYS[section]
    answer = _fetch(settings, via, ROWS_PAGE, key, query, lambda c: section_answer(c, query))
    rows: list[dict[str, Any]] = list(answer["rows"])
    hint = NO_OBJECTIVES if section == "availability" and not answer["objectives"] else None
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    elif fmt == "csv":
        columns = list(section_columns(query))
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        if section == "availability":
            table = availability_table(rows, title=_title(query))
        elif section == "reviews":
            table = review_table(rows, title=_title(query))
        elif section == "recurring":
            table = recurring_table(rows, title=_title(query))
        else:
            table = report_table(rows, by=query.by, title=_title(query))
        Console(width=None if sys.stdout.isatty() else 140).print(table)
    if hint is not None:
        click.echo(hint, err=fmt != "table")
