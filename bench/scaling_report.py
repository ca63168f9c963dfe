"""What the scaling benchmark prints and stores: one row per run, medians per worker count."""

from __future__ import annotations

import os
import statistics
from typing import Any

from rich.table import Table

from bench.scaling_run import Run

CPUS = os.cpu_count() or 1


def row(run: Run, messages: int, problems: list[str], round_number: int) -> dict[str, Any]:
    """Return the JSON figures of one run (rates over every message read, duplicates included)."""
    base = {"workers": run.workers, "round": round_number, "group": run.group}
    if run.error:
        return {**base, "error": run.error, "problems": problems}
    figures = run.figures
    cpu = figures["cpu_seconds"]
    return {
        **base,
        "events_per_second": round(messages / figures["seconds"], 1),
        "events_per_second_after_join": round(
            messages / (figures["seconds"] - figures["seconds_to_join"]), 1
        ),
        "cpu_seconds_per_million": {
            name: round(value / messages * 1e6, 1) for name, value in cpu.items()
        },
        "others_share_of_machine": round(cpu["others"] / (figures["seconds"] * CPUS), 3),
        "incidents": len(run.incidents),
        "problems": problems,
        **figures,
    }


def summary(rows: list[dict[str, Any]], messages: int) -> list[dict[str, Any]]:
    """Return, per worker count, the medians over its rounds and the speed-up over one worker."""
    result = []
    for workers in dict.fromkeys(r["workers"] for r in rows):
        mine = [r for r in rows if r["workers"] == workers]
        timed = [r for r in mine if "error" not in r]
        entry: dict[str, Any] = {
            "workers": workers,
            "rounds": len(mine),
            "ok": all(not r["problems"] for r in mine),
        }
        if timed:
            seconds = statistics.median(r["seconds"] for r in timed)
            entry |= {
                "seconds": round(seconds, 2),
                "events_per_second": round(messages / seconds, 1),
                "cpu_seconds": {
                    name: round(statistics.median(r["cpu_seconds"][name] for r in timed), 2)
                    for name in ("workers", "server", "broker", "harness", "others")
                },
                "incidents": timed[0]["incidents"],
                "dead_letters": max(r["dead_letters"] for r in timed),
                "others_share_of_machine": round(
                    statistics.median(r["others_share_of_machine"] for r in timed), 3
                ),
            }
            entry["cpu_seconds_per_million_workers_and_server"] = round(
                (entry["cpu_seconds"]["workers"] + entry["cpu_seconds"]["server"]) / messages * 1e6,
                1,
            )
        result.append(entry)
    one = next((e for e in result if e["workers"] == 1 and "seconds" in e), None)
    for entry in result:
        if one is not None and "seconds" in entry:
            entry["speedup"] = round(one["seconds"] / entry["seconds"], 2)
    return result


def table(medians: list[dict[str, Any]], messages: int, partitions: int) -> Table:
    """Return the printed table (what went wrong is printed below it)."""
    view = Table(title=f"Workers on one ClickHouse server ({messages:,} messages, {partitions} "
                 "partitions; medians of rounds)")  # fmt: skip
    columns = ("workers", "s", "events/s", "speed-up", "CPU s workers", "CPU s server",
               "CPU s broker", "CPU s/1M w+s", "others' CPU", "DLQ", "checks")  # fmt: skip
    for name in columns:
        view.add_column(name, justify="right")
    for e in medians:
        checks = "ok" if e["ok"] else "FAIL"
        if "seconds" not in e:
            view.add_row(str(e["workers"]), *["-"] * 9, checks)
            continue
        cpu = e["cpu_seconds"]
        view.add_row(
            str(e["workers"]),
            f"{e['seconds']:.1f}",
            f"{e['events_per_second']:,.0f}",
            f"{e['speedup']:.2f}x" if "speedup" in e else "-",
            f"{cpu['workers']:.1f}",
            f"{cpu['server']:.1f}",
            f"{cpu['broker']:.1f}",
            f"{e['cpu_seconds_per_million_workers_and_server']:,.0f}",
            f"{e['others_share_of_machine']:.0%}",
            f"{e['dead_letters']:,}",
            checks,
        )
    return view
