"""The production shape: three workers in one group on 8-partition topics, one ClickHouse server.

Three ``mttr worker`` processes share one consumer group (same app id and topics, their
own state directories and web ports) on topics of 8 partitions, and write to one
ClickHouse server (``mttr clickhouse``'s, tests/support/clickhouse_engines.py). The
reference is the pure engine fed the same events one by one in event-time order
(tests/support/reference_store.py): that is what one worker stores (tests/integration/
test_replay_backlog.py), and it costs no second pipeline. Its rows and the events are
loaded into a second server, so every view (sql/005-009) is compared with the same
SQL over the reference data.

Every worker refreshes the view snapshots (``MTTR_SNAPSHOT_INTERVAL_S`` = 1 s here, so
the three race): each refresh is exact, and snapshot tables carry their worker's mark so
no worker drops another's current one (streams/storage/snapshots.py). A thread reads
every view throughout and no read may fail; after each phase the views must equal
their live definitions and the reference while the refreshers still run, and again
after the workers stopped (the snapshots stay in the server's memory).

The first test streams the scripted history (shuffled, duplicates, hand-computed
incidents) and then a 90-day simulated history; the second SIGKILLs one worker while
the simulated history streams, starts a replacement on a fresh directory, and counts
what was published, stored, duplicated and lost. Run with ``pytest -s`` to see them.
"""

from __future__ import annotations

import random
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from streams.devtools.processes import stop_process
from streams.devtools.simulate import simulate
from streams.devtools.wait import wait_processed
from streams.kafka.lag import group_lag
from streams.settings import Settings
from streams.storage.clickhouse import connect
from tests.support.clickhouse_engines import storage
from tests.support.faults import status_summary, topic_size
from tests.support.kafka_topics import publish as publish_in_order
from tests.support.processes import start_worker, wait_status
from tests.support.reference_store import (
    by_time,
    comparable,
    event_counts,
    expected_incidents,
    load_reference,
    stored_incidents,
)
from tests.support.scripted_history import DAY_LATER, HISTORY, check
from tests.support.scripted_stream import incidents, publish, scripted_settings
from tests.support.snapshot_views import ViewWatch, all_views, differing_from_live
from tests.support.worker_group import member, settle_all, wait_members

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]

WORKERS, PARTITIONS = 3, 8
SERVICES, DAYS, SEED, END = 8, 90, 11, datetime(2026, 2, 1, tzinfo=UTC)
SESSION_TIMEOUT_S = 10  # a SIGKILLed member leaves the group after this
LATENESS_S = 100 * 86400.0  # the whole history: see test_a_burst_into_a_live_group_is_not_late
COUNTERS = ("valid", "late", "invalid", "incident_rows")
Event = dict[str, Any]


def _group(isolated: Settings, tmp_path: Path, target: dict[str, Any], **update: Any) -> Settings:
    """One group on 8-partition topics writing to the server ``target``, snapshots every 1 s."""
    base = scripted_settings(isolated, tmp_path, "group")
    fields = {"topic_partitions": PARTITIONS, "snapshot_interval_s": 1.0, **update}
    return base.model_copy(update={"allowed_lateness_s": LATENESS_S, **target, **fields})


def _simulated(prefix: str = "") -> list[Event]:
    """The 90-day simulated history (event-time order), services renamed with ``prefix``."""
    events = simulate(SERVICES, DAYS, SEED, END)
    return [{**event, "service": prefix + event["service"]} for event in events]


