"""Correlation end to end on the real broker and chDB, with hand-computed incidents.

The scripted history (tests/support/scripted_history.py) is published shuffled across
the three topics (with duplicates), the tickets topic through a round-robin
partitioner, so one service's events land on several partitions; a postmortem a
day later sets the reviewed incident's review columns. Expected
rows are worked out by hand from docs/incident-model.md.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from streams.devtools.processes import stop_process
from streams.devtools.wait import wait_processed
from streams.settings import Settings
from tests.support.processes import start_worker, wait_status, worker_status
from tests.support.scripted_history import DAY_LATER, HISTORY, check, dt
from tests.support.scripted_stream import incidents, publish, scripted_settings, settle

pytestmark = [pytest.mark.integration, pytest.mark.slow]
# Published with DAY_LATER: PAY-1's review, a day after its incident resolved at 10:45.
REVIEW = {
    "event_id": "corr-pay-1-postmortem",
    "type": "ticket",
    "service": "payments",
    "occurred_at": "2026-03-03T09:00:00Z",
    "ticket_id": "PAY-1",
    "status": "postmortem",
}


def _check_review_and_fingerprints(rows: dict[Any, dict[str, Any]]) -> None:
    """The review and fingerprint columns (sql/014) as the engine computed them.

    payments 09:58: reviewed 03-03 09:00, 22 h 15 min = 80,100 s after 10:45; its
    firing alerts A1, A2 are named AlertA1, AlertA2. portal: declared, the title
    "Users cannot log in" normalised. docs/incident-model.md, "Review", "Fingerprint".
    """
    payments = rows["payments", "production", dt("09:58:00")]
    assert payments["reviewed_at"] == dt("09:00:00", "2026-03-03")
    assert payments["time_to_review_seconds"] == 80_100.0
    assert payments["fingerprint"] == "AlertA1 + AlertA2"
    portal = rows["portal", "production", dt("11:00:00")]
    assert (portal["reviewed_at"], portal["time_to_review_seconds"]) == (None, None)
    assert portal["fingerprint"] == "users cannot log in"


def _run_to_end(settings: Settings, log: Path) -> None:
    worker = start_worker(settings, log)
    try:
        settle(settings)
        assert worker.poll() is None, log.read_text()[-3000:]
    finally:
        assert stop_process(worker) == 0, log.read_text()[-3000:]


def _comparable(rows: dict[Any, dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    return {
        k: {c: v for c, v in r.items() if c not in ("version", "updated_at", "inserted_at")}
        for k, r in rows.items()
    }


def _assert_same(actual: dict[Any, dict[str, Any]], expected: dict[Any, dict[str, Any]]) -> None:
    """Assert equal rows; on failure name the incident and the fields that differ."""
    actual, expected = _comparable(actual), _comparable(expected)
    assert sorted(actual) == sorted(expected)
    differences = {
        key: {f: (actual[key][f], row[f]) for f in row if actual[key][f] != row[f]}
        for key, row in expected.items()
        if actual[key] != row
    }
    assert differences == {}, "(actual, expected) per differing field"


# The Faust store does not depend on the ClickHouse engine: rocksdb runs on chDB only.
@pytest.mark.parametrize(
    ("engine", "store"),
    [("chdb", "memory://"), ("chdb", "rocksdb://"), ("server", "memory://")],
)
def test_scripted_history_replay_and_restart(
    storage_settings: Settings, tmp_path: Path, engine: str, store: str
) -> None:
    base = storage_settings
    events = HISTORY + random.Random(7).sample(HISTORY, 8)  # duplicates (same event_id)

    # (a) shuffled, duplicated, mixed partitioners -> exactly the expected incidents,
    # with events correlated where they were read and others forwarded first.
    first = scripted_settings(base, tmp_path, "first", store)
    publish(first, events, seed=1)
    worker = start_worker(first, tmp_path / "first.log")
    try:
        wait_processed(first)
        publish(first, [DAY_LATER, REVIEW], seed=0)
        settle(first)
        assert worker.poll() is None
        status = worker_status(first)
        # Alerts and deploys are keyed by service: correlated where read. Round-robin
        # tickets mostly are not on their service's partition: forwarded first.
        assert status is not None
        assert status["correlated_in_place"] > 0, status
        assert status["forwarded"] > 0, status
    finally:
        assert stop_process(worker) == 0, (tmp_path / "first.log").read_text()[-3000:]
    rows = incidents(first)
    check(rows)
    _check_review_and_fingerprints(rows)

    # (b) replaying the same topics into a fresh database gives identical rows.
    replay = scripted_settings(base, tmp_path, "replay", store)
    _run_to_end(replay, tmp_path / "replay.log")
    _assert_same(incidents(replay), rows)

    # (c) SIGTERM mid-stream, restart, rest of the stream: nothing lost, nothing duplicated.
    restart = scripted_settings(base, tmp_path, "restart", store)
    restart = restart.model_copy(
        update={
            "topic_alerts": f"{base.topic_alerts}-r",
            "topic_deploys": f"{base.topic_deploys}-r",
            "topic_tickets": f"{base.topic_tickets}-r",
        }
    )
    shuffled = events[:]
    random.Random(3).shuffle(shuffled)
    half = len(shuffled) // 2
    publish(restart, shuffled[:half], seed=4)
    worker = start_worker(restart, tmp_path / "restart-1.log")
    wait_status(restart, lambda status: status["incident_rows"] > 0)  # it is processing
    assert stop_process(worker) == 0
    publish(restart, shuffled[half:], seed=5)
    worker = start_worker(restart, tmp_path / "restart-2.log")
    try:
        wait_processed(restart)
        publish(restart, [DAY_LATER, REVIEW], seed=0)
        settle(restart)
    finally:
        assert stop_process(worker) == 0
    _assert_same(incidents(restart), rows)
