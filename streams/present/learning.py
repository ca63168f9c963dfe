"""Terminal tables of review compliance and recurring failures (``mttr report --section``)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from streams.present.durations import human


def review_table(rows: list[dict[str, Any]], title: str = "") -> Table:
    """Return ``review_rows`` output (dates or ISO strings) as a terminal table."""
    table = Table(title=title or "Reviews (postmortems) by month resolved, service and severity")
    for column in ("month", "service", "env", "severity"):
        table.add_column(column, no_wrap=True)
    for column in ("resolved", "required", "reviewed", "on time", "overdue", "rate", "p50 review"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in rows:
        rate = row["review_rate"]
        table.add_row(
            str(row["month"])[:7], row["service"], row["environment"], row["severity"],
            str(row["resolved"]), str(row["review_required"]), str(row["reviewed"]),
            str(row["reviewed_on_time"]), str(row["overdue"]),
            "-" if rate is None else f"{rate:.0%}", human(row["median_time_to_review_seconds"]),
        )  # fmt: skip
    return table


def recurring_table(rows: list[dict[str, Any]], title: str = "") -> Table:
    """Return ``recurring_rows`` output (datetimes or ISO strings) as a terminal table."""
    table = Table(title=title or "Recurring failures (the same fingerprint again)")
    for column in ("service", "env", "fingerprint"):
        table.add_column(column)
    for column in ("incidents", "within 30d", "last started", "MTTR", "mean between"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in rows:
        table.add_row(
            row["service"], row["environment"], row["fingerprint"], str(row["incidents"]),
            str(row["recurrences_30d"]), str(row["last_started_at"])[:16].replace("T", " "),
            human(row["mttr_seconds"]), human(row["mean_time_between_seconds"]),
        )  # fmt: skip
    return table
