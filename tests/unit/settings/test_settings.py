"""Settings: MTTR_* environment variables, defaults, validation and secret hygiene."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from streams.settings import Settings, env_var, mask_url
from tests.support.paths import ROOT

PROJECT_ROOT = ROOT
URL_SECRET = "url-s3cret-9f2"
PASSWORD_SECRET = "pw-s3cret-71c"


# --- environment ------------------------------------------------------------------------


def test_env_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTTR_KAFKA_BOOTSTRAP", "broker-1:9093,broker-2:9093")
    assert Settings().kafka_bootstrap == "broker-1:9093,broker-2:9093"


def test_variables_without_the_prefix_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "elsewhere:9092")
    assert Settings().kafka_bootstrap == "127.0.0.1:9092"


def test_env_values_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTTR_TOPIC_PARTITIONS", "12")
    monkeypatch.setenv("MTTR_DLQ_LIMIT_ENABLED", "false")
    monkeypatch.setenv("MTTR_SINK_BATCH_SECONDS", "0.25")
    settings = Settings()
    assert settings.topic_partitions == 12
    assert settings.dlq_limit_enabled is False
    assert settings.sink_batch_seconds == 0.25


def test_dotenv_file_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MTTR_APP_ID=from-dotenv\n", encoding="utf-8")
    assert Settings().app_id == "from-dotenv"


def test_env_var_helper() -> None:
    assert env_var("kafka_heap") == "MTTR_KAFKA_HEAP"
    assert env_var("dlq_max_invalid_ratio") == "MTTR_DLQ_MAX_INVALID_RATIO"


# --- defaults ---------------------------------------------------------------------------


def test_defaults() -> None:
    settings = Settings()
    assert settings.kafka_bootstrap == "127.0.0.1:9092"
    assert settings.topic_alerts == "alerts"
    assert settings.topic_deploys == "deploys"
    assert settings.topic_tickets == "tickets"
    assert settings.topic_dead_letter == "dead-letter"
    assert settings.topic_partitions == 4
    assert settings.app_id == "mttr"
    assert settings.clickhouse_url is None
    assert settings.clickhouse_password is None
    assert settings.clickhouse_password_file is None
    assert settings.max_message_bytes == 1048576
    assert settings.sink_batch_size == 1000
    assert settings.sink_batch_seconds == 0.5
    assert settings.sink_retry_max_seconds == 30.0
    assert settings.dlq_limit_enabled is True
    assert settings.dlq_max_invalid_ratio == 0.5
    assert settings.dlq_window == 1000
    assert settings.web_host == "127.0.0.1"
    assert settings.web_port == 6066
    assert settings.log_level == "info"
    assert settings.kafka_version == "4.4.0"
    assert settings.kafka_cache_dir is None
    assert settings.kafka_heap == "512m"


def test_default_var_dir_is_in_the_project_not_the_working_directory() -> None:
    assert Settings().var_dir == PROJECT_ROOT / "var"


def test_default_kafka_cache_dir() -> None:
    assert Settings().resolved_kafka_cache_dir() == PROJECT_ROOT / ".cache" / "kafka" / "4.4.0"


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize("heap", ["768m", "512m", "1m", "786432k", "768M"])
def test_kafka_heap_within_the_cap(heap: str) -> None:
    assert Settings(kafka_heap=heap).kafka_heap == heap


@pytest.mark.parametrize(
    ("heap", "message"),
    [
        ("800m", "kafka_heap 800m exceeds the 768m cap"),
        ("769m", "kafka_heap 769m exceeds the 768m cap"),
        ("1g", "kafka_heap 1g exceeds the 768m cap"),
        ("786433k", "kafka_heap 786433k exceeds the 768m cap"),
        ("abc", "kafka_heap must look like 512m or 1g, got 'abc'"),
        ("512", "kafka_heap must look like 512m or 1g, got '512'"),
        ("m", "kafka_heap must look like 512m or 1g, got 'm'"),
        ("-1m", "kafka_heap must look like 512m or 1g, got '-1m'"),
        ("512mb", "kafka_heap must look like 512m or 1g, got '512mb'"),
    ],
)
def test_kafka_heap_rejected(heap: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(kafka_heap=heap)


def test_kafka_heap_from_the_environment_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTTR_KAFKA_HEAP", "800m")
    with pytest.raises(ValidationError, match="exceeds the 768m cap"):
        Settings()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("dlq_max_invalid_ratio", 0),
        ("dlq_max_invalid_ratio", 1.01),
        ("dlq_window", 9),
        ("max_message_bytes", 1023),
        ("topic_partitions", 0),
        ("web_port", 65536),
        ("log_level", "trace"),
        ("sink_batch_seconds", 0),
    ],
)
def test_out_of_range_values_are_rejected(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        Settings(**{field: value})  # type: ignore[arg-type]


# --- secrets ----------------------------------------------------------------------------


@pytest.fixture
def secret_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("MTTR_CLICKHOUSE_URL", f"http://default:{URL_SECRET}@ch.internal:8123/")
    monkeypatch.setenv("MTTR_CLICKHOUSE_PASSWORD", PASSWORD_SECRET)
    return Settings()


def test_secrets_are_secret_str(secret_settings: Settings) -> None:
    assert isinstance(secret_settings.clickhouse_url, SecretStr)
    assert isinstance(secret_settings.clickhouse_password, SecretStr)


@pytest.mark.parametrize(
    "render", [repr, str, lambda s: s.model_dump_json()], ids=["repr", "str", "json"]
)
def test_secrets_never_rendered(secret_settings: Settings, render: object) -> None:
    text = render(secret_settings)  # type: ignore[operator]
    assert URL_SECRET not in text
    assert PASSWORD_SECRET not in text
    assert "**********" in text


def test_secrets_are_available_where_a_client_is_built(secret_settings: Settings) -> None:
    assert secret_settings.resolved_clickhouse_url() == (
        f"http://default:{URL_SECRET}@ch.internal:8123/"
    )
    assert secret_settings.resolved_clickhouse_password() == PASSWORD_SECRET
    assert secret_settings.clickhouse_url_for_display() == "http://default:***@ch.internal:8123/"


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("http://u:secret@h:8123/", "http://u:***@h:8123/"),
        (
            "https://admin:p%40ss@db.example.com:8443/mttr",
            "https://admin:***@db.example.com:8443/mttr",
        ),
        ("http://:secret@h:8123/", "http://:***@h:8123/"),
        ("http://u:@h/", "http://u:***@h/"),
        ("http://u@h:8123/", "http://u@h:8123/"),
        ("http://h:8123/", "http://h:8123/"),
        ("chdb:///var/lib/mttr/chdb", "chdb:///var/lib/mttr/chdb"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_default_clickhouse_url_is_chdb_under_var_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MTTR_VAR_DIR", str(tmp_path / "state"))
    settings = Settings()
    assert settings.var_dir == tmp_path / "state"
    assert settings.resolved_clickhouse_url() == f"chdb://{tmp_path}/state/chdb"
    assert settings.clickhouse_url_for_display() == f"chdb://{tmp_path}/state/chdb"


def test_password_file_is_read_and_stripped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "clickhouse-password"
    secret.write_text("  from-file-pw \n", encoding="utf-8")
    monkeypatch.setenv("MTTR_CLICKHOUSE_PASSWORD_FILE", str(secret))
    assert Settings().resolved_clickhouse_password() == "from-file-pw"


def test_password_variable_wins_over_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "clickhouse-password"
    secret.write_text("from-file-pw\n", encoding="utf-8")
    monkeypatch.setenv("MTTR_CLICKHOUSE_PASSWORD_FILE", str(secret))
    monkeypatch.setenv("MTTR_CLICKHOUSE_PASSWORD", "from-env-pw")
    assert Settings().resolved_clickhouse_password() == "from-env-pw"


def test_no_password_configured() -> None:
    assert Settings().resolved_clickhouse_password() is None


# --- topics -----------------------------------------------------------------------------


def test_topic_types_default() -> None:
    settings = Settings()
    assert settings.topic_types == {
        "alerts": "alert",
        "deploys": "deploy",
        "tickets": "ticket",
        "changes": "change",
    }
    assert settings.source_topics == ("alerts", "deploys", "tickets")  # what correlates
    assert settings.event_topics == ("alerts", "deploys", "tickets", "changes")


def test_topic_types_follow_renamed_topics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTTR_TOPIC_ALERTS", "prod.alerts.v1")
    monkeypatch.setenv("MTTR_TOPIC_DEPLOYS", "prod.deploys.v1")
    monkeypatch.setenv("MTTR_TOPIC_TICKETS", "prod.tickets.v1")
    monkeypatch.setenv("MTTR_TOPIC_CHANGES", "prod.changes.v1")
    assert Settings().topic_types == {
        "prod.alerts.v1": "alert",
        "prod.deploys.v1": "deploy",
        "prod.tickets.v1": "ticket",
        "prod.changes.v1": "change",
    }
