"""Terminal tables read back from ClickHouse: events, incidents, MTTR by service/severity."""

from __future__ import annotations

from clickhouse_connect.driver.client import Client
from rich.table import Table

from streams.durations import human


def events_table(client: Client) -> Table:
    """Return valid events per service and type (``mttr.events FINAL``)."""
    rows = client.query(
        "SELECT service, type, count(), min(occurred_at), max(occurred_at) "
        "FROM mttr.events FINAL GROUP BY service, type ORDER BY service, type"
    ).result_rows
    total = sum(row[2] for row in rows)
    table = Table(title=f"mttr.events ({total} events)")
    for column in ("service", "type", "events", "first", "last"):
        table.add_column(column, justify="right" if column == "events" else "left")
    for service, kind, count, first, last in rows:
        table.add_row(
            service, kind, str(count), f"{first:%Y-%m-%d %H:%M}", f"{last:%Y-%m-%d %H:%M}"
        )
    return table


def incidents_table(client: Client, limit: int = 20) -> Table:
    """Return the latest incidents (``mttr.incidents FINAL``) with their durations."""
    rows = client.query(
        "SELECT service, environment, severity, status, started_at, ttd_seconds, "
        "tta_seconds, ttm_seconds, ttr_seconds, cause_deploy_id, repair_action "
        "FROM mttr.incidents FINAL ORDER BY started_at DESC LIMIT {limit:UInt32}",
        parameters={"limit": limit},
    ).result_rows
    table = Table(title=f"mttr.incidents (latest {len(rows)})")
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


def mttr_table(client: Client) -> Table:
    """Return MTTR (mean time to resolve) by service and severity over resolved incidents."""
    rows = client.query(
        "SELECT service, environment, severity, count(), avg(ttr_seconds), "
        "quantileExact(0.5)(ttr_seconds), max(ttr_seconds) "
        "FROM mttr.incidents FINAL WHERE status = 'resolved' "
        "GROUP BY service, environment, severity ORDER BY service, environment, severity"
    ).result_rows
    table = Table(title="MTTR by service and severity (resolved incidents)")
    for column in ("service", "env", "severity", "incidents", "MTTR", "median", "max"):
        table.add_column(column, justify="right" if column == "incidents" else "left")
    for service, env, severity, count, mean, median, longest in rows:
        table.add_row(
            service, env, severity, str(count), human(mean), human(median), human(longest)
        )
    return table
