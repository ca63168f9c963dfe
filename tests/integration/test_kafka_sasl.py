"""The worker and ``mttr publish`` authenticate with SASL/SCRAM to a broker that demands it.

A separate local broker (not the session one) serves SASL_PLAINTEXT with
SCRAM only. Events published with the right credentials reach the worker and
``mttr.events``; a wrong password fails clearly and is never printed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from streams.devtools.broker import local
from streams.devtools.processes import stop_process
from streams.settings import Settings
from streams.storage.clickhouse import connect
from tests.support.processes import mttr, start_worker, wait_status

pytestmark = [pytest.mark.integration, pytest.mark.slow]

USER = "mttr-sasl"
PASSWORD = f"pw-{uuid.uuid4().hex[:12]}"
WRONG_PASSWORD = f"wrong-{uuid.uuid4().hex[:12]}"

EVENTS = [
    {
        "event_id": "sasl-deploy-1",
        "type": "deploy",
        "service": "vault",
        "occurred_at": "2026-03-02T09:58:00Z",
        "deploy_id": "vault-7",
        "status": "succeeded",
    },
    {
        "event_id": "sasl-alert-1",
        "type": "alert",
        "service": "vault",
        "occurred_at": "2026-03-02T10:00:00Z",
        "starts_at": "2026-03-02T10:00:00Z",
        "alert_id": "v1",
        "name": "VaultSealed",
        "status": "firing",
        "severity": "high",
    },
    {
        "event_id": "sasl-alert-2",
        "type": "alert",
        "service": "vault",
        "occurred_at": "2026-03-02T10:06:00Z",
        "starts_at": "2026-03-02T10:00:00Z",
        "alert_id": "v1",
        "name": "VaultSealed",
        "status": "resolved",
        "severity": "high",
    },
]


@pytest.fixture(scope="module")
def scram_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start a broker whose only client listener is SASL_PLAINTEXT with SCRAM users."""
    data_dir = tmp_path_factory.mktemp("kafka-sasl")
    base = Settings()
    state, _ = local.start(
        data_dir,
        port=local.free_port(),
        cache_dir=base.resolved_kafka_cache_dir(),
        kafka_version=base.kafka_version,
        heap=base.kafka_heap,
        sasl_users={USER: PASSWORD},
    )
    try:
        yield state.bootstrap
    finally:
        local.stop(data_dir)


def sasl_settings(bootstrap: str, tmp_path: Path, password: str) -> Settings:
    tag = uuid.uuid4().hex[:8]
    return Settings(
        kafka_bootstrap=bootstrap,
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_mechanism="SCRAM-SHA-256",
        kafka_sasl_username=USER,
        kafka_sasl_password=password,
        topic_alerts=f"alerts-{tag}",
        topic_deploys=f"deploys-{tag}",
        topic_tickets=f"tickets-{tag}",
        topic_changes=f"changes-{tag}",
        topic_dead_letter=f"dead-letter-{tag}",
        topic_incidents=f"incidents-{tag}",
        app_id=f"mttr-sasl-{tag}",
        var_dir=tmp_path / "var",
        web_port=local.free_port(),
        sink_batch_seconds=0.2,
        log_level="info",
    )


def test_plaintext_clients_are_refused(scram_bootstrap: str) -> None:
    """The SCRAM listener really demands authentication."""
    with pytest.raises((KafkaError, OSError)):
        admin = KafkaAdminClient(
            bootstrap_servers=scram_bootstrap, request_timeout_ms=3000, bootstrap_timeout_ms=5000
        )
        try:
            admin.list_topics()
        finally:
            admin.close()


def test_worker_and_publish_authenticate_with_scram(scram_bootstrap: str, tmp_path: Path) -> None:
    settings = sasl_settings(scram_bootstrap, tmp_path, PASSWORD)
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"\n".join(orjson.dumps(event) for event in EVENTS) + b"\n")
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        published = mttr("publish", str(events), settings=settings)
        assert published.returncode == 0, published.stderr
        wait_status(settings, lambda status: status["valid"] >= len(EVENTS), timeout=120)
    finally:
        code = stop_process(worker)
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert code == 0, log[-3000:]
    assert PASSWORD not in log + published.stdout + published.stderr
    client = connect(settings)
    try:
        rows = client.query("SELECT event_id FROM mttr.events FINAL ORDER BY event_id")
    finally:
        client.close()
    assert [row[0] for row in rows.result_rows] == sorted(e["event_id"] for e in EVENTS)


def test_wrong_password_fails_clearly(scram_bootstrap: str, tmp_path: Path) -> None:
    settings = sasl_settings(scram_bootstrap, tmp_path, WRONG_PASSWORD)
    events = tmp_path / "events.jsonl"
    events.write_bytes(orjson.dumps(EVENTS[0]) + b"\n")
    result = mttr("publish", str(events), settings=settings, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    error = output.strip().splitlines()[-1]
    assert error.startswith("error: "), output
    # kafka-python sees either the broker's answer or, racing it, the closed connection
    assert f"the SASL login of user '{USER}'" in error, error
    assert WRONG_PASSWORD not in output
    assert PASSWORD not in output
    print(output)  # shown with -s: what an operator sees
