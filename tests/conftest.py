"""Session fixtures: one real Kafka broker for the whole run; per test, settings and an engine.

``storage_settings`` is ``isolated_settings`` on each ClickHouse engine in turn (embedded
chDB, and a real server over HTTP): a test that touches ClickHouse uses it, and runs twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from streams.devtools.broker import local
from streams.settings import Settings

# Helpers in tests/support/ assert too: give their failures pytest's detailed messages
# (registered here, before any test module imports them).
pytest.register_assert_rewrite("tests.support")

from tests.support.clickhouse_engines import ENGINES, storage  # noqa: E402  # rewritten


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start a real single-node Kafka broker on a free port; stop it after the session."""
    data_dir = tmp_path_factory.mktemp("kafka")
    base = Settings()
    state, _ = local.start(
        data_dir,
        port=local.free_port(),
        cache_dir=base.resolved_kafka_cache_dir(),
        kafka_version=base.kafka_version,
        heap=base.kafka_heap,
    )
    try:
        yield state.bootstrap
    finally:
        local.stop(data_dir)


@pytest.fixture
def isolated_settings(kafka_bootstrap: str, tmp_path: Path) -> Settings:
    """Settings with unique topics, app id, web port and chDB path for one test."""
    tag = uuid.uuid4().hex[:8]
    return Settings(
        kafka_bootstrap=kafka_bootstrap,
        topic_alerts=f"alerts-{tag}",
        topic_deploys=f"deploys-{tag}",
        topic_tickets=f"tickets-{tag}",
        topic_changes=f"changes-{tag}",
        topic_dead_letter=f"dead-letter-{tag}",
        topic_incidents=f"incidents-{tag}",
        app_id=f"mttr-test-{tag}",
        var_dir=tmp_path / "var",
        web_port=local.free_port(),
        log_level="info",
    )


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The ClickHouse engine of a test: ``chdb`` (embedded) or ``server`` (HTTP)."""
    return str(request.param)


@pytest.fixture
def storage_settings(
    isolated_settings: Settings, engine: str, tmp_path: Path
) -> Iterator[Settings]:
    """``isolated_settings`` storing into a fresh database on ``engine``."""
    with storage(engine, tmp_path) as update:
        yield isolated_settings.model_copy(update=update)


@pytest.fixture
def engine_settings(engine: str, tmp_path: Path) -> Iterator[Settings]:
    """Settings of a fresh database on ``engine``, for tests without Kafka."""
    with storage(engine, tmp_path) as update:
        yield Settings(var_dir=tmp_path / "var", **update)
