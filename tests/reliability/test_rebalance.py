"""Rebalance: a second worker joins mid-stream, later one of the two is SIGKILLed.

Worker A starts alone and processes the first third of the shuffled scripted
history (tests/support/scripted_history.py, with duplicates). Worker B joins the same
group (same app id and topics; its own chDB path, state store and web port):
the group rebalances, B takes over half of the partitions and restores their
``incident-state`` from the changelog. The second third is published and both
workers make progress. Then the worker owning the ``events-by-service``
partitions with the most services (the most incident state) is SIGKILLed;
once the broker drops it, the survivor takes its partitions over, restores
their state from the changelog, and gets the last third and the day-later
close. After a graceful stop the raw ``mttr.incidents`` and ``mttr.events``
rows of both chDB databases are merged into a third one, where
``mttr.incidents FINAL`` must equal the hand-computed incidents exactly and
``mttr.events FINAL`` must hold every valid event once. Both workers may
write the same incident version (a replay after the kill); such rows must
agree, as seen on the ``incidents`` topic (every version, never merged).

The workers get a 10 s group session timeout (``BROKER_SESSION_TIMEOUT``), so
the killed member leaves the group fast. Run with ``pytest -s`` to see what
was injected and what was counted.
"""

from __future__ import annotations

import random
import subprocess
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka.partitioner.default import murmur2

from streams.devtools.broker.local import free_port
from streams.devtools.processes import stop_process
from streams.devtools.wait import wait_processed
from streams.kafka.names import forwarded_topic_name
from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from tests.support.faults import partition_ends, status_summary
from tests.support.processes import consume_all, start_worker, wait_status, worker_status
from tests.support.scripted_history import DAY_LATER, HISTORY, check
from tests.support.scripted_stream import incidents, publish, scripted_settings, settle
from tests.support.worker_group import assignments, wait_members

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]

SEED = 20260303
SESSION_TIMEOUT_S = 10  # >= the broker's group.min.session.timeout.ms (6 s)
TABLES = ("mttr.incidents", "mttr.events")
COUNTERS = ("valid", "incident_rows", "completed_by_idle")


def _summary(status: dict[str, Any] | None) -> str:
    return status_summary(status, COUNTERS)


Rows = dict[str, list[dict[str, Any]]]


def _services_on(settings: Settings, partitions: list[int]) -> int:
    """Return how many services (state keys) hash to ``partitions`` (murmur2, as forwarded)."""
    services = {event["service"] for event in HISTORY}
    return sum(
        (murmur2(s.encode()) & 0x7FFFFFFF) % settings.topic_partitions in partitions
        for s in services
    )


def _read_raw(settings: Settings) -> Rows:
    """Return the raw rows (no FINAL) of ``TABLES`` in one worker's chDB database."""
    client = connect(settings)  # embedded chDB: one path open at a time, so close it
    try:
        rows = {}
        for table in TABLES:
            result = client.query(f"SELECT * FROM {table}")  # noqa: S608 (fixed names)
            rows[table] = [
                dict(zip(result.column_names, r, strict=True)) for r in result.result_rows
            ]
    finally:
        client.close()
    return rows


def _merge(parts: list[Rows], merged: Settings) -> dict[str, int]:
    """Insert ``parts`` into a fresh database; return the rows per event id with FINAL."""
    client = connect(merged)
    try:
        migrate(client, load_migrations())
        for rows in parts:
            for table, records in rows.items():
                if records:
                    columns = list(records[0])
                    values = [[record[c] for c in columns] for record in records]
                    client.insert(table, values, column_names=columns)
        final = client.query("SELECT event_id, count() FROM mttr.events FINAL GROUP BY event_id")
    finally:
        client.close()
    return {event_id: count for event_id, count in final.result_rows}


def _conflicts(rows: list[dict[str, Any]]) -> list[str]:
    """Return the incident versions present with different content (times of writing aside)."""
    seen: dict[tuple[str, int], set[str]] = defaultdict(set)
    for row in rows:
        kept = ((k, repr(v)) for k, v in row.items() if k not in ("updated_at", "inserted_at"))
        content = repr(sorted(kept))
        seen[(row["incident_id"], row["version"])].add(content)
    return sorted(f"{i} v{v}" for (i, v), contents in seen.items() if len(contents) > 1)


