"""Session fixtures: one real Kafka broker for the whole run, started and stopped here."""

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
        topic_dead_letter=f"dead-letter-{tag}",
        topic_incidents=f"incidents-{tag}",
        app_id=f"mttr-test-{tag}",
        var_dir=tmp_path / "var",
        web_port=local.free_port(),
        log_level="info",
    )
