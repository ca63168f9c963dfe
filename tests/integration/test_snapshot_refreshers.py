"""Several refreshers on one database (streams/storage/snapshots.py): one per worker.

Every worker writing to one ClickHouse server keeps the view snapshots current. Each
refresh is exact whoever made it, so a view may read any refresher's snapshot; what
must never happen is a refresher dropping the table another one has just pointed a view
at. The first test replays that interleaving step by step, the second lets three
refreshers race on a server while incidents keep arriving and reads every view between
writes: always readable, always exactly the live rows.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client

from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from streams.storage.snapshots import (
    VIEWS,
    Refresher,
    committed_blocks,
    drop_snapshots,
    refresh_view,
    snapshot_tables,
)
from tests.support.clickhouse_engines import storage
from tests.support.snapshot_views import differing_from_live, incident, rows_of, write

pytestmark = pytest.mark.integration

SERVICES = ("checkout", "search", "auth", "payments")
REFRESHERS = 3
ROUNDS = 12


@pytest.fixture
def client(engine_settings: Settings) -> Iterator[Client]:
    client = connect(engine_settings)
    migrate(client, load_migrations())
    write(client, [incident(n, SERVICES[n % 3]) for n in range(60)])
    try:
        yield client
    finally:
        client.close()


def test_a_table_another_refresher_points_at_is_not_dropped(client: Client) -> None:
    """B snapshots first, A (an older stamp) points the view last, B cleans up after itself."""
    view = VIEWS[0]
    blocks = committed_blocks(client)
    now = time.time_ns() // 1_000_000
    refresh_view(client, view, blocks, now - 5, full=True, owner="b")
    refresh_view(client, view, blocks, now, full=True, owner="b")
    refresh_view(client, view, blocks, now - 1, full=True, owner="a")  # pointed last
    assert drop_snapshots(client, view, "b") == [f"{view.name}__snapshot_{now - 5}_b"]
    assert rows_of(client, view.name) == rows_of(client, f"{view.name}_live")
    assert drop_snapshots(client, view, "a") == []  # a's only table: the one read

    # a's table stays while the view reads it, however old; a gone owner's unread one goes
    refresh_view(client, view, blocks, 1000, full=True, owner="gone")
    refresh_view(client, view, blocks, 2000, full=True, owner="old")
    assert drop_snapshots(client, view, "b") == [f"{view.name}__snapshot_1000_gone"]
    assert snapshot_tables(client, view) == [
        f"{view.name}__snapshot_2000_old",
        f"{view.name}__snapshot_{now - 1}_a",
        f"{view.name}__snapshot_{now}_b",
    ]
    assert rows_of(client, view.name) == rows_of(client, f"{view.name}_live")


def _refreshing(settings: Settings, owner: str, stop: threading.Event, errors: list[str]) -> int:
    """Run one refresher (its own client, no pause) until ``stop``; return its refreshes."""
    client = connect(settings)
    refresher = Refresher(client, grace_s=0.2, max_share=1.0, owner=owner)
    done = 0
    try:
        while not stop.is_set():
            try:
                done += refresher.run() is not None
            except Exception as exc:  # noqa: BLE001 - every failure is reported by the test
                errors.append(f"{owner}: {exc}"[:300])
            time.sleep(0.01)
    finally:
        client.close()
    return done


@pytest.mark.slow
def test_three_refreshers_on_one_server_keep_every_view_exact(tmp_path: Path) -> None:
    with storage("server", tmp_path) as target:
        settings = Settings(var_dir=tmp_path / "var", **target)
        client = connect(settings)
        migrate(client, load_migrations())
        stop, errors, counts = threading.Event(), [], {}
        threads = [
            threading.Thread(
                target=lambda o=f"r{i}": counts.__setitem__(
                    o, _refreshing(settings, o, stop, errors)
                )
            )
            for i in range(REFRESHERS)
        ]
        for thread in threads:
            thread.start()
        reads, wrong = 0, []
        try:
            for n in range(ROUNDS):
                # a new incident of one service and a new version of another's
                write(client, [incident(100 + n, SERVICES[n % 4])])
                write(client, [incident(n, SERVICES[n % 3], version=2, ttr_s=60.0 * (n + 1))])
                deadline = time.monotonic() + 2.0
                while time.monotonic() < deadline:  # the refreshers race meanwhile
                    try:
                        wrong += [f"round {n}: {v}" for v in differing_from_live(client)]
                    except Exception as exc:  # noqa: BLE001 - a failed read is the bug
                        wrong.append(f"round {n}: read failed: {exc}"[:300])
                    reads += 1
        finally:
            stop.set()
            for thread in threads:
                thread.join(60)
        tables = {view.name: snapshot_tables(client, view) for view in VIEWS}
        final = differing_from_live(client)
        client.close()
    print(
        f"{REFRESHERS} refreshers, refreshes {counts}; {ROUNDS} write rounds; {reads} reads of "
        f"all views: {len(wrong)} wrong or failed; refresh errors {len(errors)}"
    )
    assert wrong == []
    assert errors == []
    assert final == []
    assert min(counts.values()) > 1, counts  # they did race
    for view, names in tables.items():  # at most each refresher's newest
        assert len(names) <= REFRESHERS, (view, names)
