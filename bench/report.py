"""What the benchmark prints (rich tables) and stores (JSON under bench/results/)."""

from __future__ import annotations

import json
import os
import platform
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.dataset import Spec
from bench.layout import Loaded
from bench.timing import TARGET_MS, Timing


@dataclass
class Phase:
    """The timings of every view with one part layout of the tables.

    ``timings`` read each whole view; ``service_timings`` the same views
    filtered on one service, as a dashboard panel for that service would.
    """

    name: str
    description: str
    incident_parts: int
    event_parts: int
    service: str
    timings: list[Timing] = field(default_factory=list)
    service_timings: list[Timing] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the phase as JSON-ready values."""
        return {
            "name": self.name,
            "description": self.description,
            "incident_parts": self.incident_parts,
            "event_parts": self.event_parts,
            "views": [t.as_dict() for t in self.timings],
            "service": self.service,
            "one_service": [t.as_dict() for t in self.service_timings],
        }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        return None


def machine(clickhouse_version: str) -> dict[str, Any]:
    """Return a description of this machine and of the software measured."""
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "chdb": version("chdb"),
        "clickhouse": clickhouse_version,
        "clickhouse_connect": version("clickhouse-connect"),
    }


def load_average() -> list[float] | None:
    """Return the 1, 5 and 15 minute load averages (None where unsupported)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (OSError, AttributeError):
        return None


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def _verdict(timing: Timing) -> str:
    return "[green]yes[/green]" if timing.meets_target else "[red]NO[/red]"


def phase_table(phase: Phase) -> Table:
    """Return one phase as a table: a row per view, whole view first, then one service."""
    table = Table(
        title=f"{phase.name}: {phase.description}",
        title_justify="left",
        caption=(
            f"times in ms; median/p90/max/cpu: engine-only runs; fetch: the warm-up "
            f"fetching every row; svc: WHERE service = '{phase.service}'"
        ),
        caption_justify="left",
    )
    table.add_column("view", no_wrap=True)
    for name in ("rows", "fetch", "median", "p90", "max", "cpu", "runs"):
        table.add_column(name, justify="right")
    table.add_column(f"<{TARGET_MS:.0f}", justify="center")
    for name in ("svc rows", "svc median"):
        table.add_column(name, justify="right")
    table.add_column(f"<{TARGET_MS:.0f}", justify="center")
    service = {t.view: t for t in phase.service_timings}
    for t in phase.timings:
        one = service.get(t.view)
        table.add_row(
            t.view,
            f"{t.rows:,}",
            _ms(t.fetch_ms),
            _ms(t.median_ms),
            _ms(t.p90_ms),
            _ms(t.max_ms),
            _ms(t.cpu_median_ms),
            str(len(t.runs_ms)),
            _verdict(t),
            "" if one is None else f"{one.rows:,}",
            "" if one is None else _ms(one.median_ms),
            "" if one is None else _verdict(one),
        )
    return table


def _summary_line(what: str, timings: list[Timing]) -> str:
    missed = [t for t in timings if not t.meets_target]
    if not missed:
        return f"[green]{what}: all {len(timings)} views answer in < {TARGET_MS:.0f} ms"
    names = ", ".join(f"{t.view} ({_ms(t.median_ms)} ms)" for t in missed)
    return (
        f"[red]{what}: {len(missed)} of {len(timings)} views MISS the {TARGET_MS:.0f} ms "
        f"target: {names}"
    )


def print_summary(console: Console, phases: list[Phase]) -> None:
    """Print, per phase and query shape, which views met the target and which did not."""
    for phase in phases:
        console.print(_summary_line(f"{phase.name}, whole views", phase.timings))
        if phase.service_timings:
            console.print(
                _summary_line(f"{phase.name}, one service ({phase.service})", phase.service_timings)
            )


def write_json(
    folder: Path,
    started: datetime,
    spec: Spec,
    loaded: Loaded,
    phases: list[Phase],
    extra: dict[str, Any],
) -> Path:
    """Write ``views-<date>.json`` into ``folder`` (via a .tmp file) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"views-{started.date().isoformat()}.json"
    document = {
        "started_at": started.isoformat(timespec="seconds"),
        "target_ms": TARGET_MS,
        "spec": spec.as_dict(),
        "loaded": asdict(loaded),
        "phases": [p.as_dict() for p in phases],
        **extra,
    }
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
