"""Benchmark every view of the ``mttr`` database on a million incidents in chDB.

Run it with ``make bench`` (or ``python -m bench``). It builds a fresh chDB
database in a temporary folder, applies the migrations, generates the history
of ``bench.dataset`` and times each view in these states, in this order:

* ``backfill``: the tables as the inserts left them (12 overlapping parts of
  incidents), background merges stopped, no snapshot yet: every view reads
  its live definition, and ``FINAL`` merges every version at read time, as
  right after a bulk load or a replay;
* ``optimized``: after ``OPTIMIZE TABLE ... FINAL`` (one part per table),
  still without a snapshot;
* ``snapshot``: after a full snapshot refresh (streams/storage/snapshots.py), with
  nothing written since;
* ``changed-10``: the worker then wrote new versions of recent incidents of
  10 services (3 small parts): those services are read live, as between two
  refreshes of a busy database;
* ``changed-100``: 90 more services changed, as in an incident storm or when
  refreshes fall behind.

The full refresh, and a refresh built on the previous snapshot after
``changed-100``, are timed too, and the snapshots' memory is recorded.

Each view is read whole and filtered on the busiest service. Results are
printed as tables and written to ``bench/results/views-<date>.json``. A view
missing the 100 ms target is reported, never hidden; the exit status stays 0
because this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clickhouse_connect.driver.client import Client
from rich.console import Console

from bench.dataset import Spec
from bench.layout import Loaded, load, loaded, optimize, rewrite_services, snapshot_bytes
from bench.report import Phase, load_average, machine, phase_table, print_summary, write_json
from bench.timing import TARGET_MS, busiest_service, has_service, time_query, views
from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from streams.storage.snapshots import refresh

RESULTS = Path(__file__).resolve().parent / "results"
PHASES = ("backfill", "optimized", "snapshot", "changed-10", "changed-100")
SNAPSHOT_PHASES = PHASES[2:]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, default=Spec.incidents, help="current incidents")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per query (after warm-up)")
    parser.add_argument(
        "--budget",
        type=float,
        default=20.0,
        help="seconds of timed runs per query and phase; slower views get fewer runs (min 1)",
    )
    parser.add_argument(
        "--phases",
        default=",".join(PHASES),
        help=f"comma-separated subset of {','.join(PHASES)} (always run in that order)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep the chDB database in this (new or empty) folder instead of a temporary one",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder for the JSON file")
    parser.add_argument(
        "--only", action="append", default=[], metavar="VIEW", help="time only this view"
    )
    args = parser.parse_args(argv)
    args.phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(args.phases) - set(PHASES)
    if unknown or not args.phases:
        parser.error(f"--phases takes names from {', '.join(PHASES)}, got {args.phases}")
    return args


@contextmanager
def data_folder(path: Path | None) -> Iterator[Path]:
    """Yield an empty folder for the database; a temporary one is removed afterwards."""
    if path is not None:
        if path.exists() and any(path.iterdir()):
            msg = f"{path} is not empty: the benchmark needs a fresh database"
            raise SystemExit(msg)
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    folder = Path(tempfile.mkdtemp(prefix="mttr-bench-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_phase(
    client: Client,
    console: Console,
    phase: Phase,
    names: list[str],
    args: argparse.Namespace,
    earlier: Phase | None = None,
) -> None:
    """Time every view of ``names``, whole and for one service, into ``phase``.

    A view without a ``service`` column (the per-team views) is filtered on
    a team that owned the busiest service instead.

    With ``earlier`` (a phase over the same rows) row counts are taken from it
    instead of fetching every row again.
    """
    literal = phase.service.replace("\\", "\\\\").replace("'", "\\'")
    team = str(
        client.query(
            "SELECT ifNull(any(team), '') FROM mttr.service_owner_periods "
            "WHERE service = {service:String}",
            parameters={"service": phase.service},
        ).result_rows[0][0]
    ).replace("'", "\\'")
    whole_before = {t.view: t for t in earlier.timings} if earlier else {}
    one_before = {t.view: t for t in earlier.service_timings} if earlier else {}
    for name in names:
        with console.status(f"{phase.name}: {name}"):
            whole = time_query(
                client,
                name,
                f"SELECT * FROM mttr.{name}",
                args.runs,
                args.budget,
                whole_before.get(name),
            )
            one = time_query(
                client,
                name,
                f"SELECT * FROM mttr.{name} WHERE "
                + (f"service = '{literal}'" if has_service(client, name) else f"team = '{team}'"),
                args.runs,
                args.budget,
                one_before.get(name),
            )
        phase.timings.append(whole)
        phase.service_timings.append(one)
        console.print(
            f"  {phase.name:9s} {name:26s} {whole.rows:>10,} rows, median {whole.median_ms:>9,.1f}"
            f" ms ({len(whole.runs_ms)} run{'' if len(whole.runs_ms) == 1 else 's'});"
            f" one service {one.median_ms:>7,.1f} ms"
        )


def measure(
    client: Client, console: Console, spec: Spec, args: argparse.Namespace
) -> tuple[Loaded, list[Phase], dict[str, Any]]:
    """Load the history, then time the views in each selected phase, in order.

    Also returns what the snapshots cost: refresh seconds and memory.
    """
    migrate(client, load_migrations())
    with console.status(f"generating {spec.incidents:,} incidents and deploy events"):
        generated = load(client, spec)
    console.print(
        f"loaded in {generated.seconds:.1f} s: {generated.incident_rows:,} incident rows "
        f"= {generated.current_incidents:,} current incidents ({generated.open_incidents:,} open) "
        f"in {generated.incident_parts} parts, {generated.deploy_events:,} deploy events "
        f"({generated.succeeded_deploys:,} succeeded) and {generated.change_events:,} change "
        f"events in {generated.event_parts} parts"
    )
    names = [v for v in views(client) if not args.only or v in args.only]
    service = busiest_service(client)
    phases: list[Phase] = []
    costs: dict[str, Any] = {}

    def run(name: str, description: str, state: Loaded) -> None:
        phase = Phase(name, description, state.incident_parts, state.event_parts, service)
        run_phase(client, console, phase, names, args, earlier=phases[0] if phases else None)
        phases.append(phase)

    if "backfill" in args.phases:
        run("backfill", "parts as inserted, no snapshot yet: every view reads live", generated)
    if set(args.phases) - {"backfill"}:
        seconds = optimize(client)
        console.print(f"OPTIMIZE TABLE ... FINAL took {seconds:.1f} s")
    if "optimized" in args.phases:
        run(
            "optimized",
            f"one part (OPTIMIZE, {seconds:.1f} s), no snapshot: live",
            loaded(client, 0),
        )
    if set(args.phases) & set(SNAPSHOT_PHASES):
        with console.status("full snapshot refresh"):
            done = refresh(client)
        costs.update(full_refresh_s=round(done.seconds, 2), rows=done.rows)
        costs["bytes"] = snapshot_bytes(client)
        console.print(
            f"full snapshot refresh took {done.seconds:.1f} s; the snapshots hold "
            f"{sum(done.rows.values()):,} rows in {costs['bytes'] / 2**20:,.0f} MiB of memory"
        )
    if "snapshot" in args.phases:
        run("snapshot", "one part, snapshot refreshed, nothing changed since", loaded(client, 0))
    for changed, first in ((10, 0), (100, 10)):
        name = f"changed-{changed}"
        if name not in args.phases:
            continue
        rows = rewrite_services(client, first, changed - first)
        run(
            name,
            f"+ {rows:,} new incident versions of {changed - first} more services after the "
            f"snapshot: {changed} services read live",
            loaded(client, 0),
        )
    if "changed-100" in args.phases:
        with console.status("snapshot refresh built on the previous one"):
            done = refresh(client, full=False)
        costs["incremental_refresh_s"] = round(done.seconds, 2)
        console.print(f"refresh after 100 changed services (incremental) took {done.seconds:.1f} s")
    return generated, phases, costs


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return 0 (a missed target is reported, not an error)."""
    args = parse_args(argv)
    console = Console()
    if not console.is_terminal:  # e.g. piped into a log: do not wrap the tables at 80
        console = Console(width=150)
    started = datetime.now(UTC)
    began = time.perf_counter()
    load_before = load_average()
    spec = Spec(incidents=args.incidents, deleted=max(args.incidents // 500, 1))
    with data_folder(args.data_dir) as folder:
        client = connect(Settings(var_dir=folder, clickhouse_url=None))
        try:
            info: dict[str, Any] = machine(str(client.query("SELECT version()").result_rows[0][0]))
            console.print(
                f"chDB {info['chdb']} (ClickHouse {info['clickhouse']}), Python {info['python']}, "
                f"{info['cpu_count']} CPUs ({info['cpu_model']}), {info['memory_gib']} GiB, "
                f"load {load_before}; data in {folder}"
            )
            if load_before and load_before[0] > 0.5 * (os.cpu_count() or 1):
                console.print(
                    f"[yellow]the machine is busy (load {load_before[0]}): wall times will be "
                    "inflated; the cpu column is less affected"
                )
            generated, phases, costs = measure(client, console, spec, args)
        finally:
            client.close()
    total_s = time.perf_counter() - began
    for phase in phases:
        console.print(phase_table(phase))
    print_summary(console, phases)
    extra = {
        "machine": info,
        "runs": args.runs,
        "budget_s": args.budget,
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "total_seconds": round(total_s, 1),
        "snapshots": costs,
    }
    path = write_json(args.results, started, spec, generated, phases, extra)
    console.print(
        f"Target: median of engine-only runs (FORMAT Null) < {TARGET_MS:.0f} ms. "
        f"Total {total_s:.0f} s. Results: {path}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
