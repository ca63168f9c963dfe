"""The read-only path on the ClickHouse server: reports and Grafana read as ``mttr_reader``.

The server's read-only user (``readonly = 2``) is what Grafana and analysts
get. ``mttr report`` (table, JSON, HTML) works with it; writes, DDL and
``mttr migrate`` are refused with the server's reason. (Every dashboard panel
and variable query runs as this user too: tests/integration/dashboards/.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from streams.engine.incident import INCIDENT_COLUMNS
from streams.ingest.rows import EVENT_COLUMNS
from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from tests.support.clickhouse_engines import as_reader, storage
from tests.support.dashboard_seed import SERVICES, make_seed
from tests.support.processes import mttr

pytestmark = pytest.mark.integration


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Settings]:
    with storage("server", tmp_path) as target:
        writer = connect(Settings(var_dir=tmp_path / "var", **target))
        try:
            migrate(writer, load_migrations())
            seed = make_seed()
            for table, columns, rows in (
                ("mttr.incidents", INCIDENT_COLUMNS, seed.incident_rows),
                ("mttr.events", EVENT_COLUMNS, seed.event_rows),
            ):
                writer.insert(
                    table, [[r[c] for c in columns] for r in rows], column_names=list(columns)
                )
        finally:
            writer.close()
        yield Settings(var_dir=tmp_path / "var", **as_reader(target))


def test_reports_work_with_the_read_only_user(reader: Settings, tmp_path: Path) -> None:
    table = mttr("report", "--via", "direct", settings=reader)
    assert table.returncode == 0, table.stderr
    assert all(service in table.stdout for service in SERVICES)

    rows = mttr("report", "--via", "direct", "--format", "json", settings=reader)
    assert rows.returncode == 0, rows.stderr
    assert {row["service"] for row in json.loads(rows.stdout)} == set(SERVICES)

    page = tmp_path / "report.html"
    html = mttr("report", "--via", "direct", "--html", str(page), settings=reader)
    assert html.returncode == 0, html.stderr
    assert page.stat().st_size > 10_000


def test_the_read_only_user_cannot_write(reader: Settings) -> None:
    client = connect(reader)
    try:
        with pytest.raises(Exception, match="readonly mode"):
            client.command("INSERT INTO mttr.severity_targets (severity) VALUES ('low')")
        with pytest.raises(Exception, match="readonly mode"):
            client.command("DROP TABLE mttr.events")
        assert client.query("SELECT count() FROM mttr.events FINAL").result_rows[0][0] > 0
    finally:
        client.close()
    refused = mttr("migrate", settings=reader)
    assert refused.returncode == 1
    assert "readonly mode" in refused.stderr.lower() or "READONLY" in refused.stderr
