"""TableSink on both engines (embedded chDB, a server over HTTP): rows stored exactly, retries.

The rows read back are the rows written: timezone-aware DateTime64 values
(microseconds cut to milliseconds, other offsets moved to UTC), Nullable
columns with and without a value, empty and filled arrays, LowCardinality
columns (also Nullable), UInt8 flags, Int64/UInt64 extremes and SQL-looking
strings (tests/support/hostile_corpus.py); the incidents' review and fingerprint
columns (sql/014) included. The prepared insert context is
taken once per sink; a column added under it does not disturb it, and a
table that disappears fails the write with ``SinkError``, keeps the rows and
the retry stores them once the table is back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client

from streams.engine.incident import INCIDENT_COLUMNS
from streams.errors import SinkError
from streams.ingest.decode import Decoded, Origin, decode
from streams.ingest.rows import EVENT_COLUMNS, event_to_row
from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from streams.storage.sink import TableSink
from tests.support.factories import alert, as_line, deploy, ticket
from tests.support.hostile_corpus import sql_events

pytestmark = pytest.mark.integration
PLUS_TWO = timezone(timedelta(hours=2))
INGESTED_AT = datetime(2026, 3, 2, 10, 0, 5, 250_999, tzinfo=UTC)


@pytest.fixture
def client(engine_settings: Settings) -> Iterator[Client]:
    """A client on a fresh migrated database of the test's engine."""
    client = connect(engine_settings)
    migrate(client, load_migrations())
    try:
        yield client
    finally:
        client.close()


def stored(value: Any) -> Any:
    """Return ``value`` as ClickHouse gives it back: datetimes in UTC, to the millisecond."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def read(client: Client, table: str, columns: Sequence[str], key: str) -> list[dict[str, Any]]:
    result = client.query(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {key}")  # noqa: S608
    return [dict(zip(columns, row, strict=True)) for row in result.result_rows]


def event_rows() -> list[dict[str, Any]]:
    events = sql_events("sink") + [
        alert(event_id="sink-us", occurred_at="2026-03-02T11:00:00.123456+01:00"),
        deploy(event_id="sink-kind", kind="hotfix", status="failed"),
        ticket(event_id="sink-no-severity", severity=None),
    ]
    rows = []
    for offset, event in enumerate(events):
        origin = Origin("alerts", 2**31 - 1, 2**63 - 1 - offset)
        decoded = decode(as_line(event), origin, expected_type=None, max_bytes=1 << 20)
        assert isinstance(decoded, Decoded), decoded
        rows.append(event_to_row(decoded, INGESTED_AT + timedelta(microseconds=offset)))
    return rows


def incident_row(number: int, **overrides: Any) -> dict[str, Any]:
    started = datetime(2026, 3, 2, 10, 0, 0, 123_456, tzinfo=PLUS_TWO)
    row: dict[str, Any] = {
        "incident_id": f"inc-{number:03d}",
        "service": "checkout') ; DROP TABLE mttr.incidents; --",
        "environment": "production",
        "status": "resolved",
        "severity": "critical",
        "category": "availability",
        "title": 'Latency "p99" \\ ü 🚨\nsecond line',
        "started_at": started,
        "detected_at": started + timedelta(seconds=59.5),
        "acknowledged_at": None,
        "identified_at": started + timedelta(minutes=3),
        "mitigated_at": None,
        "resolved_at": started + timedelta(hours=1, microseconds=999),
        "ttd_seconds": 59.5,
        "tta_seconds": None,
        "tti_seconds": 0.1 + 0.2,
        "ttm_seconds": None,
        "ttr_seconds": 3600.001,
        "alert_count": 2,
        "alert_ids": ["a-1", "a'2"],
        "ticket_ids": [],
        "event_count": 4_294_967_295,
        "cause_deploy_id": None,
        "fix_deploy_id": "dep-9",
        "repair_action": None,
        "reopen_count": 0,
        "completed": 1,
        "quality_flags": ["ttd_negative_clamped"],
        "reviewed_at": started + timedelta(days=21, microseconds=1500),
        "time_to_review_seconds": 21 * 86400 - 3600.001,
        "fingerprint": "HighErrorRate + Latency') --",
        "is_deleted": 0,
        "version": 2**64 - 1,
        "updated_at": datetime(2026, 3, 2, 12, 0, 0, 999_999, tzinfo=UTC),
    }
    return row | overrides


def incident_rows() -> list[dict[str, Any]]:
    return [
        incident_row(1),
        incident_row(
            2,
            status="open",
            resolved_at=None,
            ttr_seconds=None,
            completed=0,
            reviewed_at=None,
            time_to_review_seconds=None,
            fingerprint="",
        ),
        incident_row(3, repair_action="rollback", cause_deploy_id="dep-1", is_deleted=1),
        incident_row(4, acknowledged_at=datetime(1970, 1, 1, tzinfo=UTC), tta_seconds=5e-324),
    ]


@pytest.mark.parametrize("batch", [1, 7, 1000])
def test_rows_read_back_as_written(client: Client, batch: int) -> None:
    for table, columns, rows, key in (
        ("mttr.events", EVENT_COLUMNS, event_rows(), "event_id"),
        ("mttr.incidents", INCIDENT_COLUMNS, incident_rows(), "incident_id"),
    ):
        sink = TableSink(client, table, columns)
        for start in range(0, len(rows), batch):
            for row in rows[start : start + batch]:
                sink.add(row)
            sink.flush()
        expected = sorted(({c: stored(r[c]) for c in columns} for r in rows), key=lambda r: r[key])
        assert read(client, table, columns, key) == expected


def test_a_column_added_under_a_running_sink(client: Client) -> None:
    sink = TableSink(client, "mttr.incidents", INCIDENT_COLUMNS)
    sink.write([[incident_row(1)[c] for c in INCIDENT_COLUMNS]])
    client.command("ALTER TABLE mttr.incidents ADD COLUMN note String DEFAULT 'none'")
    sink.write([[incident_row(2)[c] for c in INCIDENT_COLUMNS]])
    notes = client.query("SELECT incident_id, note FROM mttr.incidents ORDER BY incident_id")
    assert notes.result_rows == [("inc-001", "none"), ("inc-002", "none")]


def test_a_missing_table_fails_the_write_and_the_retry_stores_the_same_rows(
    client: Client,
) -> None:
    sink = TableSink(client, "mttr.events", EVENT_COLUMNS)
    first, second, *_ = event_rows()
    sink.add(first)
    sink.flush()
    client.command("DROP TABLE mttr.events SYNC")
    sink.add(second)
    for _ in range(2):
        with pytest.raises(SinkError, match=r"^insert of 1 rows into mttr.events failed: "):
            sink.flush()
        assert len(sink) == 1
    migrate(client, load_migrations())
    assert sink.flush() == 1
    assert read(client, "mttr.events", ["event_id"], "event_id") == [
        {"event_id": second["event_id"]}
    ]
