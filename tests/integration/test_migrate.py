"""`mttr migrate` on both engines (embedded chDB, a server over HTTP): creates, then is a no-op."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations
from tests.support.processes import mttr, settings_env

pytestmark = pytest.mark.integration


def test_migrate_is_idempotent(engine_settings: Settings) -> None:
    settings = engine_settings
    first = mttr("migrate", settings=settings)
    assert first.returncode == 0, first.stderr
    names = [m.name for m in load_migrations()]
    assert f"Applied {len(names)} migrations" in first.stdout
    assert all(name in first.stdout for name in names)

    second = mttr("migrate", settings=settings)
    assert second.returncode == 0, second.stderr
    assert "is up to date" in second.stdout

    client = connect(settings)
    try:
        engine = client.query("SELECT engine FROM system.databases WHERE name = 'mttr'")
        assert engine.result_rows == [("Atomic",)]
        tables = {r[0] for r in client.query("SHOW TABLES FROM mttr").result_rows}
        assert {"events", "schema_migrations"} <= tables
        applied = client.query("SELECT name FROM mttr.schema_migrations FINAL ORDER BY name")
        assert [r[0] for r in applied.result_rows] == names
    finally:
        client.close()


def test_bad_clickhouse_url_is_a_clear_error(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var")
    env = settings_env(settings) | {"MTTR_CLICKHOUSE_URL": "ftp://user:s3cret@example/"}
    result = subprocess.run(
        [sys.executable, "-m", "streams", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "unsupported ClickHouse URL 'ftp://user:***@example/'" in result.stderr
    assert "s3cret" not in result.stderr + result.stdout
