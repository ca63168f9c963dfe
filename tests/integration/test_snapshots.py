"""View snapshots (streams/storage/snapshots.py) on the real engine: when they refresh,
when not trusted.

The views' numbers are checked against an independent model in
tests/integration/views/, in every snapshot state; here each view is compared with its
live definition, which is what a snapshot must reproduce.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client

from streams.devtools.processes import stop_process
from streams.devtools.wait import wait_processed
from streams.settings import Settings, project_root
from streams.storage.clickhouse import connect, load_migrations, migrate
from streams.storage.snapshots import VIEWS, Refresher, in_use, refresh, snapshot_tables
from tests.support.processes import mttr, start_worker, wait_status
from tests.support.snapshot_views import differing_from_live, incident, rows_of, write

pytestmark = pytest.mark.integration

SAMPLE = project_root() / "samples" / "events.jsonl"


@pytest.fixture
def client(engine_settings: Settings) -> Iterator[Client]:
    client = connect(engine_settings)
    migrate(client, load_migrations())
    write(client, [incident(n, ("checkout", "search", "auth")[n % 3]) for n in range(60)])
    try:
        yield client
    finally:
        client.close()


def test_the_refresher_refreshes_when_data_changed_and_builds_on_its_snapshot(
    client: Client,
) -> None:
    refresher = Refresher(client, grace_s=0, max_share=1.0)  # no pause
    first = refresher.run()
    assert first is not None and first.full and in_use(client)
    assert first.rows["mttr_daily"] > 0
    assert refresher.run() is None  # nothing new

    write(client, [incident(3, "checkout", version=2, ttr_s=7200.0)])  # re-written, 2 h now
    assert differing_from_live(client) == []  # checkout is read live until the next refresh
    second = refresher.run()
    assert second is not None and not second.full  # built on the previous snapshot
    assert second.blocks.incidents > first.blocks.incidents
    assert differing_from_live(client) == []
    assert [len(snapshot_tables(client, view)) for view in VIEWS] == [1] * len(VIEWS)

    migrate(client, load_migrations())  # points the views back to live
    assert not in_use(client)
    third = refresher.run()
    assert third is not None and third.full and in_use(client)
    assert differing_from_live(client) == []


def test_an_emptied_snapshot_is_not_trusted(client: Client) -> None:
    """An in-memory snapshot is empty after a restart: the views then read live."""
    refresh(client, grace_s=0)
    for view in VIEWS:
        client.command(f"TRUNCATE TABLE mttr.{snapshot_tables(client, view)[-1]}")
    assert in_use(client)
    assert rows_of(client, "mttr_daily")
    assert differing_from_live(client) == []


@pytest.mark.slow
def test_the_worker_refreshes_the_snapshots(storage_settings: Settings, tmp_path: Path) -> None:
    """The worker's timer refreshes on its own client while the worker runs, and stops cleanly."""
    settings = storage_settings.model_copy(update={"snapshot_interval_s": 1.0})
    log = tmp_path / "worker.log"
    worker = start_worker(settings, log)
    try:
        published = mttr("publish", str(SAMPLE), settings=settings)
        assert "Published 15 events" in published.stdout
        wait_processed(settings)
        status = wait_status(settings, lambda s: s["snapshots"].get("rows", 0) > 0)
    finally:
        assert stop_process(worker) == 0, log.read_text()[-3000:]
    snapshots = status["snapshots"]
    assert snapshots["enabled"] and "last_error" not in snapshots, snapshots
    client = connect(settings)
    try:  # the in-memory snapshots ended with the worker: the views read live, still exact
        assert rows_of(client, "mttr_by_service_severity")
        assert differing_from_live(client) == []
    finally:
        client.close()
