"""The part layouts the views are timed in, and what the tables hold.

``load`` inserts the generated history with background merges stopped, so the
tables keep the parts the inserts made; ``optimize`` merges each table into
one part; ``rewrite_services`` adds the small parts a running worker writes
between two snapshot refreshes. ``loaded`` counts rows and active parts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from clickhouse_connect.driver.client import Client

from bench.dataset import Spec, columns, insert_statements


@dataclass(frozen=True)
class Loaded:
    """What ended up in the database, as ClickHouse counts it."""

    incident_rows: int
    current_incidents: int
    open_incidents: int
    deploy_events: int
    succeeded_deploys: int
    change_events: int
    incident_parts: int
    event_parts: int
    seconds: float


# One part per INSERT, whatever the engine's thread count.
INSERT_SETTINGS = {"max_insert_threads": 1, "max_block_size": 65536}


def load(client: Client, spec: Spec) -> Loaded:
    """Insert the history into a migrated, empty database and return what it holds.

    Background merges of both tables are stopped first, so the part layout is
    the one the inserts produced (``OPTIMIZE ... FINAL`` still merges).
    """
    began = time.perf_counter()
    for table in ("mttr.incidents", "mttr.events"):
        client.command(f"SYSTEM STOP MERGES {table}")
    for statement in insert_statements(spec):
        client.command(statement, settings=INSERT_SETTINGS)
    seconds = time.perf_counter() - began
    return loaded(client, seconds)


def optimize(client: Client) -> float:
    """Merge each table into one part (``OPTIMIZE ... FINAL``); return the seconds it took.

    Merges are allowed for the ``OPTIMIZE`` only and stopped again afterwards.
    """
    began = time.perf_counter()
    for table in ("mttr.incidents", "mttr.events"):
        client.command(f"SYSTEM START MERGES {table}")
        client.command(f"OPTIMIZE TABLE {table} FINAL")
        client.command(f"SYSTEM STOP MERGES {table}")
    return time.perf_counter() - began


def rewrite_services(client: Client, first: int, count: int, batches: int = 3) -> int:
    """Write newer versions of recent incidents of ``count`` services, in ``batches`` parts.

    This is what the worker writes between two snapshot refreshes: each batch
    is a new version of the 3 most recently started incidents of each service
    (the services are numbers ``first`` to ``first + count - 1`` in a fixed
    order, so calls with growing ``first`` touch new services). Only
    ``version`` and ``updated_at`` change, so every view returns the same rows
    as before. Returns the number of rows inserted.
    """
    bump = {
        "version": "toUInt64(version + 1) AS version",
        "updated_at": "updated_at + toIntervalMinute(1) AS updated_at",
    }
    services = (
        "SELECT service FROM (SELECT DISTINCT service FROM mttr.incidents) "
        f"ORDER BY cityHash64(service) LIMIT {first}, {count}"
    )
    before = int(client.query("SELECT count() FROM mttr.incidents").result_rows[0][0])
    for _ in range(batches):
        client.command(
            f"INSERT INTO mttr.incidents ({columns()}) "
            f"SELECT {columns(bump)} FROM mttr.incidents FINAL "
            f"WHERE service IN ({services}) ORDER BY started_at DESC LIMIT 3 BY service",
            settings=INSERT_SETTINGS,
        )
    return int(client.query("SELECT count() FROM mttr.incidents").result_rows[0][0]) - before


def snapshot_bytes(client: Client) -> int:
    """Return the memory the view snapshots hold (in-memory tables of ``mttr``)."""
    result = client.query(
        "SELECT sum(total_bytes) FROM system.tables "
        "WHERE database = 'mttr' AND engine = 'Memory' AND name LIKE '%\\_\\_snapshot\\_%'"
    )
    return int(result.result_rows[0][0] or 0)


def loaded(client: Client, seconds: float) -> Loaded:
    """Count rows, current incidents, deploys, changes and active parts."""

    def one(sql: str) -> int:
        return int(client.query(sql).result_rows[0][0])

    def parts(table: str) -> int:
        return one(
            "SELECT count() FROM system.parts WHERE active "
            f"AND database = 'mttr' AND table = '{table}'"
        )

    return Loaded(
        incident_rows=one("SELECT count() FROM mttr.incidents"),
        current_incidents=one("SELECT count() FROM mttr.incidents FINAL"),
        open_incidents=one("SELECT count() FROM mttr.incidents FINAL WHERE status = 'open'"),
        deploy_events=one("SELECT count() FROM mttr.events WHERE type = 'deploy'"),
        succeeded_deploys=one(
            "SELECT count() FROM mttr.events FINAL WHERE type = 'deploy' AND status = 'succeeded'"
        ),
        change_events=one("SELECT count() FROM mttr.events WHERE type = 'change'"),
        incident_parts=parts("incidents"),
        event_parts=parts("events"),
        seconds=seconds,
    )
