"""``python -m bench profile``: where ``mttr worker``'s CPU goes, stage by stage.

Pre-fills the pipeline benchmark's topics (bench/pipeline/dataset.py) on a
fresh local broker, runs the unmodified worker over them (as ``ours`` in
bench/pipeline) with py-spy attached (``--nonblocking``: the worker is never
paused), stops once the group has committed everything, and sums py-spy's
samples into stages (bench/profile_stages.py). Prints a table and writes
``bench/results/profile-<UTC date>.json`` with the raw stacks next to it, so
a change can be compared stage by stage. py-spy comes from the ``dev`` extra.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
from rich.console import Console
from rich.table import Table

from bench.gateway import exit_on_sigterm
from bench.pipeline import dataset as data
from bench.pipeline.contenders import ours
from bench.pipeline.contest import prepare
from bench.pipeline.contract import ContenderConfig
from bench.pipeline.measure import GroupWatch, cpu_seconds
from bench.profile_stages import parse, shares
from bench.report import load_average, machine
from streams.devtools.broker import local
from streams.devtools.processes import stop_process
from streams.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the options of ``python -m bench profile``."""
    parser = argparse.ArgumentParser(prog="python -m bench profile", description=__doc__)
    parser.add_argument("--events", type=int, default=50_000, help="distinct events (50000)")
    parser.add_argument("--services", type=int, default=2000, help="services (default 2000)")
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second (200)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    return parser.parse_args(argv)


def py_spy() -> str:
    """Return the py-spy executable next to this Python, or on PATH."""
    local_one = Path(sys.executable).with_name("py-spy")
    found = str(local_one) if local_one.exists() else shutil.which("py-spy")
    if found is None:
        msg = "py-spy is missing: make .venv/.installed installs the dev extra"
        raise SystemExit(msg)
    return found


def profile_worker(bootstrap: str, topics: data.Topics, total: int, work: Path, rate: int) -> dict:  # type: ignore[type-arg]
    """Run the worker over the topics under py-spy; return its figures and stage samples."""
    folder = work / "ours"
    config = ContenderConfig(
        bootstrap=bootstrap,
        topics={"alert": topics.alerts, "deploy": topics.deploys, "ticket": topics.tickets},
        group=f"bench-profile-{time.time_ns()}",
        chdb_path=str(prepare(folder)),
        state_dir=str(folder / "state"),
        partitions=data.PARTITIONS,
    )
    stacks = folder / "stacks.txt"
    watch = GroupWatch(bootstrap, config.group, topics.names, total)
    with (folder / "log.txt").open("ab") as log:
        worker = subprocess.Popen(  # noqa: S603
            ours.command(), env=ours.environment(config, local.free_port()), stdout=log,
            stderr=log, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        spy = subprocess.Popen(  # noqa: S603
            [py_spy(), "record", "--nonblocking", "--format", "raw", "--rate", str(rate),
             "--output", str(stacks), "--pid", str(worker.pid)],
            stdout=log, stderr=log,
        )  # fmt: skip
    started = time.monotonic()
    try:
        while not watch.look().caught_up:
            if worker.poll() is not None:
                msg = f"the worker exited {worker.returncode}; see {folder}/log.txt"
                raise SystemExit(msg)
            time.sleep(0.25)
        seconds, cpu = time.monotonic() - started, cpu_seconds(worker.pid)
    finally:
        watch.close()
        spy.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        spy.wait(timeout=60)
        stop_process(worker, timeout=60)
    totals = parse(stacks.read_text().splitlines()) if stacks.exists() else {}
    return {
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 2),
        "cpu_seconds_per_1m_events": round(cpu / total * 1e6, 1),
        "stages": [
            {"stage": name, "samples": n, "share": round(share, 4)}
            for name, n, share in shares(totals)  # type: ignore[arg-type]
        ],
        "stacks": str(stacks),
    }


def render(result: dict) -> Table:  # type: ignore[type-arg]
    """Return the stage table."""
    view = Table(
        title=f"mttr worker CPU by stage ({result['cpu_seconds_per_1m_events']:,.0f} CPU s per "
        f"1M events, {result['seconds']:.0f} s)"
    )
    for name in ("stage", "samples", "share"):
        view.add_column(name, justify="left" if name == "stage" else "right")
    for row in result["stages"]:
        view.add_row(row["stage"], f"{row['samples']:,}", f"{row['share']:.1%}")
    return view


def main(argv: list[str] | None = None) -> int:
    """Profile the worker on the pipeline dataset; exit 0."""
    args = parse_args(argv or [])
    console = Console()
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    with tempfile.TemporaryDirectory(prefix="mttr-bench-profile-") as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        dataset = data.build(args.services, args.events)
        base = Settings()
        broker_dir = work / "kafka"
        state, _ = local.start(broker_dir, port=local.free_port(),
                               cache_dir=base.resolved_kafka_cache_dir(),
                               kafka_version=base.kafka_version, heap="1g")  # fmt: skip
        try:
            topics = data.Topics("bench-alerts", "bench-deploys", "bench-tickets")
            data.create_topics(state.bootstrap, topics)
            data.prefill(state.bootstrap, topics, dataset)
            result = profile_worker(state.bootstrap, topics, len(dataset.messages), work, args.rate)
        finally:
            local.stop(broker_dir)
        console.print(render(result))
        stamp = datetime.now(UTC)
        RESULTS.mkdir(exist_ok=True)
        raw = RESULTS / f"profile-{stamp:%Y-%m-%d}-stacks.txt"
        shutil.copyfile(result["stacks"], raw)
        result.update(stacks=raw.name, date=stamp.isoformat(timespec="seconds"),
                      machine=machine("chDB"), load_average=load_average(),
                      messages=len(dataset.messages))  # fmt: skip
        path = RESULTS / f"profile-{stamp:%Y-%m-%d}.json"
        path.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
        console.print(f"written {path}")
    return 0
