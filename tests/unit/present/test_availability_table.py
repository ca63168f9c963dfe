"""The availability table of ``mttr report --section availability`` and ``mttr demo``."""

from __future__ import annotations

from datetime import date

from rich.console import Console

from streams.present.availability import availability_table, signed

JUNE = {
    "month": date(2026, 6, 1), "service": "shop", "environment": "prod", "team": "payments",
    "downtime_seconds": 6600.0, "availability": 1 - 6600 / 2_592_000, "objective": 0.999,
    "min_severity": "high", "error_budget_seconds": 2592.0, "budget_consumed_seconds": 6600.0,
    "budget_remaining_seconds": 2592.0 - 6600, "budget_consumed_ratio": 6600 / 2592,
}  # fmt: skip
WITHOUT = {
    **JUNE, "month": "2026-07-01", "objective": None, "error_budget_seconds": None,
    "budget_consumed_seconds": None, "budget_remaining_seconds": None,
    "budget_consumed_ratio": None, "downtime_seconds": 0.0, "availability": 1.0,
}  # fmt: skip


def _cells(rows: list[dict[str, object]]) -> list[list[str]]:
    console = Console(width=200, record=True)
    console.print(availability_table(rows))
    lines = console.export_text().splitlines()
    return [[c.strip() for c in line.strip("│ ").split("│")] for line in lines if "shop" in line]


def test_a_month_over_budget_and_a_month_without_objective() -> None:
    assert _cells([JUNE, WITHOUT]) == [
        ["2026-06", "shop", "prod", "payments", "1h 50m", "99.745%", "99.9%", "43m 12s",
         "1h 50m (255%)", "-1h 6m"],
        ["2026-07", "shop", "prod", "payments", "0s", "100.000%", "-", "-", "-", "-"],
    ]  # fmt: skip


def test_signed_durations() -> None:
    assert [signed(s) for s in (None, 0.0, 90.0, -4008.0)] == ["-", "0s", "1m 30s", "-1h 6m"]
