"""End to end on the real broker and chDB: publish a mixed file twice, run the worker, count.

Valid events are published twice (once by ``mttr publish``, once raw by a
kafka-python producer); invalid ones only raw, because ``mttr publish``
refuses them. Expected: every valid event exactly once in ``mttr.events
FINAL``, every invalid one in the dead-letter topic with a reason, and the
worker still running.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import orjson
import pytest
from kafka import KafkaProducer

from streams.devtools.processes import stop_process
from streams.kafka.lag import wait_caught_up
from streams.settings import Settings
from streams.storage.clickhouse import connect
from tests.support.processes import consume_all, event_type_of, mttr, start_worker

pytestmark = pytest.mark.integration

VALID = [
    {
        "event_id": "v-alert-1",
        "type": "alert",
        "service": "checkout",
        "occurred_at": "2026-03-02T10:09:10Z",
        "starts_at": "2026-03-02T10:07:00Z",
        "alert_id": "a1",
        "name": "ErrorRate",
        "status": "firing",
        "severity": "critical",
    },
    {
        "event_id": "v-alert-2",
        "type": "alert",
        "service": "checkout",
        "occurred_at": "2026-03-02T11:24:40+01:00",
        "alert_id": "a1",
        "name": "ErrorRate",
        "status": "resolved",
        "severity": "critical",
    },
    {
        "event_id": "v-deploy-1",
        "type": "deploy",
        "service": "checkout",
        "environment": "staging",
        "occurred_at": "2026-03-02T10:02:30.123456Z",
        "deploy_id": "d1",
        "status": "succeeded",
        "kind": "rollback",
    },
    {
        "event_id": "v-ticket-1",
        "type": "ticket",
        "service": "search",
        "occurred_at": "2026-03-03T02:15:00Z",
        "ticket_id": "T-1",
        "status": "opened",
        "severity": "high",
    },
    {
        "event_id": "v-ticket-2",
        "type": "ticket",
        "service": "search",
        "occurred_at": "2026-03-03T02:45:00Z",
        "ticket_id": "T-1",
        "status": "resolved",
    },
    {  # landed months before every other event: stored, never late (lateness is for incidents)
        "event_id": "v-change-1",
        "type": "change",
        "service": "checkout",
        "occurred_at": "2025-12-01T09:00:00+01:00",
        "change_id": "PR-7",
        "commit_sha": "ABCDEF0123",
        "first_commit_at": "2025-11-28T16:30:00Z",
    },
]
INVALID: list[tuple[bytes, str]] = [
    (b'{"event_id": "bad-json", "type": "alert",', "not valid JSON"),
    (b"\xff\xfe{}", "not valid UTF-8"),
    (
        orjson.dumps({**VALID[0], "event_id": "naive", "occurred_at": "2026-03-02 10:09:10"}),
        "no UTC offset",
    ),
    (
        orjson.dumps({**VALID[0], "event_id": "unknown-field", "colour": "red"}),
        "colour: Extra inputs are not permitted",
    ),
    (
        orjson.dumps({k: v for k, v in VALID[2].items() if k != "deploy_id"}),
        "deploy_id: Field required",
    ),
    (
        orjson.dumps({**VALID[3], "event_id": "empty-service", "service": ""}),
        "service: String should have at least 1 character",
    ),
    (b'{"event_id": "nan", "type": "alert", "value": NaN}', "not valid JSON"),
    (
        orjson.dumps(
            {**VALID[5], "event_id": "first-after", "first_commit_at": "2026-01-01T00:00:00Z"}
        ),
        "first_commit_at must not be after occurred_at",
    ),
    (
        orjson.dumps({**VALID[0], "event_id": "huge", "summary": "x" * (1024 * 1024 + 10)}),
        "exceeds the 1048576 byte limit",
    ),
]
# An alert published to the deploys topic: valid JSON, wrong topic.
MISPLACED = orjson.dumps({**VALID[0], "event_id": "misplaced"})


@pytest.fixture
def mixed_file(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.jsonl"
    lines = [orjson.dumps(event) for event in VALID]
    lines[2:2] = [raw for raw, _ in INVALID[:4]]
    lines += [raw for raw, _ in INVALID[4:]]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_valid_events_stored_once_invalid_dead_lettered(
    storage_settings: Settings, mixed_file: Path, tmp_path: Path
) -> None:
    settings = storage_settings
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        # 1) our CLI: publishes the valid lines, reports the invalid ones, exits 1.
        result = mttr("publish", str(mixed_file), settings=settings)
        assert result.returncode == 1, result.stderr
        assert f"Published {len(VALID)} events" in result.stdout
        reported = [line for line in result.stderr.splitlines() if "invalid event" in line]
        assert len(reported) == len(INVALID), result.stderr
        assert f"{mixed_file}:3: invalid event: not valid JSON" in result.stderr

        # 2) a plain kafka-python producer publishes every line as-is (valid ones again).
        topics = {
            "alert": settings.topic_alerts,
            "deploy": settings.topic_deploys,
            "ticket": settings.topic_tickets,
            "change": settings.topic_changes,
        }
        producer = KafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap, acks="all", max_request_size=4 * 1024 * 1024
        )
        for line in mixed_file.read_bytes().splitlines():
            topic = topics.get(event_type_of(line) or "", settings.topic_alerts)
            producer.send(topic, key=b"raw", value=line)
        producer.send(settings.topic_deploys, key=b"checkout", value=MISPLACED)
        producer.flush()
        producer.close()

        wait_caught_up(settings, timeout=120)
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        with urllib.request.urlopen(
            f"http://127.0.0.1:{settings.web_port}/mttr/status/", timeout=5
        ) as response:
            status = json.load(response)
        assert status["valid"] == 2 * len(VALID)
        assert status["invalid"] == len(INVALID) + 1
        # The only worker of its group owns every source partition and reads them all.
        assert status["generation"] >= 1
        sources = {
            f"{topic}[{p}]"
            for topic in settings.source_topics
            for p in range(settings.topic_partitions)
        }
        assert sources <= set(status["partitions"]["assigned"])
        assert sources.isdisjoint(status["partitions"]["paused"])

        dead = consume_all(settings.kafka_bootstrap, settings.topic_dead_letter, len(INVALID) + 1)
        assert len(dead) == len(INVALID) + 1
        by_value = {m.value: dict(m.headers) for m in dead}
        for raw, reason in INVALID:
            if len(raw) > settings.max_message_bytes:  # kept truncated, marked as such
                headers = by_value[raw[: 64 * 1024]]
                assert headers["truncated"] == b"true"
                assert int(headers["original_bytes"]) == len(raw)
            else:
                headers = by_value[raw]  # original bytes, unchanged
            assert reason in headers["reason"].decode(), headers["reason"]
            assert headers["source_topic"].decode() in topics.values()
            assert int(headers["source_offset"]) >= 0
            assert int(headers["source_partition"]) >= 0
        misplaced = by_value[MISPLACED]["reason"].decode()
        assert (
            misplaced == f"event type 'alert' does not belong on topic '{settings.topic_deploys}'"
        )
    finally:
        code = stop_process(worker)
    assert code == 0, (tmp_path / "worker.log").read_text()[-3000:]

    client = connect(settings)
    try:
        rows = client.query(
            "SELECT event_id, count() FROM mttr.events FINAL GROUP BY event_id ORDER BY event_id"
        ).result_rows
        assert rows == sorted((e["event_id"], 1) for e in VALID)
        raw_rows = client.query("SELECT count() FROM mttr.events").result_rows[0][0]
        assert raw_rows >= len(VALID)  # duplicates may sit in unmerged parts; FINAL hides them
        deploy = client.query(
            "SELECT environment, occurred_at, kind, severity FROM mttr.events FINAL "
            "WHERE event_id = 'v-deploy-1'"
        ).result_rows[0]
        change = client.query(
            "SELECT type, status, subject_id, occurred_at, commit_sha, first_commit_at, "
            "kafka_topic FROM mttr.events FINAL WHERE event_id = 'v-change-1'"
        ).result_rows
        assert [
            (*row[:3], row[3].isoformat(), row[4], row[5].isoformat(), row[6]) for row in change
        ] == [
            (
                "change",
                "landed",
                "PR-7",
                "2025-12-01T08:00:00+00:00",
                "abcdef0123",
                "2025-11-28T16:30:00+00:00",
                settings.topic_changes,
            )
        ]
        assert deploy[0] == "staging"
        assert deploy[1].isoformat() == "2026-03-02T10:02:30.123000+00:00"
        assert deploy[2:] == ("rollback", None)
        resolved = client.query(
            "SELECT occurred_at FROM mttr.events FINAL WHERE event_id = 'v-alert-2'"
        ).result_rows[0][0]
        assert resolved.isoformat() == "2026-03-02T10:24:40+00:00"
    finally:
        client.close()
