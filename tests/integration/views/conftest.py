"""Every analytics view (sql/005-009) against an independent Python model.

One real ClickHouse is built per engine (embedded chDB, and a server over
HTTP: tests/support/clickhouse_engines.py) and snapshot state (``MODES``):
the schema from the migrations, a seeded incident history
(tests/support/view_history.py), deploy and change events, and the ownership
periods of tests/support/team_model.py. The history contains what
``FINAL`` has to get right: incidents written in several versions (only the
highest counts), incidents whose newest version is a delete marker (they
vanish, also as a DORA cause), one incident deleted and then re-created, and
a deploy event stored twice under the same event_id.

The expectations never come from ClickHouse: they are computed in plain
Python (tests/support/view_model.py) from the "current incidents" (per incident_id
the highest version, dropped when it is a delete marker) following
docs/metrics.md, and every column of every row of every view is compared.

This conftest builds those databases: ``db`` is package-scoped, so each mode's
database is built once and shared by the test_views_*.py modules of this folder.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client

from streams.engine.incident import INCIDENT_COLUMNS
from streams.ingest.rows import EVENT_COLUMNS
from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from streams.storage.owners.rows import OwnerRow
from streams.storage.owners.table import replace_source
from streams.storage.snapshots import refresh
from tests.support.availability_model import load_objectives
from tests.support.clickhouse_engines import ENGINES, storage
from tests.support.team_model import OWNERS
from tests.support.view_database import Database
from tests.support.view_history import HISTORY_START, make_history

# How the views are read (streams/storage/snapshots.py): "live" right after migrate;
# "refreshed" from snapshots taken after every insert; "changed" from snapshots
# taken before the recent writes (newer versions and delete markers of one
# service, deploys of another, the redelivered event), which are then read
# live; "rebuilt" after a refresh that built on the "changed" state.
MODES = ("live", "refreshed", "changed", "rebuilt")
RECENT = HISTORY_START + timedelta(days=90)


def is_recent_write(row: dict[str, Any]) -> bool:
    if "incident_id" in row:
        return row["service"] == "search" and row["updated_at"] >= RECENT
    return row["service"] == "auth" and row["occurred_at"] >= RECENT


def insert(client: Client, table: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    client.insert(table, [[r[c] for c in columns] for r in rows], column_names=columns)


@pytest.fixture(
    scope="package",
    params=[(engine, mode) for engine in ENGINES for mode in MODES],
    ids=lambda param: "-".join(param),
)
def db(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Database]:
    engine, mode = request.param
    directory = tmp_path_factory.mktemp(f"views-{engine}-{mode}")
    with storage(engine, directory) as target:
        yield from _database(Settings(var_dir=directory / "var", **target), mode)


def _database(settings: Settings, mode: str) -> Iterator[Database]:
    client = connect(settings)
    try:
        migrate(client, load_migrations())
        history = make_history()
        rows = list(history.versions)
        random.Random(7).shuffle(rows)  # versions arrive in any order, across parts
        events = history.event_rows
        held = mode in ("changed", "rebuilt")
        recent = [r for r in rows if held and is_recent_write(r)]
        rows = [r for r in rows if not (held and is_recent_write(r))]
        recent_events = [e for e in events[:-1] if held and is_recent_write(e)] + events[-1:]
        events = [e for e in events[:-1] if not (held and is_recent_write(e))]
        columns, event_columns = list(INCIDENT_COLUMNS), list(EVENT_COLUMNS)
        for part in (rows[:120], rows[120:250], rows[250:]):
            insert(client, "mttr.incidents", part, columns)
        insert(client, "mttr.events", events, event_columns)
        owners = [
            OwnerRow(s, team, start, f"OWNERS[{n}]") for n, (s, team, start) in enumerate(OWNERS)
        ]
        replace_source(client, "file", owners, datetime.now(UTC))
        load_objectives(client)  # availability_monthly (tests/support/availability_model.py)
        if held:
            refresh(client, grace_s=0)
            assert recent and len(recent_events) > 1, "the test data has no recent writes"
            insert(client, "mttr.incidents", recent, columns)
        insert(client, "mttr.events", recent_events, event_columns)
        if mode == "refreshed":
            refresh(client, grace_s=0)
        if mode == "rebuilt":
            refresh(client, full=False, grace_s=0)
        yield Database(client, history, mode)
    finally:
        client.close()
