"""The terminal table of availability and error budgets (``mttr.availability_monthly``)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from streams.present.durations import human

NO_OBJECTIVES = (
    "No availability objectives loaded: the budget columns stay empty. "
    "Load some with `mttr objectives load FILE` (docs/objectives.md)."
)
"""The hint shown under an availability table when no objective is loaded."""


def availability_table(rows: list[dict[str, Any]], title: str = "") -> Table:
    """Return ``availability_rows`` output (dates or ISO strings) as a terminal table.

    Downtime and budgets as human durations (a remaining budget below zero
    with a minus: overspent), availability with three decimals of a percent,
    ``-`` where a month has no objective.
    """
    table = Table(title=title or "Availability and error budgets by month, service and environment")
    for column in ("month", "service", "env", "team"):
        table.add_column(column, no_wrap=True)
    for column in ("downtime", "availability", "objective", "budget", "consumed", "remaining"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in rows:
        ratio = row["budget_consumed_ratio"]
        consumed = human(row["budget_consumed_seconds"])
        table.add_row(
            str(row["month"])[:7],
            row["service"],
            row["environment"],
            row["team"],
            human(row["downtime_seconds"]),
            f"{row['availability'] * 100:.3f}%",
            "-" if row["objective"] is None else f"{row['objective'] * 100:g}%",
            human(row["error_budget_seconds"]),
            consumed if ratio is None else f"{consumed} ({ratio:.0%})",
            signed(row["budget_remaining_seconds"]),
        )
    return table


def signed(seconds: float | None) -> str:
    """Return ``human(seconds)`` with a minus for a negative duration (``-1h 50m``)."""
    if seconds is not None and seconds < 0:
        return "-" + human(-seconds)
    return human(seconds)
