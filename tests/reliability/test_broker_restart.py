"""Broker restart: the Kafka broker goes away mid-stream and comes back.

The test runs a broker of its own (tests/support/private_broker.py). The worker
consumes the first half of the scripted history (with duplicates); then the
broker is taken down while the worker runs, either stopped cleanly or
SIGKILLed as a crashed host would be, and kept down for a while. It is
restarted on the same port, the rest of the history is published, and the
same worker process, never restarted by anyone, must reconnect by itself
and finish with exactly the hand-computed incidents and each valid event
stored once.

Run with ``pytest -s`` to see what was injected and what was counted.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from streams.devtools.processes import stop_process
from streams.devtools.wait import wait_processed
from streams.settings import Settings
from tests.support.faults import status_summary, stored_events, topic_size
from tests.support.private_broker import private_broker
from tests.support.processes import start_worker, wait_status, worker_status
from tests.support.scripted_history import DAY_LATER, HISTORY, check
from tests.support.scripted_stream import incidents, publish, scripted_settings, settle

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]

DOWN_S = 12.0  # longer than the client's request timeouts and metadata refreshes


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_worker_reconnects_after_broker_restart(
    isolated_settings: Settings, tmp_path: Path, how: str
) -> None:
    events = HISTORY + random.Random(11).sample(HISTORY, 6)
    random.Random(3).shuffle(events)
    first, second = events[: len(events) // 2], events[len(events) // 2 :]
    log = tmp_path / "worker.log"
    with private_broker(tmp_path / "kafka") as broker:
        settings = scripted_settings(
            isolated_settings.model_copy(update={"kafka_bootstrap": broker.bootstrap}),
            tmp_path,
            "restart",
        )
        worker = start_worker(settings, log)
        try:
            publish(settings, first, seed=1)
            wait_processed(settings, timeout=120)
            before = worker_status(settings)
            down_at = time.monotonic()
            if how == "kill":
                broker.kill()
            else:
                broker.stop()
            time.sleep(DOWN_S)
            alive_while_down = worker.poll() is None
            restart_s = broker.start()
            publish(settings, second, seed=2)
            wait_processed(settings, timeout=180)
            publish(settings, [DAY_LATER], seed=0)
            settle(settings, timeout=180)
            after = wait_status(settings, lambda status: True)
            recovered_s = time.monotonic() - down_at
            assert worker.poll() is None, log.read_text()[-3000:]
            assert alive_while_down, "the worker exited while the broker was down"
            assert stop_process(worker) == 0, log.read_text()[-3000:]
        except BaseException:
            print("worker log, last lines:\n" + "\n".join(log.read_text().splitlines()[-60:]))
            raise
        finally:
            stop_process(worker, timeout=10)
        dead_letters = topic_size(settings, settings.topic_dead_letter)

    rows = incidents(settings)
    stored, raw_rows = stored_events(settings)
    valid_ids = {event["event_id"] for event in [*HISTORY, DAY_LATER]}
    noisy = sum("[ERROR]" in line or "[WARNING]" in line for line in log.read_text().splitlines())
    print(
        f"injected: broker {how} after {len(first)} messages, down {DOWN_S:.0f} s, "
        f"restarted in {restart_s:.1f} s; then {len(second) + 1} more messages"
    )
    print(f"before the outage: {status_summary(before)}")
    print(f"after recovery ({recovered_s:.0f} s after the outage began): {status_summary(after)}")
    print(
        f"counted: {len(stored)} distinct events stored ({raw_rows} rows before merges), "
        f"{len(rows)} incidents, {dead_letters} dead letters; one worker process throughout; "
        f"{noisy} warning/error lines in its log (repeats are summarised)"
    )
    assert {event_id for event_id, n in stored.items() if n != 1} == set(), "duplicated events"
    assert set(stored) == valid_ids
    assert dead_letters == 0
    check(rows)
