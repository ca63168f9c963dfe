"""Benchmark every view of the ``mttr`` database on a million incidents in chDB.

Run it with ``make bench`` (or ``python -m bench``). It builds a fresh chDB
database in a temporary folder, applies the migrations, generates the history
of ``bench.dataset`` and times each view in three part layouts, in this order:

* ``backfill``: the tables as the inserts left them (12 overlapping parts of
  incidents), background merges stopped: ``FINAL`` merges every version at
  read time, as right after a bulk load or a replay;
* ``optimized``: after ``OPTIMIZE TABLE ... FINAL``: one part per table;
* ``live``: the optimized part plus three small parts of newer versions of
  1,000 incidents each, as the worker writes them between background merges.

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
from bench.layout import Loaded, load, loaded, optimize, rewrite_recent
from bench.report import Phase, load_average, machine, phase_table, print_summary, write_json
from bench.timing import TARGET_MS, busiest_service, time_query, views
from streams.clickhouse import connect, load_migrations, migrate
from streams.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
PHASES = ("backfill", "optimized", "live")


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

    With ``earlier`` (a phase over the same rows) row counts are taken from it
    instead of fetching every row again.
    """
    literal = phase.service.replace("\\", "\\\\").replace("'", "\\'")
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
                f"SELECT * FROM mttr.{name} WHERE service = '{literal}'",
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
) -> tuple[Loaded, list[Phase]]:
    """Load the history, then time the views in each selected phase, in order."""
    migrate(client, load_migrations())
    with console.status(f"generating {spec.incidents:,} incidents and deploy events"):
        generated = load(client, spec)
    console.print(
        f"loaded in {generated.seconds:.1f} s: {generated.incident_rows:,} incident rows "
        f"= {generated.current_incidents:,} current incidents ({generated.open_incidents:,} open) "
        f"in {generated.incident_parts} parts, {generated.deploy_events:,} deploy events "
        f"({generated.succeeded_deploys:,} succeeded) in {generated.event_parts} parts"
    )
    names = [v for v in views(client) if not args.only or v in args.only]
    service = busiest_service(client)
    phases: list[Phase] = []

    def run(name: str, description: str, state: Loaded) -> None:
        phase = Phase(name, description, state.incident_parts, state.event_parts, service)
        run_phase(client, console, phase, names, args, earlier=phases[0] if phases else None)
        phases.append(phase)

    if "backfill" in args.phases:
        run("backfill", "parts as inserted, merges stopped (FINAL merges at read time)", generated)
    if "optimized" in args.phases or "live" in args.phases:
        seconds = optimize(client)
        console.print(f"OPTIMIZE TABLE ... FINAL took {seconds:.1f} s")
        if "optimized" in args.phases:
            run("optimized", f"after OPTIMIZE TABLE ... FINAL ({seconds:.1f} s)", loaded(client, 0))
    if "live" in args.phases:
        rows = rewrite_recent(client)
        run(
            "live",
            f"optimized part + 3 small parts rewriting {rows:,} incidents, merges stopped",
            loaded(client, 0),
        )
    return generated, phases


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
            generated, phases = measure(client, console, spec, args)
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
    }
    path = write_json(args.results, started, spec, generated, phases, extra)
    console.print(
        f"Target: median of engine-only runs (FORMAT Null) < {TARGET_MS:.0f} ms. "
        f"Total {total_s:.0f} s. Results: {path}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
