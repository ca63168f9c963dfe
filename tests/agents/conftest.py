"""Fixtures of the agent tier: settings in a temporary directory and a migrated chDB client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client

from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path, sink_batch_seconds=0.05, sink_retry_max_seconds=0.2)


@pytest.fixture
def client(settings: Settings) -> Iterator[Client]:
    client = connect(settings)
    migrate(client, load_migrations())
    yield client
    client.close()
