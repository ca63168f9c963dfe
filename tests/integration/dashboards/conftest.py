"""Fixtures of the dashboard tests, package-scoped: built once for every module here.

``db``: a ClickHouse on each engine (chDB, and a server over HTTP, queried as
the read-only user Grafana has) with the migrations and the seed of
tests/support/dashboard_seed.py (consecutive versions of an incident or of an
ownership period in different parts, so only FINAL merges them).
``options``: the options of every template variable, per dashboard uid, as
Grafana computes them (query variables run on ``db``; a textbox has none).
docs/dashboards.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from streams.engine.incident import INCIDENT_COLUMNS
from streams.ingest.rows import EVENT_COLUMNS
from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from tests.support.clickhouse_engines import ENGINES, as_reader, storage
from tests.support.dashboard_seed import TIME, Database, make_seed
from tests.support.grafana_dashboards import custom_options, load_dashboards
from tests.support.grafana_queries import expand

DASHBOARDS = {d["uid"]: d for d in load_dashboards().values()}
OWNER_COLUMNS = ("service", "team", "valid_from", "source", "loaded_at", "is_deleted")


@pytest.fixture(scope="package", params=ENGINES)
def db(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Database]:
    directory = tmp_path_factory.mktemp(f"dashboards-{request.param}")
    with storage(request.param, directory) as target:
        _seed(Settings(var_dir=directory / "var", **target))
        # every query runs as the read-only user Grafana has (on the server engine)
        client = connect(Settings(var_dir=directory / "var", **as_reader(target)))
        try:
            yield Database(client, make_seed())
        finally:
            client.close()


def _seed(settings: Settings) -> None:
    client = connect(settings)
    try:
        migrate(client, load_migrations())
        seed = make_seed()
        for table, columns, rows in (
            ("mttr.incidents", INCIDENT_COLUMNS, seed.incident_rows),
            ("mttr.events", EVENT_COLUMNS, seed.event_rows),
            ("mttr.service_owners", OWNER_COLUMNS, seed.owner_rows),
        ):
            # consecutive versions of a row land in different parts: only FINAL merges them
            for part in (rows[::2], rows[1::2]):
                client.insert(
                    table, [[r[c] for c in columns] for r in part], column_names=list(columns)
                )
    finally:
        client.close()


# --- variables -------------------------------------------------------------------


def variable_options(db: Database, definition: dict[str, Any]) -> tuple[str, ...]:
    """Run a query variable's SQL (or parse a custom one) and return its option values."""
    if definition["type"] == "custom":
        return custom_options(definition["query"])
    if definition["type"] == "textbox":
        return ()
    sql = expand(definition["query"], {}, TIME)
    result = db.client.query(sql)
    assert len(result.column_names) == 1, f"${definition['name']}: one column expected"
    return tuple(str(row[0]) for row in result.result_rows)


@pytest.fixture(scope="package")
def options(db: Database) -> dict[str, dict[str, tuple[str, ...]]]:
    """Return the options of every variable, per dashboard uid."""
    return {
        uid: {v["name"]: variable_options(db, v) for v in d["templating"]["list"]}
        for uid, d in DASHBOARDS.items()
    }
