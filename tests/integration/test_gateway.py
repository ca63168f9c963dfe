"""The gateway on the real broker, into the real worker and chDB.

An Alertmanager notification (firing, then resolved) and a deploy through
``POST /events`` become one incident with the hand-computed repair time; a
notification sent twice changes nothing. A change event (contract v1.1) through
``POST /events`` is published to the changes topic and stored, not correlated.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from streams.devtools.broker.local import free_port
from streams.devtools.processes import stop_process
from streams.devtools.wait import wait_processed
from streams.settings import Settings
from streams.storage.clickhouse import connect
from tests.support.processes import start_mttr, start_worker, wait_http, wait_status

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def notification(status: str) -> dict[str, Any]:
    return {
        "version": "4",
        "groupKey": '{}:{alertname="TargetDown"}',
        "status": status,
        "receiver": "mttr",
        "groupLabels": {},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": [
            {
                "status": status,
                "labels": {"alertname": "TargetDown", "job": "shop", "severity": "critical"},
                "annotations": {},
                "startsAt": "2026-03-02T10:00:00.250Z",
                "endsAt": "2026-03-02T10:07:30Z"
                if status == "resolved"
                else "0001-01-01T00:00:00Z",
                "generatorURL": "",
                "fingerprint": "a1b2c3d4e5f60718",
            }
        ],
    }


ROLLBACK = {
    "event_id": "gw-rollback-1",
    "type": "deploy",
    "service": "shop",
    "occurred_at": "2026-03-02T10:05:00Z",
    "deploy_id": "shop-77",
    "status": "succeeded",
    "kind": "rollback",
}


CHANGE = {
    "event_id": "gw-change-1",
    "type": "change",
    "service": "shop",
    "occurred_at": "2026-03-02T09:40:00Z",
    "change_id": "PR-12",
    "commit_sha": "9F3C2A1B",
    "first_commit_at": "2026-03-01T16:00:00Z",
}


def post(url: str, body: Any) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.load(response)


def test_webhooks_become_an_incident(isolated_settings: Settings, tmp_path: Path) -> None:
    settings = isolated_settings.model_copy(
        update={"gateway_port": free_port(), "idle_flush_s": 1.0, "sink_batch_seconds": 0.2}
    )
    base = f"http://127.0.0.1:{settings.gateway_port}"
    gateway = start_mttr("gateway", settings, tmp_path / "gateway.log")
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        wait_http(f"{base}/healthz")
        assert post(f"{base}/webhooks/alertmanager", notification("firing"))[0] == 200
        assert post(f"{base}/events", ROLLBACK) == (
            200,
            {"accepted": 1, "event_ids": ["gw-rollback-1"]},
        )
        assert post(f"{base}/webhooks/alertmanager", notification("resolved"))[0] == 200
        assert post(f"{base}/webhooks/alertmanager", notification("firing"))[0] == 200  # again
        assert post(f"{base}/events", CHANGE) == (
            200,
            {"accepted": 1, "event_ids": ["gw-change-1"]},
        )
        wait_processed(settings)
        wait_status(settings, lambda status: status["completed_by_idle"] >= 1)
    finally:
        codes = stop_process(gateway), stop_process(worker)  # both, whatever happens
    assert codes == (0, 0), [
        (tmp_path / f).read_text()[-3000:] for f in ("gateway.log", "worker.log")
    ]
    client = connect(settings)
    try:
        events = client.query("SELECT count() FROM mttr.events FINAL").result_rows[0][0]
        change = client.query(
            "SELECT type, kafka_topic, status, commit_sha, first_commit_at, subject_id "
            "FROM mttr.events FINAL WHERE event_id = 'gw-change-1'"
        ).result_rows
        result = client.query(
            "SELECT service, status, severity, started_at, resolved_at, ttr_seconds, ttm_seconds, "
            "fix_deploy_id, repair_action, alert_count FROM mttr.incidents FINAL"
        )
    finally:
        client.close()
    assert events == 4  # the repeated notification has the same event id
    ((kind, topic, landed, sha, first, change_id),) = change
    assert (kind, topic, landed, sha, change_id) == (
        "change",
        settings.topic_changes,
        "landed",
        "9f3c2a1b",
        "PR-12",
    )
    assert first.isoformat() == "2026-03-01T16:00:00+00:00"
    ((service, status, severity, started, resolved, ttr, ttm, fix, repair, alerts),) = (
        result.result_rows
    )
    assert (service, status, severity, alerts) == ("shop", "resolved", "critical", 1)
    assert started.isoformat() == "2026-03-02T10:00:00.250000+00:00"
    assert resolved.isoformat() == "2026-03-02T10:07:30+00:00"
    assert ttr == 449.75  # 10:07:30.000 - 10:00:00.250
    assert ttm == 299.75  # the rollback at 10:05:00.000
    assert (fix, repair) == ("shop-77", "rollback")
