"""Gateway with the broker down: SIGKILL the broker while webhooks stream in.

The gateway runs on a broker of the test's own (tests/support/private_broker.py) with
a short Kafka acknowledgement timeout (``gateway_timeout_s``). Two sender
threads post a steady stream of webhooks: ``POST /events`` batches of
contract events with unique ids and Alertmanager v4 notifications (ids
derived by the adapter, read back from the 2xx body). After a few seconds of
traffic the broker is SIGKILLed; the senders keep going through the outage,
then the broker restarts on the same port and data directory and sending
goes on until 2xx answers come back. Finally a worker drains the topics
into chDB.

Invariants:

* every answer is 2xx or 503, never anything else (nor a dropped connection);
* a request sent after the broker died and answered before it restarted is
  never 2xx (nothing could have acknowledged it), and there are such 503s;
* every event id of a 2xx answer is in ``mttr.events``: nothing acknowledged
  is lost. Events of a 503 may still reach Kafka (the client retries them:
  at least once); their count is only printed.

Run with ``pytest -s`` to see what was injected and what was counted.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from streams.devtools.broker.local import free_port, port_open
from streams.devtools.processes import stop_process
from streams.devtools.wait import wait_processed
from streams.settings import Settings
from streams.storage.clickhouse import connect
from tests.support.private_broker import private_broker
from tests.support.processes import start_mttr, start_worker, wait_http

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]

SENDERS = 2
TIMEOUT_S = 3.0  # the gateway's Kafka acknowledgement timeout
BEFORE_S, DOWN_S, AFTER_S = 4.0, 12.0, 3.0  # traffic before the kill, during, after the first 2xx


@dataclass
class Sent:
    """One request: when it left and came back, what it carried, what was answered."""

    sent: float
    path: str
    carried: list[str]
    answered: float = 0.0
    status: int | None = None  # None: no HTTP answer (connection error, timeout)
    error: str = ""
    acked: list[str] = field(default_factory=list)


def _batch(n: int) -> list[dict[str, Any]]:
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    common = {"service": "shop", "occurred_at": at}
    alert = {**common, "type": "alert", "environment": "production", "name": "HighLatency",
             "status": "firing", "severity": "high"}  # fmt: skip
    deploy = {**common, "type": "deploy", "deploy_id": f"d{n}", "status": "succeeded",
              "kind": "release"}  # fmt: skip
    return [{**alert, "event_id": f"gw-{n}-a", "alert_id": f"a{n}"},
            {**deploy, "event_id": f"gw-{n}-d"},
            {**alert, "event_id": f"gw-{n}-b", "alert_id": f"b{n}"}]  # fmt: skip


def _notification(n: int) -> tuple[dict[str, Any], list[str]]:
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    alerts = [{"status": "firing", "labels": {"alertname": "TargetDown", "job": "shop"},
               "annotations": {}, "startsAt": at, "endsAt": "0001-01-01T00:00:00Z",
               "generatorURL": "", "fingerprint": f"fp{n}x{i}"} for i in range(2)]  # fmt: skip
    body = {"version": "4", "groupKey": f"{{}}:{{n={n}}}", "status": "firing",
            "receiver": "mttr", "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
            "externalURL": "http://alertmanager:9093", "alerts": alerts}  # fmt: skip
    return body, [f"am-fp{n}x{i}-firing-{at}" for i in range(2)]


def _post(base: str, n: int) -> Sent:
    if n % 2:
        body: Any
        body, carried = _notification(n)
        path = "/webhooks/alertmanager"
    else:
        body = _batch(n)
        carried, path = [e["event_id"] for e in body], "/events"
    record = Sent(time.monotonic(), path, carried)
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S + 20) as response:
            record.status, answer = response.status, json.load(response)
            record.acked = list(answer.get("event_ids", []))
    except urllib.error.HTTPError as exc:
        record.status = exc.code
        record.error = exc.read().decode(errors="replace")[:200]
    except OSError as exc:
        record.error = repr(exc)
    record.answered = time.monotonic()
    return record


class Senders:
    """``SENDERS`` threads posting webhooks until the block ends; every request is recorded."""

    def __init__(self, base: str) -> None:
        self.base, self._ids = base, count()
        self.records: list[Sent] = []
        self._stop, self._lock = threading.Event(), threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(SENDERS)]

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                n = next(self._ids)
            record = _post(self.base, n)
            with self._lock:
                self.records.append(record)
            time.sleep(0.05)

    def ok_since(self, moment: float) -> bool:
        with self._lock:
            return any(r.sent >= moment and r.status == 200 for r in self.records)

    def __enter__(self) -> Senders:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(TIMEOUT_S + 30)


def _watch_port(port: int, reopened: list[float]) -> threading.Thread:
    """Record in ``reopened`` when the (killed) broker accepts connections again."""

    def watch() -> None:
        while not port_open(port, timeout=0.2):
            time.sleep(0.05)
        reopened.append(time.monotonic())

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def _stored_ids(settings: Settings) -> set[str]:
    client = connect(settings)
    try:
        rows = client.query("SELECT event_id FROM mttr.events FINAL").result_rows
    finally:
        client.close()
    return {row[0] for row in rows}


def test_broker_killed_while_receiving_webhooks(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    gateway_log, worker_log = tmp_path / "gateway.log", tmp_path / "worker.log"
    with private_broker(tmp_path / "kafka") as broker:
        settings = isolated_settings.model_copy(
            update={
                "kafka_bootstrap": broker.bootstrap,
                "gateway_port": free_port(),
                "gateway_timeout_s": TIMEOUT_S,
                "sink_batch_seconds": 0.2,
                "idle_flush_s": 1.0,
            }
        )
        base = f"http://127.0.0.1:{settings.gateway_port}"
        gateway = start_mttr("gateway", settings, gateway_log)
        worker = None
        try:
            wait_http(f"{base}/healthz")
            with Senders(base) as senders:
                time.sleep(BEFORE_S)
                assert senders.ok_since(0.0), gateway_log.read_text()[-3000:]
                kill_started = time.monotonic()
                pid = broker.kill()
                killed = time.monotonic()  # the port is closed: nothing can be acknowledged
                reopened: list[float] = []
                watcher = _watch_port(broker.port, reopened)
                time.sleep(DOWN_S)
                restart_started = time.monotonic()
                restart_s = broker.start()
                deadline = time.monotonic() + 90
                while not senders.ok_since(restart_started) and time.monotonic() < deadline:
                    time.sleep(0.2)
                back = time.monotonic() - restart_started
                watcher.join(5)
                time.sleep(AFTER_S)
            records = sorted(senders.records, key=lambda r: r.sent)
            assert gateway.poll() is None, gateway_log.read_text()[-3000:]
            gateway_code = stop_process(gateway)
            worker = start_worker(settings, worker_log)
            wait_processed(settings, timeout=180)
            assert worker.poll() is None, worker_log.read_text()[-3000:]
            worker_code = stop_process(worker)
        finally:
            stop_process(gateway, timeout=10)
            if worker is not None:
                stop_process(worker, timeout=10)

    t0 = records[0].sent
    ok = [r for r in records if r.status == 200]
    refused = [r for r in records if r.status == 503]
    other = [r for r in records if r.status not in (200, 503)]
    down = [r for r in records if r.sent >= killed and r.answered < reopened[0]]
    acked = {event_id for r in ok for event_id in r.acked}
    refused_ids = {event_id for r in refused for event_id in r.carried} - acked
    stored = _stored_ids(settings)
    lost = acked - stored
    print(
        f"\ninjected: SIGKILL broker pid {pid} at {kill_started - t0:.2f}s "
        f"(port closed after {killed - kill_started:.2f}s); down {restart_started - killed:.1f}s; "
        f"restart took {restart_s:.1f}s (port open after {reopened[0] - restart_started:.1f}s); "
        f"first 2xx {back:.1f}s after the restart began"
    )
    print(
        f"counted: {len(records)} requests, {len(ok)} 2xx, {len(refused)} 503, "
        f"{len(other)} other; {len(down)} while down "
        f"({sum(r.status == 503 for r in down)} 503, {sum(r.status == 200 for r in down)} 2xx); "
        f"{len(acked)} events acknowledged, {len(stored)} in ClickHouse, lost {len(lost)}; "
        f"{len(refused_ids & stored)}/{len(refused_ids)} events of 503s reached Kafka anyway"
    )
    assert (gateway_code, worker_code) == (0, 0), [
        f.read_text()[-3000:] for f in (gateway_log, worker_log)
    ]
    assert other == [], other[:5]
    assert [r for r in down if r.status == 200] == []
    assert sum(r.status == 503 for r in down) >= 3
    assert all(set(r.acked) == set(r.carried) for r in ok), "a 2xx must acknowledge every event"
    assert back < 90, "the gateway never answered 2xx again after the broker restarted"
    assert lost == set(), sorted(lost)[:20]
