"""Run one contender over the pre-filled topics and measure it (one round)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from bench.pipeline.contenders import ours
from bench.pipeline.contract import ContenderConfig, differences, event_count, incident_rows
from bench.pipeline.measure import GroupWatch, cpu_seconds, memory_kib
from streams.devtools.broker.local import free_port
from streams.devtools.processes import stop_process
from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate

SETTLE_S = 3.0  # caught up and unchanged this long: done


@dataclass
class Contender:
    """A contender: how to start it and whether it is a raw consumer (no database)."""

    name: str
    python: str = sys.executable
    raw: bool = False
    lateness_s: float | None = None  # None: the default rules (ours)
    rounds: int | None = None  # at most this many rounds (None: every round)


@dataclass
class Outcome:
    """What one round of one contender measured."""

    name: str
    events: int
    seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    wall_seconds: float
    incidents: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    stored_events: int = 0
    startup_cpu_seconds: float = 0.0  # spent before the group joined (imports, set-up)
    mismatch: str = ""
    error: str = ""

    @property
    def events_per_second(self) -> float:
        """Return the throughput of this round."""
        return self.events / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        """Return the JSON-able figures (not the incidents)."""
        return {
            "name": self.name,
            "events": self.events,
            "seconds": round(self.seconds, 3),
            "events_per_second": round(self.events_per_second, 1),
            "cpu_seconds": round(self.cpu_seconds, 2),
            "startup_cpu_seconds": round(self.startup_cpu_seconds, 2),
            "peak_rss_mib": round(self.peak_rss_mib, 1),
            "wall_seconds": round(self.wall_seconds, 2),
            "incidents": len(self.incidents),
            "stored_events": self.stored_events,
            "mismatch": self.mismatch,
            "error": self.error,
        }


def prepare(folder: Path) -> Path:
    """Create a fresh folder with ``state/`` and a migrated chDB database; return its path."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "state").mkdir(parents=True)
    path = folder / "chdb"
    client = connect(Settings(clickhouse_url=f"chdb://{path}", var_dir=folder))
    try:
        migrate(client, load_migrations())
    finally:
        client.close()
    return path


def launch(
    contender: Contender,
    config: ContenderConfig,
    config_path: Path,
    log: Path,
    expected: int,
    store: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start the contender's process, logging to ``log``.

    ``store`` (ours only) replaces the chDB store with other settings, e.g.
    ``MTTR_CLICKHOUSE_URL`` and ``MTTR_CLICKHOUSE_PASSWORD`` of a server.
    """
    if contender.name == "ours":
        argv, env = ours.command(), {**ours.environment(config, free_port()), **(store or {})}
    else:
        module = f"bench.pipeline.contenders.{contender.name}"
        argv = [contender.python, "-m", module, str(config_path)]
        argv += [str(expected)] if contender.raw else []
        env = None
    with log.open("ab") as handle:
        return subprocess.Popen(  # noqa: S603
            argv,
            env=env,
            stdout=subprocess.PIPE if contender.raw else handle,
            stderr=handle,
            stdin=subprocess.DEVNULL,
        )


def run_raw(contender: Contender, config: ContenderConfig, folder: Path, expected: int) -> Outcome:
    """Run a raw consumer to the end; it reports its own timings."""
    config_path = folder / "config.json"
    config.write(config_path)
    started = time.monotonic()
    process = launch(contender, config, config_path, folder / "log.txt", expected)
    out, _ = process.communicate(timeout=1800)
    wall = time.monotonic() - started
    if process.returncode != 0:
        tail = (folder / "log.txt").read_text()[-800:]
        return Outcome(contender.name, 0, 0, 0, 0, wall, error=f"exit {process.returncode}: {tail}")
    figures = orjson.loads(out.strip().splitlines()[-1])
    return Outcome(
        contender.name,
        events=int(figures["messages"]),
        seconds=float(figures["seconds"]),
        cpu_seconds=float(figures["cpu_seconds"]),
        peak_rss_mib=float(figures.get("peak_rss_kib", 0)) / 1024,
        wall_seconds=wall,
    )


def run_stream(
    contender: Contender,
    config: ContenderConfig,
    folder: Path,
    expected: int,
    sources: tuple[str, ...],
    timeout: float = 1800,
) -> Outcome:
    """Run a stream processor until its group caught up and stayed so; read its database."""
    config_path = folder / "config.json"
    config.write(config_path)
    log = folder / "log.txt"
    watch = GroupWatch(config.bootstrap, config.group, sources, expected)
    started = time.monotonic()
    process = launch(contender, config, config_path, log, expected)
    joined_at: float | None = None
    startup_cpu = 0.0
    caught_since: float | None = None
    caught_at = 0.0
    cpu = peak = 0.0
    try:
        while True:
            if process.poll() is not None:
                tail = log.read_text()[-800:]
                error = f"exited {process.returncode}: {tail}"
                return Outcome(contender.name, 0, 0, 0, 0, time.monotonic() - started, error=error)
            progress = watch.look()
            if time.monotonic() - started > timeout:  # report the rate so far; not counted
                begin = joined_at or started
                return Outcome(
                    contender.name,
                    events=progress.committed_sources,
                    seconds=progress.at - begin,
                    cpu_seconds=cpu_seconds(process.pid),
                    peak_rss_mib=memory_kib(process.pid)[1] / 1024,
                    wall_seconds=progress.at - started,
                    error=f"stopped after {timeout:.0f} s with {progress.committed_sources:,} "
                    f"of {expected:,} messages committed (rate so far; output not checked)",
                )
            if joined_at is None and watch.joined():
                joined_at = time.monotonic()
                startup_cpu = cpu_seconds(process.pid)
            if progress.caught_up:
                if caught_since is None:
                    caught_since, caught_at = progress.at, progress.at
                    cpu = cpu_seconds(process.pid)
                    peak = memory_kib(process.pid)[1] / 1024
                elif progress.at - caught_since >= SETTLE_S:
                    break
            else:
                caught_since = None
            time.sleep(0.25)
    finally:
        watch.close()
        code = stop_process(process, timeout=60)
    wall = caught_at - started
    outcome = Outcome(
        contender.name,
        events=expected,
        seconds=caught_at - (joined_at or started),
        cpu_seconds=cpu,
        peak_rss_mib=peak,
        wall_seconds=wall,
        startup_cpu_seconds=startup_cpu,
    )
    if code not in (0, -15):
        outcome.error = f"exit {code} on SIGTERM"
    client = connect(Settings(clickhouse_url=f"chdb://{config.chdb_path}", var_dir=folder))
    try:
        outcome.incidents = incident_rows(client)
        outcome.stored_events = event_count(client)
    finally:
        client.close()
    return outcome


def judge(outcome: Outcome, reference: Outcome | None) -> None:
    """Set ``outcome.mismatch`` when its incidents differ from ``reference``'s (ours)."""
    if reference is not None and outcome.name != reference.name and not outcome.error:
        outcome.mismatch = differences(reference.incidents, outcome.incidents)
