"""Latency on a paced stream (every stream contender) and state size per open incident (ours).

Each measurement uses fresh topics on the benchmark's broker and a fresh
chDB database per process, so it never sees the throughput dataset.

* Latency: the contender runs caught up while incidents arrive in real time
  (event time = now). For each incident the resolving alert is produced at a
  recorded moment; its resolved row's ``inserted_at`` (ClickHouse's clock at
  insert, same host) is when it became visible. p50/p90/p99 over the
  incidents. Every stream contender writes to chDB; ours also to a local
  ClickHouse server (``streams.devtools.clickhouse``, started for this and
  stopped after), the production store, with a fresh ``mttr`` database.
* State: ours receives one firing alert for each of N services (N open
  incidents); RSS growth and changelog bytes, per open incident.
"""

from __future__ import annotations

import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from kafka import KafkaProducer
from pydantic import SecretStr
from rich.console import Console

from bench.pipeline import dataset as data
from bench.pipeline.contest import Contender, launch, prepare
from bench.pipeline.contract import ContenderConfig
from bench.pipeline.measure import GroupWatch, memory_kib, topic_bytes
from bench.scaling_run import fresh_database
from streams.devtools.broker.ports import free_port
from streams.devtools.clickhouse import server
from streams.devtools.processes import stop_process
from streams.engine.incident import incident_id
from streams.settings import Settings
from streams.storage.clickhouse import connect

PASSWORD = "bench-writer-password"  # noqa: S105  # a throw-away server on loopback


@dataclass(frozen=True)
class Server:
    """A ClickHouse server ours writes to instead of its chDB database."""

    url: str  # the writer user, no password
    password: str

    def settings(self, folder: Path) -> Settings:
        """Return settings that reach the server as the writer."""
        return Settings(
            clickhouse_url=SecretStr(self.url),
            clickhouse_password=SecretStr(self.password),
            var_dir=folder,
        )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _alert(service: str, alert_id: str, status: str) -> dict[str, Any]:
    return {
        "event_id": f"{alert_id}-{status}-{uuid.uuid4().hex[:8]}",
        "type": "alert",
        "service": service,
        "occurred_at": _now(),
        "alert_id": alert_id,
        "name": "LatencyProbe",
        "status": status,
        "severity": "high",
    }


def _fresh(bootstrap: str, work: Path, name: str, lateness_s: float | None) -> ContenderConfig:
    tag = f"{name}-{uuid.uuid4().hex[:6]}"
    topics = data.Topics(f"{tag}-alerts", f"{tag}-deploys", f"{tag}-tickets")
    data.create_topics(bootstrap, topics)
    folder = work / tag
    chdb = prepare(folder)
    return ContenderConfig(
        bootstrap=bootstrap,
        topics={"alert": topics.alerts, "deploy": topics.deploys, "ticket": topics.tickets},
        group=f"bench-{tag}",
        chdb_path=str(chdb),
        state_dir=str(folder / "state"),
        partitions=data.PARTITIONS,
        **({"allowed_lateness_s": lateness_s} if lateness_s else {}),
    )


def _send(producer: KafkaProducer, config: ContenderConfig, event: dict[str, Any]) -> float:
    """Send one event (acks=all, waited for); return the moment it was handed to the producer."""
    at = time.time()
    producer.send(
        config.topics[event["type"]], key=event["service"].encode(), value=orjson.dumps(event)
    ).get(timeout=30)
    return at


def _wait_caught_up(config: ContenderConfig, total: int, timeout: float) -> bool:
    watch = GroupWatch(config.bootstrap, config.group, tuple(config.topics.values()), total)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if watch.look().caught_up:
                return True
            time.sleep(0.25)
        return False
    finally:
        watch.close()


