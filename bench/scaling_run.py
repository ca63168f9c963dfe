"""One measurement of the scaling benchmark: N ``mttr worker`` processes, one group, one server.

``measure`` drops and re-migrates the ``mttr`` database on the server, starts
N unmodified workers in a fresh consumer group over the pre-filled source
topics (the same settings on every worker but its state folder and web port,
as docs/scaling.md says), and polls until the group has committed every
source message and every message of its internal ``events-by-service`` topic
(the waits of ``streams.devtools.wait``: offsets are committed only after a
batch is stored, so zero lag on both means every event is stored and every
incident row written). It then reads the CPU seconds of the workers, the
server and the broker, each worker's status page, and what the database
holds; the workers are stopped before the incidents are read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import SecretStr

from bench.pipeline.contract import event_count, incident_rows
from bench.pipeline.measure import GroupWatch, cpu_seconds, end_offsets, memory_kib
from bench.report import load_average
from streams.devtools.broker.local import free_port
from streams.devtools.processes import stop_process
from streams.kafka.lag import group_lag
from streams.kafka.names import forwarded_topic_name
from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate

POLL_S = 1.0  # each look opens an admin client (streams.kafka.lag): cheap, not free
TICKS = os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """Return the CPU seconds every process of the machine has spent since boot (/proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICKS


@dataclass(frozen=True)
class Cluster:
    """What every run shares: the broker, the server and the pre-filled source topics."""

    bootstrap: str
    clickhouse_url: str  # the writer user, no password
    password: str
    sources: dict[str, str]  # event type -> topic
    partitions: int
    broker_pid: int
    server_pid: int

    def settings(self, group: str, var_dir: Path, web_port: int) -> Settings:
        """Return one worker's settings (also what the harness waits with)."""
        return Settings(
            kafka_bootstrap=self.bootstrap,
            topic_alerts=self.sources["alert"],
            topic_deploys=self.sources["deploy"],
            topic_tickets=self.sources["ticket"],
            topic_dead_letter=f"{group}-dead-letter",
            topic_incidents=f"{group}-incidents",
            topic_partitions=self.partitions,
            app_id=group,
            var_dir=var_dir,
            web_port=web_port,
            clickhouse_url=SecretStr(self.clickhouse_url),
            clickhouse_password=SecretStr(self.password),
        )


def environment(settings: Settings) -> dict[str, str]:
    """Return the environment of one ``mttr worker``: only what places it, defaults otherwise."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MTTR_")}
    env.update(
        MTTR_KAFKA_BOOTSTRAP=settings.kafka_bootstrap,
        MTTR_TOPIC_ALERTS=settings.topic_alerts,
        MTTR_TOPIC_DEPLOYS=settings.topic_deploys,
        MTTR_TOPIC_TICKETS=settings.topic_tickets,
        MTTR_TOPIC_DEAD_LETTER=settings.topic_dead_letter,
        MTTR_TOPIC_INCIDENTS=settings.topic_incidents,
        MTTR_TOPIC_PARTITIONS=str(settings.topic_partitions),
        MTTR_APP_ID=settings.app_id,
        MTTR_VAR_DIR=str(settings.var_dir),
        MTTR_WEB_PORT=str(settings.web_port),
        MTTR_CLICKHOUSE_URL=settings.resolved_clickhouse_url(),
        MTTR_CLICKHOUSE_PASSWORD=settings.resolved_clickhouse_password() or "",
        MTTR_LOG_LEVEL="warn",
    )
    return env


def fresh_database(settings: Settings) -> None:
    """Drop the ``mttr`` database on the server and apply every migration again."""
    client = connect(settings)
    try:
        client.command("DROP DATABASE IF EXISTS mttr SYNC")
        migrate(client, load_migrations())
    finally:
        client.close()


def status_page(web_port: int) -> dict[str, Any]:
    """Return a worker's ``/mttr/status/`` body ({} if it does not answer)."""
    try:
        url = f"http://127.0.0.1:{web_port}/mttr/status/"
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310  # loopback
            body: dict[str, Any] = orjson.loads(answer.read())
    except (urllib.error.URLError, OSError, ValueError):
        return {}
    return body


def status(web_port: int) -> dict[str, Any]:
    """Return a worker's ``/mttr/status/`` figures the report keeps ({} if it does not answer)."""
    body = status_page(web_port)
    if not body:
        return {}
    assigned = body.get("partitions", {}).get("assigned", [])
    return {
        "valid": body.get("valid"),
        "invalid": body.get("invalid"),
        "late": body.get("late"),
        "incident_rows": body.get("incident_rows"),
        "assigned_partitions": len(assigned),
    }


@dataclass
class Run:
    """What one measurement found."""

    workers: int
    group: str
    figures: dict[str, Any] = field(default_factory=dict)
    incidents: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    error: str = ""


def _processed(settings: Settings) -> bool:
    """Return True once the group committed every source and every forwarded message."""
    try:
        lag = group_lag(settings)
        if not lag or any(lag.values()):
            return False
        forwarded = group_lag(settings, (forwarded_topic_name(settings),))
    except Exception:  # noqa: BLE001  # a broker hiccup or a topic not there yet: look again
        return False
    return bool(forwarded) and not any(forwarded.values())


def _launch(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as handle:
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "streams", "worker"],
            env=environment(settings),
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def measure(cluster: Cluster, workers: int, work: Path, timeout: float) -> Run:
    """Run ``workers`` workers from the start of the topics until all is processed."""
    group = f"bench-scale-{workers}-{time.time_ns()}"
    folders = [work / f"{group}-{n}" for n in range(workers)]
    every = []
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        every.append(cluster.settings(group, folder, free_port()))
    first = every[0]
    fresh_database(first)
    run = Run(workers, group)
    watch = GroupWatch(cluster.bootstrap, group, first.source_topics, 0)
    load_before = load_average()
    base = {
        "server": cpu_seconds(cluster.server_pid),
        "broker": cpu_seconds(cluster.broker_pid),
        "harness": time.process_time(),
        "machine": machine_busy_seconds(),
    }
    started = time.monotonic()
    processes = [_launch(s, Path(s.var_dir) / "worker.log") for s in every]
    joined = done = None
    try:
        while done is None:
            if time.monotonic() - started > timeout:
                run.error = f"not processed within {timeout:.0f} s"
                return run
            for n, process in enumerate(processes):
                if process.poll() is not None:
                    tail = (folders[n] / "worker.log").read_text(errors="replace")[-800:]
                    run.error = f"worker {n} exited with {process.returncode}: {tail}"
                    return run
            if joined is None and watch.members() == workers:
                joined = time.monotonic()
            if joined is not None and _processed(first):
                done = time.monotonic()
            else:
                time.sleep(POLL_S)
        cpu = {
            "workers": sum(cpu_seconds(p.pid) for p in processes),
            "server": cpu_seconds(cluster.server_pid) - base["server"],
            "broker": cpu_seconds(cluster.broker_pid) - base["broker"],
            "harness": time.process_time() - base["harness"],
        }
        cpu["others"] = max(machine_busy_seconds() - base["machine"] - sum(cpu.values()), 0.0)
        rss = sum(memory_kib(p.pid)[1] for p in processes) / 1024
        assert joined is not None  # done is only set after the group joined
        statuses = [status(s.web_port) for s in every]
    finally:
        watch.close()
        codes = [stop_process(p, timeout=60) for p in processes]
    run.figures = {
        "seconds": round(done - started, 2),
        "seconds_to_join": round(joined - started, 2),
        "cpu_seconds": {name: round(value, 2) for name, value in cpu.items()},
        "peak_rss_mib_sum": round(rss, 1),
        "workers_status": statuses,
        "exit_codes": codes,
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }
    client = connect(first)
    try:
        run.figures["stored_events"] = event_count(client)
        rows = client.query("SELECT count() FROM mttr.events").result_rows
        run.figures["event_rows"] = int(rows[0][0])
        run.incidents = incident_rows(client)
    finally:
        client.close()
    run.figures["dead_letters"] = end_offsets(cluster.bootstrap, (first.topic_dead_letter,))
    return run
