"""What a store must hold after a history: the pure engine's incidents, loaded as a reference.

``expected_incidents(events, settings)`` feeds the events, in event-time order, through
the pure engine with the worker's rule windows: one incident row per id, the
specification any number of workers must reproduce. ``load_reference()`` writes those
rows and the events' ``mttr.events`` rows into a fresh database, so the views
(sql/005-009) can be read there and compared with a worker-written one.
``stored_incidents()`` reads ``mttr.incidents FINAL``; ``comparable()`` drops what
depends on when and by whom a row was written (``PROCESSING``). ``event_counts()``
counts ``mttr.events`` with and without ``FINAL``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from schemas.events import EVENT_ADAPTER
from streams.engine.incident import INCIDENT_COLUMNS
from streams.ingest.decode import Decoded, Origin
from streams.ingest.rows import EVENT_COLUMNS, event_to_row
from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from streams.worker.build import engine_config
from tests.support.engine import run

PROCESSING = ("version", "updated_at", "inserted_at", "completed", "is_deleted")
INGESTED_AT = datetime(2030, 1, 1, tzinfo=UTC)  # no view reads it

Row = dict[str, Any]


def by_time(events: list[Row]) -> list[Row]:
    """Return ``events`` in event-time order (ties by event id), as a producer sends them."""
    return sorted(events, key=lambda e: (datetime.fromisoformat(e["occurred_at"]), e["event_id"]))


def expected_incidents(events: list[Row], settings: Settings) -> dict[str, Row]:
    """Return the pure engine's current row per incident id for ``events`` (any order given)."""
    return run(by_time(events), engine_config(settings))


def comparable(rows: dict[str, Row]) -> dict[str, Row]:
    """Return ``rows`` without the columns that depend on processing (``PROCESSING``)."""
    return {
        incident_id: {k: v for k, v in row.items() if k not in PROCESSING}
        for incident_id, row in rows.items()
    }


def load_reference(settings: Settings, events: list[Row], incidents: dict[str, Row]) -> None:
    """Migrate the database of ``settings`` and store ``incidents`` and every distinct event."""
    distinct = {event["event_id"]: event for event in events}
    event_rows = [
        event_to_row(
            Decoded(EVENT_ADAPTER.validate_python(e), orjson.dumps(e), Origin(e["type"], 0, 0)),
            INGESTED_AT,
        )
        for e in distinct.values()
    ]
    client = connect(settings)
    try:
        migrate(client, load_migrations())
        for table, rows, columns in (
            ("mttr.incidents", list(incidents.values()), INCIDENT_COLUMNS),
            ("mttr.events", event_rows, EVENT_COLUMNS),
        ):
            values = [[row[c] for c in columns] for row in rows]
            client.insert(table, values, column_names=list(columns))
    finally:
        client.close()


def stored_incidents(settings: Settings) -> dict[str, Row]:
    """Return ``mttr.incidents FINAL`` by incident id."""
    client = connect(settings)
    try:
        result = client.query("SELECT * FROM mttr.incidents FINAL")
    finally:
        client.close()
    rows = [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
    return {row["incident_id"]: row for row in rows}


def event_counts(settings: Settings) -> tuple[dict[str, int], set[str]]:
    """Return counts of ``mttr.events`` and the event ids it holds.

    Counts: ``rows`` (before merges), ``distinct`` (event ids), ``final``
    (rows with FINAL), ``final_distinct``.
    """
    client = connect(settings)
    try:
        raw = client.query("SELECT count(), uniqExact(event_id) FROM mttr.events").result_rows[0]
        final = client.query(
            "SELECT count(), uniqExact(event_id) FROM mttr.events FINAL"
        ).result_rows[0]
        ids = {str(i) for (i,) in client.query("SELECT event_id FROM mttr.events").result_rows}
    finally:
        client.close()
    counts = {"rows": raw[0], "distinct": raw[1], "final": final[0], "final_distinct": final[1]}
    return {name: int(value) for name, value in counts.items()}, ids
