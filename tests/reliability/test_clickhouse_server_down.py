"""ClickHouse server down: SIGKILL the one server two workers write to, restart it 10 s later.

Production shape: two workers of one group (4 partitions per topic, each
worker its own state and web port) store into one ClickHouse server
(tests/support/private_clickhouse.py) over HTTP, and a ``mttr gateway``
takes webhooks beside them. The first half of the scripted history
(tests/support/scripted_history.py, with duplicates) is processed; then the
second half and 4,000 deploys of 50 services without alerts start arriving
in slices, and 2 s later the server is SIGKILLed. For 10 s nothing can be
stored; the server then restarts on the same data directory and ports.

Invariants:

* the workers back off: both stay alive and stop consuming (their ``valid``
  counters stand still), their inserts are retried with growing delays up
  to ``MTTR_SINK_RETRY_MAX_SECONDS``, and their logs grow by a handful of
  lines a second, not a tight loop; their memory stays flat;
* the group lag grows during the outage, then drains to 0 by itself after
  the restart, and no source partition is left lagging;
* the gateway, which does not need ClickHouse, answers 2xx throughout;
* nothing is lost or duplicated: ``mttr.events FINAL`` holds every published
  and gateway-acknowledged event once, no dead letter, and
  ``mttr.incidents FINAL`` is exactly the hand-computed incidents;
* the views read after the restart (snapshot plus live rows) equal the
  Python model computed from ``mttr.incidents FINAL``.

Run with ``pytest -s`` to see what was injected and what was counted.
"""

from __future__ import annotations

import random
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from streams.devtools.broker.local import free_port
from streams.devtools.processes import stop_process
from streams.devtools.wait import wait_processed
from streams.kafka.lag import group_lag
from streams.settings import Settings
from streams.storage.clickhouse import connect
from tests.support.faults import status_summary, stored_events, topic_size
from tests.support.outage_watch import (
    Trickle,
    deploys,
    metrics_lag,
    post_events,
    retries,
    rss_kib,
)
from tests.support.private_clickhouse import private_clickhouse
from tests.support.processes import start_gateway, start_worker, wait_http, wait_status
from tests.support.scripted_history import DAY_LATER, HISTORY, check
from tests.support.scripted_stream import incidents, publish, scripted_settings, settle
from tests.support.view_database import assert_same, view_rows
from tests.support.view_model import day_of, expected_bucketed, expected_by_service_severity

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]

BULK = 4000
BEFORE_S, DOWN_S = 2.0, 10.0
RETRY_CAP_S = 2.0  # MTTR_SINK_RETRY_MAX_SECONDS of the workers
MAX_LOG_LINES_PER_S = 10  # a busy loop writes thousands
MAX_RSS_GROWTH_MIB = 150
COUNTERS = ("batches", "valid", "incident_rows")


def _assigned(status: dict[str, Any]) -> bool:
    return bool(status["partitions"]["assigned"])


def _total_lag(settings: Settings) -> int:
    return sum(group_lag(settings).values())


def _settings(base: Settings, tmp_path: Path, target: dict[str, Any]) -> tuple[Settings, ...]:
    a = scripted_settings(base, tmp_path, "a").model_copy(
        update={
            **target,
            "sink_batch_size": 200,
            "sink_retry_max_seconds": RETRY_CAP_S,
            "snapshot_interval_s": 2.0,
        }
    )
    return a, a.model_copy(update={"var_dir": tmp_path / "b", "web_port": free_port()})


