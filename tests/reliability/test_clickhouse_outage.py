"""ClickHouse outage: the disk under the embedded engine fills up, then space comes back.

The worker's chDB path is a small tmpfs of the test's own. After the first
half of the scripted history is stored, a ballast file fills that disk, so
every insert fails inside ClickHouse (``NOT_ENOUGH_SPACE``), a real
storage outage as an embedded engine meets it. While the disk is full, the
rest of the history and 5,000 extra deploy events (of 50 services without
alerts, so no incident) are published. The worker must keep retrying with
back-off without consuming further (its counters and committed offsets stand still and its
memory stays flat), never dead-letter or drop anything, and, once the
ballast is deleted, resume by itself and finish with exactly the
hand-computed incidents and every valid event stored once.

Mounting the tmpfs needs root (CAP_SYS_ADMIN); without it the test skips
and says why. Run with ``pytest -s`` to see what was injected and counted.
"""

from __future__ import annotations

import random
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from streams.devtools.processes import stop_process
from streams.devtools.wait import wait_processed
from streams.kafka.lag import group_lag
from streams.settings import Settings
from tests.support.faults import status_summary, stored_events, topic_size
from tests.support.processes import start_worker, wait_status
from tests.support.scripted_history import DAY_LATER, HISTORY, check
from tests.support.scripted_stream import incidents, publish, scripted_settings, settle

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]

FILLER = 5000
OUTAGE_S = 15.0
DISK = "128m"


def _filler() -> list[dict[str, Any]]:
    """Deploys of 50 services with no alerts: stored as events, no incident."""
    return [
        {
            "event_id": f"filler-{n:05d}",
            "type": "deploy",
            "service": f"batch-{n % 50:02d}",
            "occurred_at": f"2026-03-02T{8 + n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z",
            "deploy_id": f"jobs-{n}",
            "status": "succeeded",
            "kind": "release",
        }
        for n in range(FILLER)
    ]


def _mount_tmpfs(path: Path) -> None:
    path.mkdir(parents=True)
    done = subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", f"size={DISK}", "tmpfs", str(path)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs for the chDB path: {done.stderr.strip()}")


def _fill(path: Path) -> int:
    """Write zeros to ``path / ballast`` until the disk is full; returns the bytes written."""
    written = 0
    with (path / "ballast").open("wb") as ballast:
        try:
            while True:
                ballast.write(b"\0" * (1 << 20))
                ballast.flush()
                written += 1 << 20
        except OSError:
            pass
    return written


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def test_worker_waits_out_a_full_disk(isolated_settings: Settings, tmp_path: Path) -> None:
    settings = scripted_settings(isolated_settings, tmp_path, "outage").model_copy(
        update={"sink_batch_size": 100, "sink_retry_max_seconds": 2.0}
    )
    chdb = settings.var_dir / "chdb"
    _mount_tmpfs(chdb)
    events = HISTORY + random.Random(5).sample(HISTORY, 6)
    random.Random(9).shuffle(events)
    first, second = events[: len(events) // 2], events[len(events) // 2 :]
    log = tmp_path / "worker.log"
    worker = start_worker(settings, log)
    try:
        publish(settings, first, seed=1)
        wait_processed(settings, timeout=120)
        ballast = _fill(chdb)
        publish(settings, second + _filler(), seed=2)
        time.sleep(3)  # the worker takes a batch and its insert starts failing
        during = [wait_status(settings, lambda status: True)]
        lag = [sum(group_lag(settings).values())]
        rss = [_rss_kib(worker.pid)]
        time.sleep(OUTAGE_S)
        during.append(wait_status(settings, lambda status: True))
        lag.append(sum(group_lag(settings).values()))
        rss.append(_rss_kib(worker.pid))
        retries = log.read_text().count("failed (attempt")
        (chdb / "ballast").unlink()
        freed_at = time.monotonic()
        wait_processed(settings, timeout=180)
        resumed_s = time.monotonic() - freed_at
        publish(settings, [DAY_LATER], seed=0)
        settle(settings, timeout=180)
        after = wait_status(settings, lambda status: True)
        assert worker.poll() is None, log.read_text()[-3000:]
        assert stop_process(worker) == 0, log.read_text()[-3000:]
        rows = incidents(settings)  # read before the tmpfs (and the database on it) goes
        stored, raw_rows = stored_events(settings)
    except BaseException:
        print("worker log, last lines:\n" + "\n".join(log.read_text().splitlines()[-60:]))
        raise
    finally:
        stop_process(worker, timeout=10)
        subprocess.run(["umount", str(chdb)], check=False)  # noqa: S603, S607

    print(
        f"injected: chDB disk ({DISK} tmpfs) filled with a {ballast >> 20} MiB ballast for "
        f"{OUTAGE_S + 3:.0f} s, while {len(second)} history messages and {FILLER} deploys arrived"
    )
    print(
        f"during the outage: {retries} insert retries logged; counters {status_summary(during[0])} "
        f"-> {status_summary(during[1])}; uncommitted source messages {lag[0]} -> {lag[1]}; "
        f"worker RSS {rss[0] // 1024} -> {rss[1] // 1024} MiB"
    )
    print(f"after freeing the disk: caught up in {resumed_s:.1f} s; {status_summary(after)}")

    assert retries >= 2, "the sink never failed: the disk was not full"
    assert during[1]["valid"] == during[0]["valid"], "the worker kept consuming during the outage"
    assert lag[1] == lag[0] > FILLER - 2 * settings.sink_batch_size, "offsets moved"
    assert rss[1] - rss[0] < 50 * 1024, "memory grew while the sink was down"

    dead_letters = topic_size(settings, settings.topic_dead_letter)
    valid_ids = {e["event_id"] for e in [*HISTORY, DAY_LATER, *_filler()]}
    print(
        f"counted: {len(stored)} distinct events stored ({raw_rows} rows before merges), "
        f"{len(rows)} incidents, {dead_letters} dead letters; one worker process throughout"
    )
    assert {event_id for event_id, n in stored.items() if n != 1} == set(), "duplicated events"
    assert set(stored) == valid_ids
    assert dead_letters == 0
    check(rows)
