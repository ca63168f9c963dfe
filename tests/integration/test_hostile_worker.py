"""A real worker under hostile input: every corpus message interleaved with valid events.

Raw bytes go to the source topics through a plain kafka-python producer: the
whole corpus (tests/fixtures/hostile/), a 1 MiB + 1 byte and a 10 MiB message,
and a tombstone, each followed by a valid event. The valid events carry
SQL-looking strings, quotes, backslashes and braces in every free field.

Expected: every hostile message in the dead-letter topic under its own key with
its reason and source coordinates; every valid event exactly once in
``mttr.events FINAL`` with its strings byte for byte (read after the worker
stopped, with the tables all still there); the worker process alive until
SIGTERM, which it answers with exit code 0.

The poison-pill limit keeps its defaults (ratio 0.5 over 1000 messages): the
run sends fewer messages than the window, and at most half of them are hostile,
so the limit is not what keeps the worker alive here.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka import KafkaProducer

from streams.devtools.processes import stop_process
from streams.kafka.lag import wait_caught_up
from streams.settings import Settings
from streams.storage.clickhouse import connect
from tests.support.factories import at, deploy, ticket
from tests.support.hostile_corpus import CORPUS, SQL_STRINGS, oversized_entries, sql_events
from tests.support.processes import consume_all, start_worker

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SQL_SERVICE = SQL_STRINGS[0]  # x'); DROP TABLE mttr.events; --
TABLES = {"events", "incidents", "schema_migrations", "severity_targets"}


def valid_events(count: int) -> list[dict[str, Any]]:
    events = sql_events("hv")
    events.append(
        ticket(
            event_id="hv-backslashes",
            service="quotes'\"\\",
            title="C:\\temp\\new \"folder\" 'x' \\u0041 {0} {{service:String}} \\",
            url="https://example.com/?q=' OR 1=1 --&x={}",
        )
    )
    events += [
        deploy(event_id=f"hv-filler-{i}", service="checkout", occurred_at=at(i % 30))
        for i in range(count - len(events))
    ]
    return events


def test_hostile_messages_dead_lettered_valid_ones_stored_worker_survives(
    storage_settings: Settings, tmp_path: Path
) -> None:
    settings = storage_settings
    topics = {
        "alert": settings.topic_alerts,
        "deploy": settings.topic_deploys,
        "ticket": settings.topic_tickets,
    }
    hostile: list[tuple[str, bytes | None, str]] = [(e.topic, e.raw, e.reason) for e in CORPUS] + [
        ("alert", raw, reason) for _, raw, reason in oversized_entries()
    ]
    hostile.append(("ticket", None, "empty message (null value)"))
    valid = valid_events(len(hostile) + 10)
    assert len(hostile) <= len(valid) < settings.dlq_window

    log_path = tmp_path / "worker.log"
    worker = start_worker(settings, log_path)
    sent: dict[bytes, tuple[str, int, int]] = {}  # hostile key -> (topic, partition, offset)
    try:
        producer = KafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap,
            acks="all",
            max_request_size=16 * 1024 * 1024,
        )
        futures = []
        for index, event in enumerate(valid):
            producer.send(
                topics[event["type"]], key=event["service"].encode(), value=orjson.dumps(event)
            )
            if index < len(hostile):
                kind, raw, _ = hostile[index]
                key = f"hostile-{index:03d}".encode()
                futures.append((key, producer.send(topics[kind], key=key, value=raw)))
        producer.flush()
        for key, future in futures:
            meta = future.get(timeout=30)
            sent[key] = (meta.topic, meta.partition, meta.offset)
        producer.close()

        wait_caught_up(settings, timeout=180)
        assert worker.poll() is None, log_path.read_text()[-3000:]
        with urllib.request.urlopen(
            f"http://127.0.0.1:{settings.web_port}/mttr/status/", timeout=5
        ) as response:
            status = json.load(response)
        assert status["valid"] == len(valid), status
        assert status["invalid"] == len(hostile), status
        assert status["late"] == 0, status
        assert status["correlation_failures"] == 0, status

        # the report endpoint binds a SQL-looking service as a parameter: an answer, no error
        query = urllib.parse.urlencode({"service": SQL_SERVICE})
        with urllib.request.urlopen(
            f"http://127.0.0.1:{settings.web_port}/mttr/report/?{query}", timeout=10
        ) as response:
            assert response.status == 200
            assert isinstance(json.load(response)["rows"], list)

        dead = consume_all(settings.kafka_bootstrap, settings.topic_dead_letter, len(hostile), 60)
        print(
            f"\nhostile sent={len(hostile)} dead-lettered={len(dead)} valid sent={len(valid)}"
            f" worker valid={status['valid']} invalid={status['invalid']}"
        )
        assert len(dead) == len(hostile)
        by_key = {m.key: m for m in dead}
        assert set(by_key) == set(sent)
        for index, (_, raw, reason) in enumerate(hostile):
            key = f"hostile-{index:03d}".encode()
            message = by_key[key]
            headers = dict(message.headers)
            assert headers["reason"].decode().startswith(reason), (key, headers["reason"])
            topic, partition, offset = sent[key]
            assert headers["source_topic"].decode() == topic
            assert int(headers["source_partition"]) == partition
            assert int(headers["source_offset"]) == offset
            if raw is None:
                assert message.value in (None, b"")
            elif len(raw) > settings.max_message_bytes:
                assert message.value == raw[: 64 * 1024]
                assert headers["truncated"] == b"true"
                assert int(headers["original_bytes"]) == len(raw)
            else:
                assert message.value == raw
        assert worker.poll() is None, log_path.read_text()[-3000:]
    finally:
        code = stop_process(worker)
    log = log_path.read_text(errors="replace")
    assert code == 0, log[-3000:]
    for sign in ("DlqLimitExceeded", "Traceback", "crashed", "Restarting"):
        assert sign not in log, log[-3000:]  # no agent crashed and was restarted in-process

    client = connect(settings)
    try:
        tables = {
            row[0]
            for row in client.query(
                "SELECT name FROM system.tables WHERE database = 'mttr'"
            ).result_rows
        }
        assert tables >= TABLES
        rows = client.query(
            "SELECT event_id, count(), any(service), any(environment), any(source),"
            " any(subject_id), any(raw) FROM mttr.events FINAL GROUP BY event_id"
        ).result_rows
        stored = {row[0]: row[1:] for row in rows}
        print(f"valid stored={len(stored)}")
        assert set(stored) == {e["event_id"] for e in valid}
        for event in valid:
            count, service, environment, source, subject, raw = stored[event["event_id"]]
            assert count == 1
            assert service == event["service"]
            assert environment == event.get("environment", "production")
            assert source == event.get("source", "custom")
            assert subject == event.get("alert_id", event.get("deploy_id", event.get("ticket_id")))
            assert raw.encode("utf-8") == orjson.dumps(event)  # title, labels, url: verbatim
        services = {
            row[0]
            for row in client.query("SELECT DISTINCT service FROM mttr.incidents FINAL").result_rows
        }
        assert services <= {e["service"] for e in valid}
        print(f"incident services={len(services)}")
    finally:
        client.close()
