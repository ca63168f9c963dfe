"""Poison pill: a producer that starts sending garbage stops the worker with a clear error.

The worker runs with a 20-message window and the default 0.5 ratio. Ten valid
events are stored; then 40 messages that are not JSON arrive (a bad producer
deploy). The worker must stop by itself with a non-zero exit and a log line
naming the limit and how to continue, having dead-lettered at most one
window's worth of garbage (not the whole topic), and without committing the
batch that tripped it: a restarted worker would meet the same messages.

Run with ``pytest -s`` to see what was injected and what was counted.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from kafka import KafkaProducer

from streams.devtools.processes import stop_process
from streams.devtools.wait import wait_processed
from streams.kafka.lag import group_lag
from streams.settings import Settings
from tests.support.factories import alert
from tests.support.faults import topic_size
from tests.support.processes import start_worker, wait_status

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(300)]

GARBAGE = 40


def test_garbage_burst_stops_the_worker_with_a_clear_error(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    settings = isolated_settings.model_copy(update={"dlq_window": 20, "sink_batch_seconds": 0.2})
    log = tmp_path / "worker.log"
    worker = start_worker(settings, log)
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    try:
        for n in range(10):
            event = alert(event_id=f"ok-{n}", service="api")
            producer.send(settings.topic_alerts, key=b"api", value=orjson.dumps(event))
        producer.flush()
        wait_processed(settings)
        wait_status(settings, lambda status: status["valid"] == 10)
        for n in range(GARBAGE):
            producer.send(settings.topic_alerts, key=b"api", value=b"\x00garbage %d" % n)
        producer.flush()
        code = worker.wait(120)
    finally:
        producer.close()
        stop_process(worker, timeout=10)
    text = log.read_text()
    dead_letters = topic_size(settings, settings.topic_dead_letter)
    uncommitted = sum(group_lag(settings).values())
    line = next((ln for ln in text.splitlines() if "MTTR_DLQ_LIMIT_ENABLED" in ln), "")
    print(f"injected: 10 valid events, then {GARBAGE} non-JSON messages (window 20, ratio 0.5)")
    print(f"counted: exit {code}; {dead_letters} dead letters; {uncommitted} messages uncommitted")
    print(f"the worker said: {line.strip()[:400]}")
    assert code != 0
    assert "invalid" in line and "MTTR_DLQ_MAX_INVALID_RATIO" in line
    assert dead_letters < GARBAGE  # stopped before dead-lettering the whole burst
    assert uncommitted > 0  # the tripping batch is left for after the fix
