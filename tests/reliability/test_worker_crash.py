"""Worker crash: SIGKILL the worker five times while the scripted history streams in.

The history (tests/support/scripted_history.py, with duplicates) is published in six
chunks, one per worker life. Each of the first five workers is killed with
SIGKILL at a seeded random moment: during start-up, while it serves, or just
after it shows progress, so kills land between a store and its offset commit
as well as between commits. After each kill the next worker starts on the
same chDB path and state store. The last worker runs to the end and stops
gracefully; then ``mttr.incidents FINAL`` must equal the hand-computed
incidents exactly and ``mttr.events`` must hold every valid event once.

The workers get a 10 s group session timeout (Faust reads
``BROKER_SESSION_TIMEOUT``; the default is 60 s): a SIGKILLed member never
leaves the group, so the next worker's rebalance waits until the broker
drops it. Recovery semantics are unchanged, only faster.

Run with ``pytest -s`` to see what was injected and what was counted.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from kafka.errors import KafkaError

from streams.devtools.processes import stop_process
from streams.devtools.wait import wait_processed
from streams.kafka.lag import group_lag
from streams.kafka.names import forwarded_topic_name
from streams.settings import Settings
from tests.support.faults import status_summary, stored_events, topic_size
from tests.support.processes import start_worker, wait_status, worker_status
from tests.support.scripted_history import DAY_LATER, HISTORY, check
from tests.support.scripted_stream import incidents, publish, scripted_settings, settle

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]

KILLS = 5
SEED = 20260302
SESSION_TIMEOUT_S = 10  # >= the broker's group.min.session.timeout.ms (6 s)


def _kill_moment(rng: random.Random) -> tuple[str, float]:
    """Draw where to kill: (``startup``|``serving``|``progress``, extra seconds)."""
    mode = rng.choice(["startup", "serving", "progress"])
    delay = {"startup": rng.uniform(0.5, 4.0), "serving": rng.uniform(0.0, 2.0)}
    return mode, delay.get(mode, rng.uniform(0.0, 3.0))  # commits come every ~3 s


def _wait_for_moment(settings: Settings, mode: str, delay: float) -> None:
    if mode == "serving":
        wait_status(settings, lambda status: True)
    elif mode == "progress":
        wait_status(settings, lambda status: status["valid"] > 0)
    time.sleep(delay)


def _processes_mentioning(marker: str) -> list[int]:
    """Return pids (not ours) whose command line or environment contains ``marker``."""
    found = []
    needle = marker.encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            text = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
        except OSError:  # gone, or not ours
            continue
        if needle in text:
            found.append(int(entry.name))
    return found


def _holders(directory: Path) -> list[int]:
    """Return pids with a file under ``directory`` open (e.g. the chDB path)."""
    prefix = str(directory.resolve())
    holders = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd).startswith(prefix):
                    holders.add(int(entry.name))
                    break
        except OSError:
            continue
    return sorted(holders)


def _committed(settings: Settings, published: int) -> str:
    """Describe committed progress: source offsets committed, forwarded lag."""
    try:
        source_lag = sum(group_lag(settings).values())
        forwarded_lag = sum(group_lag(settings, (forwarded_topic_name(settings),)).values())
    except KafkaError as exc:
        return f"offsets unavailable ({exc.__class__.__name__})"
    return f"source committed {published - source_lag}/{published}, forwarded lag {forwarded_lag}"


def _status_or_error(settings: Settings) -> object:
    """The worker's status page (generation, assigned and paused partitions), or why not."""
    try:
        return worker_status(settings)
    except Exception as exc:  # noqa: BLE001 - a diagnostic for a failure already raised
        return repr(exc)


@pytest.mark.parametrize("store", ["memory://", "rocksdb://"])
def test_sigkill_five_times_while_streaming(
    isolated_settings: Settings, tmp_path: Path, store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROKER_SESSION_TIMEOUT", str(SESSION_TIMEOUT_S))  # workers inherit it
    settings = scripted_settings(isolated_settings, tmp_path, "crash", store)
    rng = random.Random(SEED)
    events = HISTORY + random.Random(7).sample(HISTORY, 8)  # duplicates (same event_id)
    rng.shuffle(events)
    chunks = [events[i :: KILLS + 1] for i in range(KILLS + 1)]
    data_dir = settings.var_dir
    workers: list[subprocess.Popen[bytes]] = []
    log = tmp_path / "worker.log"  # every life appends here
    injected: list[str] = []
    published = 0

    def start(life: int) -> subprocess.Popen[bytes]:
        with log.open("a") as handle:
            handle.write(f"\n===== life {life} =====\n")
        worker = start_worker(settings, log)
        workers.append(worker)
        return worker

    try:
        for kill in range(1, KILLS + 1):
            mode, delay = _kill_moment(rng)
            worker = start(kill)
            started = time.monotonic()
            publish(settings, chunks[kill - 1], seed=kill)
            published += len(chunks[kill - 1])
            _wait_for_moment(settings, mode, delay)
            status = worker_status(settings)
            assert worker.poll() is None, log.read_text()[-3000:]
            worker.kill()
            code = worker.wait(30)
            at = time.monotonic() - started
            holders = _holders(data_dir)
            line = (
                f"kill {kill}: {mode}+{delay:.2f}s at {at:.2f}s after spawn, exit {code}; "
                f"{status_summary(status)}; {_committed(settings, published)}; "
                f"data path holders {holders}"
            )
            injected.append(line)
            print(line)
            assert code == -9
            assert holders == [], "chDB path still open after SIGKILL"

        worker = start(KILLS + 1)
        publish(settings, chunks[KILLS], seed=KILLS + 1)
        published += len(chunks[KILLS])
        wait_processed(settings)
        publish(settings, [DAY_LATER], seed=0)
        published += 1
        settle(settings)
        final_status = worker_status(settings)
        assert worker.poll() is None, log.read_text()[-3000:]
        assert stop_process(worker) == 0, log.read_text()[-3000:]
    except BaseException:
        print(f"worker log {log}, last lines:\n" + "\n".join(log.read_text().splitlines()[-60:]))
        print(f"last worker's status: {_status_or_error(settings)}")
        if workers and workers[-1].poll() is None:
            workers[-1].send_signal(signal.SIGUSR1)  # the worker dumps every task's stack
            time.sleep(3)
            print(f"stack dump (SIGUSR1) appended to {log}")
        raise
    finally:
        codes = [stop_process(w, timeout=10) for w in workers]
        print(f"exit codes {codes}")
    assert _processes_mentioning(str(tmp_path)) == []

    rows = incidents(settings)
    stored, raw_rows = stored_events(settings)
    dead_letters = topic_size(settings, settings.topic_dead_letter)
    valid_ids = {event["event_id"] for event in [*HISTORY, DAY_LATER]}
    print(
        f"injected {KILLS} SIGKILLs ({store}, seed {SEED}); published {published} messages "
        f"({len(valid_ids)} distinct events)"
    )
    print(
        f"counted: {len(stored)} distinct events stored, {sum(stored.values())} rows with FINAL, "
        f"{raw_rows} rows before merges; {len(rows)} incidents; {dead_letters} dead letters; "
        f"last life: {status_summary(final_status)}"
    )

    assert {event_id for event_id, n in stored.items() if n != 1} == set(), "duplicated events"
    assert set(stored) == valid_ids
    assert dead_letters == 0
    check(rows)