def latency(
    bootstrap: str, work: Path, contender: Contender, incidents: int, rate: float,
    on: Server | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Measure produce-to-visible latency of resolved incidents on a paced stream.

    The contender writes to its own chDB database, or (ours) to ``on``.
    """
    engine = "chDB" if on is None else "ClickHouse server"
    config = _fresh(bootstrap, work, f"latency-{contender.name}", contender.lateness_s)
    folder = Path(config.state_dir).parent
    config.write(folder / "config.json")
    store = None
    if on is not None:
        fresh_database(on.settings(folder))
        store = {"MTTR_CLICKHOUSE_URL": on.url, "MTTR_CLICKHOUSE_PASSWORD": on.password}
    process = launch(contender, config, folder / "config.json", folder / "log.txt", 0, store)
    failed = {"contender": contender.name, "engine": engine}
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    sent = 0
    produced: dict[str, float] = {}
    try:
        sent += 1
        _send(producer, config, _alert("warm-up", "w", "firing"))
        if not _wait_caught_up(config, sent, timeout=120):
            return {**failed, "error": "never consumed the warm-up event"}
        for n in range(incidents):
            service = f"probe-{n:04d}"
            firing = _alert(service, f"p{n}", "firing")
            _send(producer, config, firing)
            time.sleep(0.5 / rate)
            produced[incident_id(service, "production", firing["event_id"])] = _send(
                producer, config, _alert(service, f"p{n}", "resolved")
            )
            sent += 2
            time.sleep(0.5 / rate)
        _wait_caught_up(config, sent, timeout=120)
        time.sleep(3)  # the last batch's insert
    finally:
        producer.close()
        stop_process(process, timeout=60)
    chdb = Settings(clickhouse_url=f"chdb://{config.chdb_path}", var_dir=folder)
    client = connect(chdb if on is None else on.settings(folder))
    try:
        result = client.query(
            "SELECT incident_id, toFloat64(min(inserted_at)) FROM mttr.incidents"
            " WHERE status = 'resolved' GROUP BY incident_id"
        )
        visible: dict[str, float] = {row[0]: float(row[1]) for row in result.result_rows}
    finally:
        client.close()
    delays = sorted(visible[i] - at for i, at in produced.items() if i in visible)
    if not delays:
        return {**failed, "error": "no resolved incident became visible"}
    return {
        **failed,
        "incidents": len(produced),
        "visible": len(delays),
        "p50_ms": round(statistics.median(delays) * 1000, 1),
        "p90_ms": round(delays[min(len(delays) - 1, int(len(delays) * 0.9))] * 1000, 1),
        "p99_ms": round(delays[min(len(delays) - 1, int(len(delays) * 0.99))] * 1000, 1),
        "max_ms": round(delays[-1] * 1000, 1),
        "rate_per_s": rate,
    }


def state_size(bootstrap: str, broker_dir: Path, work: Path, open_incidents: int) -> dict[str, Any]:
    """Open one incident for each of ``open_incidents`` services in ours; memory and changelog."""
    ours = Contender("ours")
    config = _fresh(bootstrap, work, "state-ours", None)
    folder = Path(config.state_dir).parent
    process = launch(ours, config, folder / "config.json", folder / "log.txt", 0)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20)
    try:
        _send(producer, config, _alert("warm-up", "w", "firing"))
        if not _wait_caught_up(config, 1, timeout=120):
            return {"error": "never consumed the warm-up event"}
        time.sleep(2)
        before = memory_kib(process.pid)[0]
        for n in range(open_incidents):
            event = _alert(f"open-{n:06d}", f"o{n}", "firing")
            producer.send(config.topics["alert"], key=event["service"].encode(),
                          value=orjson.dumps(event))  # fmt: skip
        producer.flush()
        caught_up = _wait_caught_up(config, open_incidents + 1, timeout=1200)
        time.sleep(2)
        after = memory_kib(process.pid)[0]
    finally:
        producer.close()
        stop_process(process, timeout=60)
    changelog = topic_bytes(broker_dir / "data", f"{config.group}-incident-state-changelog")
    return {
        "open_incidents": open_incidents,
        "caught_up": caught_up,
        "rss_before_mib": round(before / 1024, 1),
        "rss_after_mib": round(after / 1024, 1),
        "rss_bytes_per_open_incident": round((after - before) * 1024 / open_incidents),
        "changelog_bytes_per_open_incident": round(changelog / open_incidents),
    }


def run_all(
    bootstrap: str, broker_dir: Path, work: Path, console: Console, contenders: list[Contender],
    open_incidents: int = 100_000,
) -> dict[str, Any]:  # fmt: skip
    """Measure the latency of every stream contender (and of ours on a server), then state."""
    results: dict[str, Any] = {"latency": [], "state": None}
    for contender in [c for c in contenders if not c.raw]:
        console.print(f"latency: {contender.name} on a paced stream, chDB ...", end=" ")
        figures = latency(bootstrap, work, contender, incidents=100, rate=10.0)
        results["latency"].append(figures)
        console.print(figures)
    if any(c.name == "ours" for c in contenders):
        console.print("latency: ours on a paced stream, ClickHouse server ...", end=" ")
        server_dir = work / "clickhouse-latency"
        ch, _ = server.start(server_dir, http_port=free_port(), tcp_port=free_port(),
                             writer_password=PASSWORD, reader_password=None)  # fmt: skip
        try:
            on = Server(ch.url, PASSWORD)
            figures = latency(bootstrap, work, Contender("ours"), incidents=100, rate=10.0, on=on)
        finally:
            server.stop(server_dir)
        results["latency"].append(figures)
        console.print(figures)
    console.print(f"state: {open_incidents:,} open incidents in ours ...", end=" ")
    results["state"] = state_size(bootstrap, broker_dir, work, open_incidents)
    console.print(results["state"])
    return results
