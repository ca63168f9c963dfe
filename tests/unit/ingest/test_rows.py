"""event_to_row / row_values: the exact rows written to mttr.events."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from streams.ingest.decode import Decoded, Origin, decode
from streams.ingest.rows import EVENT_COLUMNS, event_to_row
from streams.storage.sink import TableSink
from tests.support.factories import as_line, change, deploy, ticket
from tests.support.paths import ROOT
from tests.support.recording_client import RecordingClient

INGESTED_AT = datetime(2026, 3, 2, 10, 0, 5, 250000, tzinfo=UTC)
SQL_EVENTS = ROOT / "sql" / "002_events.sql"
SQL_CHANGES = ROOT / "sql" / "011_change_lead_times.sql"


def decoded(raw: bytes, origin: Origin) -> Decoded:
    result = decode(raw, origin, expected_type=None, max_bytes=1024 * 1024)
    assert isinstance(result, Decoded), result
    return result


def test_alert_row() -> None:
    text = (
        '{"type":"alert","event_id":"am-1","service":"checkout",'
        '"occurred_at":"2026-03-02T11:00:00.123456+01:00","source":"alertmanager",'
        '"alert_id":"checkout-5xx","name":"High5xxRate","status":"firing",'
        '"severity":"critical","category":"performance","summary":"café ☕ 5xx > 2%"}'
    )
    raw = text.encode("utf-8")
    row = event_to_row(decoded(raw, Origin("alerts", 2, 1017)), INGESTED_AT)
    assert row == {
        "event_id": "am-1",
        "type": "alert",
        "service": "checkout",
        "environment": "production",
        "occurred_at": datetime(2026, 3, 2, 10, 0, 0, 123000, tzinfo=UTC),
        "source": "alertmanager",
        "status": "firing",
        "subject_id": "checkout-5xx",
        "severity": "critical",
        "category": "performance",
        "kind": None,
        "commit_sha": "",
        "first_commit_at": None,
        "raw": (
            '{"type":"alert","event_id":"am-1","service":"checkout",'
            '"occurred_at":"2026-03-02T11:00:00.123456+01:00","source":"alertmanager",'
            '"alert_id":"checkout-5xx","name":"High5xxRate","status":"firing",'
            '"severity":"critical","category":"performance","summary":"café ☕ 5xx > 2%"}'
        ),
        "kafka_topic": "alerts",
        "kafka_partition": 2,
        "kafka_offset": 1017,
        "ingested_at": datetime(2026, 3, 2, 10, 0, 5, 250000, tzinfo=UTC),
    }


def test_deploy_row() -> None:
    raw = (
        b'{"type": "deploy", "event_id": "gh-991", "service": "search",'
        b' "environment": "staging", "occurred_at": "2026-03-02T09:30:00Z",'
        b' "deploy_id": "search-2026.03.02", "status": "succeeded", "kind": "rollback",'
        b' "version": "2026.03.02", "commit_sha": "9fceb02"}'
    )
    row = event_to_row(decoded(raw, Origin("deploys", 0, 0)), INGESTED_AT)
    assert row == {
        "event_id": "gh-991",
        "type": "deploy",
        "service": "search",
        "environment": "staging",
        "occurred_at": datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        "source": "custom",
        "status": "succeeded",
        "subject_id": "search-2026.03.02",
        "severity": None,
        "category": None,
        "kind": "rollback",
        "commit_sha": "9fceb02",
        "first_commit_at": None,
        "raw": (
            '{"type": "deploy", "event_id": "gh-991", "service": "search",'
            ' "environment": "staging", "occurred_at": "2026-03-02T09:30:00Z",'
            ' "deploy_id": "search-2026.03.02", "status": "succeeded", "kind": "rollback",'
            ' "version": "2026.03.02", "commit_sha": "9fceb02"}'
        ),
        "kafka_topic": "deploys",
        "kafka_partition": 0,
        "kafka_offset": 0,
        "ingested_at": datetime(2026, 3, 2, 10, 0, 5, 250000, tzinfo=UTC),
    }


@pytest.mark.parametrize(("severity", "expected"), [("high", "high"), (None, None)])
def test_ticket_row(severity: str | None, expected: str | None) -> None:
    event = ticket(
        event_id="pd-17",
        service="payments",
        occurred_at="2026-03-02T10:04:00Z",
        source="pagerduty",
        ticket_id="INC-1001",
        status="acknowledged",
    )
    if severity is not None:
        event["severity"] = severity
    raw = as_line(event)
    row = event_to_row(decoded(raw, Origin("tickets", 1, 99)), INGESTED_AT)
    assert row == {
        "event_id": "pd-17",
        "type": "ticket",
        "service": "payments",
        "environment": "production",
        "occurred_at": datetime(2026, 3, 2, 10, 4, tzinfo=UTC),
        "source": "pagerduty",
        "status": "acknowledged",
        "subject_id": "INC-1001",
        "severity": expected,
        "category": None,
        "kind": None,
        "commit_sha": "",
        "first_commit_at": None,
        "raw": raw.decode(),
        "kafka_topic": "tickets",
        "kafka_partition": 1,
        "kafka_offset": 99,
        "ingested_at": datetime(2026, 3, 2, 10, 0, 5, 250000, tzinfo=UTC),
    }


def test_insert_layout_follows_event_columns() -> None:
    raw = as_line(deploy(event_id="d-1", deploy_id="dep-1", status="failed", kind="hotfix"))
    client = RecordingClient()
    sink = TableSink(client, "mttr.events", EVENT_COLUMNS)  # type: ignore[arg-type]
    sink.add(event_to_row(decoded(raw, Origin("deploys", 3, 5)), INGESTED_AT))
    assert sink.flush() == 1
    assert client.inserts == [
        (
            "mttr.events",
            [
                [
                    "d-1",
                    "deploy",
                    "checkout",
                    "production",
                    datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
                    "custom",
                    "failed",
                    "dep-1",
                    None,
                    None,
                    "hotfix",
                    "",
                    None,
                    raw.decode(),
                    "deploys",
                    3,
                    5,
                    datetime(2026, 3, 2, 10, 0, 5, 250000, tzinfo=UTC),
                ]
            ],
            list(EVENT_COLUMNS),
        )
    ]


def test_insert_layout_uses_column_order_not_dict_order() -> None:
    client = RecordingClient()
    sink = TableSink(client, "mttr.events", EVENT_COLUMNS)  # type: ignore[arg-type]
    sink.add({column: column.upper() for column in reversed(EVENT_COLUMNS)})
    sink.flush()
    assert client.inserts[0][1] == [[column.upper() for column in EVENT_COLUMNS]]


def test_event_columns() -> None:
    assert EVENT_COLUMNS == (
        "event_id",
        "type",
        "service",
        "environment",
        "occurred_at",
        "source",
        "status",
        "subject_id",
        "severity",
        "category",
        "kind",
        "commit_sha",
        "first_commit_at",
        "raw",
        "kafka_topic",
        "kafka_partition",
        "kafka_offset",
        "ingested_at",
    )


def sql_columns(sql: str, table: str) -> list[str]:
    """Return the column names of ``CREATE TABLE ... table ( ... )``, in order."""
    match = re.search(
        rf"CREATE TABLE IF NOT EXISTS {re.escape(table)}\s*\((?P<body>.*?)\n\)\s*ENGINE",
        sql,
        re.DOTALL,
    )
    assert match, f"no CREATE TABLE for {table}"
    names = []
    for line in match["body"].splitlines():
        line = line.strip()
        if line and not line.startswith("--"):
            names.append(re.match(r"[a-z_][a-z0-9_]*", line)[0])  # type: ignore[index]
    return names


def added_columns(sql: str, table: str) -> list[tuple[str, str]]:
    """Return (name, the column it follows) of every ``ALTER TABLE table ADD COLUMN``."""
    return re.findall(
        rf"ALTER TABLE {re.escape(table)}\s+ADD COLUMN IF NOT EXISTS"
        r" ([a-z_]+)[^;]*?AFTER ([a-z_]+);",
        sql,
    )


def test_event_columns_match_the_events_table() -> None:
    columns = sql_columns(SQL_EVENTS.read_text(encoding="utf-8"), "mttr.events")
    for name, after in added_columns(SQL_CHANGES.read_text(encoding="utf-8"), "mttr.events"):
        columns.insert(columns.index(after) + 1, name)
    assert tuple(columns) == EVENT_COLUMNS


def test_change_row() -> None:
    raw = as_line(
        change(
            event_id="gh-push-1",
            service="search",
            environment="staging",
            occurred_at="2026-03-02T10:00:00.123456+01:00",
            source="github",
            change_id="PR-77",
            commit_sha="9FCEB02d0ae5",
            first_commit_at="2026-03-01T17:45:00Z",
            title="Faster suggestions",
        )
    )
    row = event_to_row(decoded(raw, Origin("changes", 2, 40)), INGESTED_AT)
    assert row == {
        "event_id": "gh-push-1",
        "type": "change",
        "service": "search",
        "environment": "staging",
        "occurred_at": datetime(2026, 3, 2, 9, 0, 0, 123000, tzinfo=UTC),
        "source": "github",
        "status": "landed",
        "subject_id": "PR-77",
        "severity": None,
        "category": None,
        "kind": None,
        "commit_sha": "9fceb02d0ae5",
        "first_commit_at": datetime(2026, 3, 1, 17, 45, tzinfo=UTC),
        "raw": raw.decode(),
        "kafka_topic": "changes",
        "kafka_partition": 2,
        "kafka_offset": 40,
        "ingested_at": INGESTED_AT,
    }