def test_workers_wait_out_a_killed_clickhouse_server(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    events = HISTORY + random.Random(7).sample(HISTORY, 6)  # duplicates (same event_id)
    random.Random(11).shuffle(events)
    first, second = events[: len(events) // 2], events[len(events) // 2 :]
    webhooks = deploys("gw", 5 * 4 * int(DOWN_S))  # 5 a post, at most 4 posts a second
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    gateway_log = tmp_path / "gateway.log"
    workers: list[subprocess.Popen[bytes]] = []
    gateway = None
    with private_clickhouse(tmp_path / "clickhouse") as clickhouse:
        a, b = _settings(isolated_settings, tmp_path, clickhouse.target)
        base = f"http://127.0.0.1:{free_port()}"
        try:
            workers = [start_worker(s, log) for s, log in zip((a, b), logs, strict=True)]
            gateway = start_gateway(a, int(base.rsplit(":", 1)[1]), gateway_log)
            for s in (a, b):
                wait_status(s, _assigned, timeout=180)
            wait_http(f"{base}/healthz")
            publish(a, first, seed=1)
            wait_processed(a, timeout=180)
            before = [wait_status(s, lambda status: True) for s in (a, b)]

            trickle = Trickle(a, second + deploys("bulk", BULK), slices=24, pause=0.5).start()
            time.sleep(BEFORE_S)
            log_sizes = [len(log.read_text().splitlines()) for log in logs]
            killed_pid = clickhouse.kill()
            killed = time.monotonic()
            answers, rss = [], [[rss_kib(w.pid)] for w in workers]
            time.sleep(1.0)  # batches taken before the kill are now failing
            early = [wait_status(s, lambda status: True) for s in (a, b)]
            reported = [[metrics_lag(s) for s in (a, b)]]
            lag = [_total_lag(a)]
            while time.monotonic() - killed < DOWN_S:
                sent = webhooks[5 * len(answers) : 5 * len(answers) + 5]
                answers.append((post_events(base, sent), [e["event_id"] for e in sent]))
                for samples, worker in zip(rss, workers, strict=True):
                    samples.append(rss_kib(worker.pid))
                time.sleep(0.5)
            late = [wait_status(s, lambda status: True) for s in (a, b)]
            reported.append([metrics_lag(s) for s in (a, b)])
            lag.append(_total_lag(a))
            alive = [w.poll() is None for w in workers]
            down_lines = [len(log.read_text().splitlines()) for log in logs]
            down_s = time.monotonic() - killed
            restart_s = clickhouse.start()
            restarted = time.monotonic()

            published = trickle.join(180)
            wait_processed(a, timeout=300)
            drained_s = time.monotonic() - restarted
            lag.append(_total_lag(a))
            publish(a, [DAY_LATER], seed=0)
            for s in (a, b):
                settle(s, timeout=180)
            after = [wait_status(s, lambda st: not st["lagging_partitions"]) for s in (a, b)]
            assert all(w.poll() is None for w in workers), [x.read_text()[-3000:] for x in logs]
            codes = [stop_process(w) for w in workers]
            assert gateway.poll() is None, gateway_log.read_text()[-3000:]
            gateway_code = stop_process(gateway)
        except BaseException:
            for log in [*logs, gateway_log]:
                tail = "\n".join(log.read_text().splitlines()[-60:]) if log.exists() else ""
                print(f"{log.name}, last lines:\n{tail}")
            raise
        finally:
            for process in [*workers, *([gateway] if gateway else [])]:
                stop_process(process, timeout=10)

        stored, raw_rows = stored_events(a)
        rows = incidents(a)
        client = connect(a)
        try:
            views = {
                "mttr_by_service_severity": view_rows(
                    client, "mttr_by_service_severity", ("service", "environment", "severity")
                ),
                "mttr_daily": view_rows(
                    client, "mttr_daily", ("day", "service", "environment", "severity")
                ),
            }
        finally:
            client.close()

    texts = [log.read_text() for log in logs]
    found = [retries(text) for text in texts]
    rates = [(n - m) / down_s for n, m in zip(down_lines, log_sizes, strict=True)]
    growth = [(max(samples) - samples[0]) // 1024 for samples in rss]
    acked = {event_id for (_, ids), _ in answers for event_id in ids}
    dead_letters = topic_size(a, a.topic_dead_letter)
    valid_ids = {e["event_id"] for e in [*HISTORY, DAY_LATER, *deploys("bulk", BULK)]} | acked
    duplicated = {event_id for event_id, n in stored.items() if n != 1}
    lost = valid_ids - set(stored)
    print(
        f"\ninjected: SIGKILL of the ClickHouse server pid {killed_pid} {BEFORE_S:.0f} s into "
        f"publishing {published} messages; down {down_s:.1f} s; restart took {restart_s:.1f} s"
    )
    for name, i in (("A", 0), ("B", 1)):
        delays = sorted({r.delay for r in found[i]})
        print(
            f"worker {name}: {len(found[i])} retries logged (delays {delays} s), "
            f"{rates[i]:.1f} log lines/s while down; RSS {rss[i][0] // 1024} MiB at the kill, "
            f"max {max(rss[i]) // 1024} MiB while down; counters "
            f"{' -> '.join(status_summary(x[i], COUNTERS) for x in (before, early, late, after))}"
            f" (before, down, down, after); lagging_partitions while down "
            f"{early[i]['lagging_partitions']} -> {late[i]['lagging_partitions']}"
        )
    print(
        f"lag (uncommitted source messages): {lag[0]} 1 s after the kill, {lag[1]} at the "
        f"restart, {lag[2]} after draining ({drained_s:.1f} s after the restart); gateway: "
        f"{len(answers)} posts while down, statuses {sorted({s for (s, _), _ in answers})}"
    )
    print(
        f"lag the workers report (mttr_consumer_lag, A and B): {reported[0]} 1 s after the kill,"
        f" {reported[1]} at the restart (offsets are re-read only when a batch starts)"
    )
    print(
        f"counted: {len(valid_ids)} events published or acknowledged, {len(stored)} stored "
        f"({raw_rows} rows before merges), duplicates {len(duplicated)}, lost {len(lost)}, "
        f"{len(rows)} incidents, {dead_letters} dead letters"
    )

    assert alive == [True, True], "a worker died while ClickHouse was down"
    assert codes == [0, 0] and gateway_code == 0, (codes, gateway_code)
    for i in range(2):
        assert late[i]["valid"] == early[i]["valid"], "a worker kept consuming while down"
        assert found[i], f"worker {'AB'[i]} never retried: it had nothing to write?"
        backoff = [min(0.2 * 2 ** (r.attempt - 1), RETRY_CAP_S) for r in found[i]]
        assert [r.delay for r in found[i]] == pytest.approx(backoff), "not a doubling back-off"
        assert max(r.attempt for r in found[i]) >= 5, "the back-off never reached its cap"
        assert rates[i] < MAX_LOG_LINES_PER_S, "the log grows like a busy loop"
        assert growth[i] < MAX_RSS_GROWTH_MIB, f"RSS grew {growth[i]} MiB while down"
    assert lag[1] > lag[0] > 0, "the lag did not grow during the outage"
    assert lag[2] == 0
    assert all(status == 200 for (status, _), _ in answers), answers
    assert all(ids == sent for (_, ids), sent in answers), "a 2xx must acknowledge every event"
    assert duplicated == set(), sorted(duplicated)[:20]
    assert lost == set(), sorted(lost)[:20]
    assert set(stored) == valid_ids
    assert dead_letters == 0
    check(rows)
    current = list(rows.values())
    assert_same(views["mttr_by_service_severity"], expected_by_service_severity(current))
    assert_same(views["mttr_daily"], expected_bucketed(current, day_of))