@pytest.mark.parametrize("store", ["memory://", "rocksdb://"])
def test_join_then_kill_moves_state_with_partitions(
    isolated_settings: Settings, tmp_path: Path, store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROKER_SESSION_TIMEOUT", str(SESSION_TIMEOUT_S))  # workers inherit it
    a = scripted_settings(isolated_settings, tmp_path, "a", store)
    b = a.model_copy(update={"var_dir": tmp_path / "b", "web_port": free_port()})
    rng = random.Random(SEED)
    events = HISTORY + rng.sample(HISTORY, 8)  # duplicates (same event_id)
    rng.shuffle(events)
    chunks = [events[i::3] for i in range(3)]
    changelog = f"{a.app_id}-incident-state-changelog"
    logs = {"A": tmp_path / "a.log", "B": tmp_path / "b.log"}
    workers: dict[str, subprocess.Popen[bytes]] = {}
    begin = time.monotonic()

    def note(line: str) -> None:
        print(f"[{time.monotonic() - begin:5.1f}s] {line}")

    try:
        workers["A"] = start_worker(a, logs["A"])
        publish(a, chunks[0], seed=1)
        wait_processed(a)
        ((member_a, _),) = wait_members(a, 1).items()
        note(f"A alone processed {len(chunks[0])} messages: {_summary(worker_status(a))}")

        workers["B"] = start_worker(b, logs["B"])
        members = wait_members(a, 2)
        held = {"A": members.pop(member_a), "B": next(iter(members.values()))}
        note(f"B joined: events-by-service partitions A {held['A']}, B {held['B']}")
        publish(a, chunks[1], seed=2)
        wait_processed(a)
        progress = {n: wait_status(s, lambda st: st["valid"] > 0) for n, s in (("A", a), ("B", b))}
        note(f"{len(chunks[1])} more: A {_summary(progress['A'])}; B {_summary(progress['B'])}")

        services = {name: _services_on(a, held[name]) for name in held}
        victim = "B" if services["B"] > services["A"] else "A"
        survivor, alive = ("A", a) if victim == "B" else ("B", b)
        workers[victim].kill()
        code = workers[victim].wait(30)
        ends = partition_ends(a, changelog)
        note(f"SIGKILL {victim} (services per worker {services}), exit {code}; changelog {ends}")
        assert code == -9

        publish(a, chunks[2], seed=3)
        wait_processed(alive)
        taken = assignments(alive, forwarded_topic_name(alive))
        note(f"{survivor} took over, {len(chunks[2])} more processed: group {list(taken.values())}")
        publish(a, [DAY_LATER], seed=0)
        settle(alive)
        final_status = worker_status(alive)
        assert workers[survivor].poll() is None, logs[survivor].read_text()[-3000:]
        assert stop_process(workers[survivor]) == 0, logs[survivor].read_text()[-3000:]
        note(f"{survivor} stopped gracefully: {_summary(final_status)}")
    except BaseException:
        for name, log in logs.items():
            tail = "\n".join(log.read_text().splitlines()[-40:]) if log.exists() else ""
            print(f"worker {name} log {log}, last lines:\n{tail}")
        raise
    finally:
        print(f"exit codes { {n: stop_process(w, timeout=10) for n, w in workers.items()} }")
    reads = {n: log.read_text().count("Done reading from changelog") for n, log in logs.items()}

    parts = [_read_raw(a), _read_raw(b)]
    merged = a.model_copy(update={"var_dir": tmp_path / "merged"})
    stored = _merge(parts, merged)
    rows = incidents(merged)
    published_rows = sum(partition_ends(a, a.topic_incidents).values())
    messages = consume_all(a.kafka_bootstrap, a.topic_incidents, published_rows)
    versions = [orjson.loads(message.value) for message in messages]
    conflicts = _conflicts(versions) + _conflicts([r for p in parts for r in p["mttr.incidents"]])
    dead_letters = sum(partition_ends(a, a.topic_dead_letter).values())
    valid_ids = {event["event_id"] for event in [*HISTORY, DAY_LATER]}
    for name, part in zip("AB", parts, strict=True):
        ids = {row["event_id"] for row in part["mttr.events"]}
        print(
            f"counted in {name}'s chDB: {len(ids)} distinct events, {len(part['mttr.events'])} "
            f"event rows, {len(part['mttr.incidents'])} incident rows (after background merges); "
            f"changelog reads logged at assignment: {reads[name]}"
        )
    print(
        f"counted merged ({store}): {len(stored)} distinct events, {sum(stored.values())} rows "
        f"with FINAL; {len(rows)} incidents; {len(versions)} incident versions published; "
        f"{dead_letters} dead letters; conflicting versions {conflicts}"
    )

    assert {event_id for event_id, n in stored.items() if n != 1} == set(), "duplicated events"
    assert set(stored) == valid_ids
    assert len(versions) == published_rows
    assert dead_letters == 0
    assert conflicts == []
    check(rows)
