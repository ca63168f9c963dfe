"""Terminal tables read back from ClickHouse: events, incidents, MTTR by service/severity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from clickhouse_connect.driver.client import Client
from rich.table import Table

from streams.present.durations import human
from streams.storage.measures import REPORT_MEASURES


def events_table(client: Client) -> Table:
    """Return valid events per service, by type (``mttr.events FINAL``)."""
    rows = client.query(
        "SELECT service, countIf(type = 'alert'), countIf(type = 'deploy'), "
        "countIf(type = 'ticket'), countIf(type = 'change'), min(occurred_at), max(occurred_at) "
        "FROM mttr.events FINAL GROUP BY service ORDER BY service"
    ).result_rows
    total = sum(sum(row[1:5]) for row in rows)
    table = Table(title=f"mttr.events ({total} events)")
    for column in ("service", "alerts", "deploys", "tickets", "changes", "first", "last"):
        table.add_column(column, justify="right" if column.endswith("s") else "left")
    for service, alerts, deploys, tickets, changes, first, last in rows:
        table.add_row(
            service,
            str(alerts),
            str(deploys),
            str(tickets),
            str(changes),
            f"{first:%Y-%m-%d %H:%M}",
            f"{last:%Y-%m-%d %H:%M}",
        )
    return table


def incidents_table(
    client: Client, limit: int = 20, started_before: datetime | None = None, title: str = ""
) -> Table:
    """Return the latest incidents (``mttr.incidents FINAL``) with their durations.

    ``started_before`` keeps only incidents that started before that moment.
    """
    where = "WHERE started_at < {before:DateTime64(3, 'UTC')} " if started_before else ""
    rows = client.query(
        "SELECT service, environment, severity, status, started_at, ttd_seconds, "
        "tta_seconds, ttm_seconds, ttr_seconds, cause_deploy_id, repair_action "
        f"FROM mttr.incidents FINAL {where}ORDER BY started_at DESC LIMIT {{limit:UInt32}}",
        parameters={"limit": limit, "before": started_before},
    ).result_rows
    table = Table(title=title or f"mttr.incidents (latest {len(rows)})")
    columns = ("service/env", "severity", "status", "started (UTC)", "TTD", "TTA", "TTM", "TTR",
               "cause deploy", "repair")  # fmt: skip
    for column in columns:
        table.add_column(column, no_wrap=True)
    for service, env, severity, status, started, ttd, tta, ttm, ttr, cause, repair in rows:
        table.add_row(
            f"{service}/{env}", severity, status, f"{started:%Y-%m-%d %H:%M}",
            human(ttd), human(tta), human(ttm), human(ttr), cause or "-", repair or "-",
        )  # fmt: skip
    return table


REPORT_DURATIONS: tuple[str, ...] = tuple(
    measure.name for measure in REPORT_MEASURES if measure.unit == "seconds"
)
"""The duration columns of ``report_rows`` (shown as human durations)."""


def report_table(rows: list[dict[str, Any]], by: str | None = None, title: str = "") -> Table:
    """Return ``report_rows`` output as the ``mttr report`` table (human durations)."""
    table = Table(title=title or "MTTR by service and severity")
    who = "team" if by == "team" else "service"
    bucket = by if by and by != "team" else None
    for header in ([bucket] if bucket else []) + [who, "env", "severity"]:
        table.add_column(header, justify="left")
    for measure in REPORT_MEASURES:
        table.add_column(measure.label, justify="right" if measure.unit == "count" else "left")
    for row in rows:
        cells = [str(row[bucket])] if bucket else []
        cells += [row[who], row["environment"], row["severity"]]
        cells += [
            str(row[m.name]) if m.unit == "count" else human(row[m.name]) for m in REPORT_MEASURES
        ]
        table.add_row(*cells)
    return table
