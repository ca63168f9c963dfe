"""A time-ordered backlog published into a running group of three workers: events go late.

Known problem, kept as a strict xfail so it shows when fixed. Three caught-up workers
(one group, 8-partition topics) receive the 90-day simulated history published in
event-time order, keyed by service (as ``mttr simulate`` or an import would). One
worker alone took the same burst without a single late event (4 and 8 partitions,
tried by hand); here hundreds of events are dead-lettered ``late``: a key's event
time runs days ahead of its other topics' partitions.

Likely why (read from the code, not yet confirmed by a fix; streams/ingest/pipeline.py,
progress.py): a batch's input watermark is computed from end offsets re-read in the
background at most every second, before the batch is observed. A worker that keeps
pace with the producer (each of three does: it reads a third of the partitions) has
read every partition up to the ends it last saw, so its batches go out as "caught up"
(no watermark header) while the producer is still publishing the same keys' other
partitions; a batch of deploys then carries a key's watermark days past its alerts and
tickets. Producers in real time should not show it (their event time is the wall
clock); a backfill into a live group does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from streams.devtools.processes import stop_process
from streams.devtools.simulate import simulate
from streams.devtools.wait import wait_processed
from streams.settings import Settings
from tests.support.faults import topic_size
from tests.support.kafka_topics import publish
from tests.support.processes import start_worker, wait_status
from tests.support.scripted_stream import scripted_settings
from tests.support.worker_group import member, wait_members

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]

WORKERS, PARTITIONS = 3, 8
SERVICES, DAYS, SEED, END = 8, 90, 11, datetime(2026, 2, 1, tzinfo=UTC)


@pytest.mark.xfail(strict=True, reason="input watermark from stale end offsets (docstring)")
def test_a_burst_into_a_live_group_is_not_late(isolated_settings: Settings, tmp_path: Path) -> None:
    base = scripted_settings(isolated_settings, tmp_path, "group").model_copy(
        update={"topic_partitions": PARTITIONS, "allowed_lateness_s": 3600.0}
    )
    members = [member(base, tmp_path, f"w{i}") for i in range(WORKERS)]
    events = simulate(SERVICES, DAYS, SEED, END)
    workers = [start_worker(m, tmp_path / f"{m.var_dir.name}.log") for m in members]
    try:
        wait_members(base, WORKERS, timeout=180)
        publish(base, *events)
        wait_processed(base, timeout=300)
        statuses = [wait_status(m, lambda status: True) for m in members]
    finally:
        codes = [stop_process(w, timeout=20) for w in workers]
    late = sum(status["late"] for status in statuses)
    dead_letters = topic_size(base, base.topic_dead_letter)
    print(
        f"{len(events)} events published in event-time order into {WORKERS} running workers: "
        f"valid {[s['valid'] for s in statuses]}, late {late}, dead letters {dead_letters}; "
        f"exit codes {codes}"
    )
    assert sum(status["valid"] for status in statuses) == len(events)
    assert late == 0