@contextmanager
def _workers(members: list[Settings], tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Run a worker per member; on failure print their logs; stop them all at the end."""
    running: dict[str, Any] = {"procs": {}, "logs": {}}

    def start(settings: Settings) -> subprocess.Popen[bytes]:
        name = settings.var_dir.name
        running["logs"][name] = tmp_path / f"{name}.log"
        running["procs"][name] = start_worker(settings, running["logs"][name])
        return running["procs"][name]  # type: ignore[no-any-return]

    running["start"] = start
    for settings in members:
        start(settings)
    try:
        yield running
    except BaseException:
        for name, log in running["logs"].items():
            tail = "\n".join(log.read_text().splitlines()[-30:]) if log.exists() else ""
            print(f"worker {name} log {log}, last lines:\n{tail}")
        raise
    finally:
        codes = {n: stop_process(p, timeout=20) for n, p in running["procs"].items()}
        print(f"exit codes {codes}")


def _statuses(members: list[Settings]) -> dict[str, dict[str, Any]]:
    return {s.var_dir.name: wait_status(s, lambda status: True) for s in members}


def _assert_views(sut: Settings, reference: dict[str, Any], when: str) -> None:
    """Every view equals its live definition and the reference's, now."""
    client = connect(sut)
    try:
        assert differing_from_live(client) == [], when
        views = all_views(client)
    finally:
        client.close()
    differing = {
        name: (
            sorted(set(rows) - set(reference[name]), key=repr)[:2],
            sorted(set(reference[name]) - set(rows), key=repr)[:2],
        )
        for name, rows in views.items()
        if rows != reference[name]
    }
    assert differing == {}, f"{when}: views differing from the reference (stored, expected)"
    print(f"{when}: all {len(views)} views equal live and the reference")


def _reference_views(settings: Settings, events: list[Event], rows: dict[str, Any]) -> Any:
    load_reference(settings, events, rows)
    client = connect(settings)
    try:
        return all_views(client)
    finally:
        client.close()


def test_three_workers_store_what_the_engine_computes(
    isolated_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROKER_SESSION_TIMEOUT", str(SESSION_TIMEOUT_S))
    scripted = HISTORY + random.Random(SEED).sample(HISTORY, 8)  # duplicates (same event_id)
    simulated = _simulated("sim-")
    with storage("server", tmp_path / "sut") as target, storage("server", tmp_path / "ref") as ref:
        base = _group(isolated_settings, tmp_path, target)
        members = [member(base, tmp_path, f"w{i}") for i in range(WORKERS)]
        with _workers(members, tmp_path), ViewWatch(base) as watch:
            held = wait_members(base, WORKERS, timeout=180)  # each migrated before it joined
            watch.start()
            print(f"events-by-service partitions per worker: {sorted(held.values())}")
            publish(base, scripted, seed=1)
            wait_processed(base, timeout=180)
            publish(base, [DAY_LATER], seed=0)
            settle_all(members)
            rows = incidents(base)
            check(
                {
                    key: row
                    for key, row in rows.items()
                    if key[0] in {"payments", "portal", "search"}
                }
            )
            publish_in_order(base, *simulated)
            wait_processed(base, timeout=300)
            settle_all(members)
            events = scripted + [DAY_LATER] + simulated
            expected = expected_incidents(events, base)
            reference = _reference_views(
                Settings(var_dir=tmp_path / "ref-var", **ref), events, expected
            )
            stored = stored_incidents(base)
            wrong = _differing(stored, expected)
            assert wrong == [], wrong[:3]
            _assert_views(base, reference, "3 workers running, settled")
            statuses = _statuses(members)
        counts, ids = event_counts(base)
        _assert_views(base, reference, "after the workers stopped")
        published = len(scripted) + 1 + len(simulated)
        distinct = {event["event_id"] for event in events}
        for name, status in statuses.items():
            print(f"{name}: {status_summary(status, COUNTERS)}; snapshots {status['snapshots']}")
        print(
            f"counted: {published} events published ({len(distinct)} distinct), "
            f"{counts['final']} stored with FINAL ({counts['rows']} rows before merges), "
            f"{len(distinct - ids)} lost; {len(stored)} incidents stored, {len(expected)} "
            f"expected; {watch.reads} view reads while writing, {len(watch.failures)} failed"
        )
        assert watch.failures == []
        assert counts["final"] == counts["final_distinct"] == len(distinct) and ids == distinct
        assert topic_size(base, base.topic_dead_letter) == 0
        for status in statuses.values():
            assert "last_error" not in status["snapshots"], status["snapshots"]
            assert status["snapshots"].get("rows", 0) > 0, status["snapshots"]  # it refreshed


def _differing(stored: dict[str, Any], expected: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Return (incident id, stored, expected) of every incident not stored as expected."""
    ours, theirs = comparable(stored), comparable(expected)
    ids = sorted(set(ours) | set(theirs))
    return [(i, ours.get(i), theirs.get(i)) for i in ids if ours.get(i) != theirs.get(i)]


def _kill_moment(settings: Settings, victim: Settings, published: int) -> str:
    """Wait until the victim processed something and the group still has work; describe it."""
    status = wait_status(victim, lambda s: s["valid"] > 0, timeout=180)
    lag = sum(group_lag(settings).values())
    return f"victim {status_summary(status, COUNTERS)}; source lag {lag} of {published}"


def test_a_killed_worker_is_replaced_without_loss_or_duplicates(
    isolated_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROKER_SESSION_TIMEOUT", str(SESSION_TIMEOUT_S))
    events = _simulated()
    redelivered = random.Random(SEED).sample(events, 40)  # a producer sending some twice
    messages = by_time(events + redelivered)
    first, rest = messages[: len(messages) * 2 // 3], messages[len(messages) * 2 // 3 :]
    with storage("server", tmp_path / "sut") as target:
        base = _group(isolated_settings, tmp_path, target)
        members = [member(base, tmp_path, f"w{i}") for i in range(WORKERS)]
        with _workers(members, tmp_path) as running, ViewWatch(base) as watch:
            wait_members(base, WORKERS, timeout=180)
            watch.start()
            publish_in_order(base, *first)
            victim = members[1]
            moment = _kill_moment(base, victim, len(first))
            running["procs"][victim.var_dir.name].kill()
            code = running["procs"][victim.var_dir.name].wait(30)
            print(f"SIGKILL {victim.var_dir.name} (exit {code}) mid-stream: {moment}")
            assert code == -9
            publish_in_order(base, *rest)
            replacement = member(base, tmp_path, "w3")
            running["start"](replacement)
            alive = [s for s in members if s is not victim] + [replacement]
            taken = wait_members(base, WORKERS, timeout=180)
            print(f"replacement joined: partitions per worker {sorted(taken.values())}")
            wait_processed(base, timeout=300)
            settle_all(alive)
            statuses = _statuses(alive)
            client = connect(base)
            live_differs = differing_from_live(client)  # 3 refreshers still running
            client.close()
        counts, ids = event_counts(base)
        stored = stored_incidents(base)
        dead_letters = topic_size(base, base.topic_dead_letter)
    expected = expected_incidents(events, base)
    distinct = {event["event_id"] for event in events}
    wrong = sorted(
        i
        for i in set(expected) | set(stored)
        if comparable(stored).get(i) != comparable(expected).get(i)
    )
    for name, status in statuses.items():
        print(f"{name}: {status_summary(status, COUNTERS)}")
    print(
        f"counted: {len(messages)} events published ({len(distinct)} distinct); stored "
        f"{counts['rows']} rows ({counts['distinct']} distinct, so "
        f"{counts['rows'] - counts['distinct']} duplicates before merges), {counts['final']} "
        f"with FINAL ({counts['final'] - counts['final_distinct']} duplicates); "
        f"{len(distinct - ids)} lost; {len(stored)} incidents stored, {len(expected)} expected, "
        f"{len(wrong)} differing; {dead_letters} dead letters; {watch.reads} view reads, "
        f"{len(watch.failures)} failed"
    )
    assert ids == distinct, "lost or unknown events"
    assert counts["final"] == counts["final_distinct"] == len(distinct)
    assert wrong == [], wrong[:3]
    assert dead_letters == 0
    assert watch.failures == []
    assert live_differs == []
