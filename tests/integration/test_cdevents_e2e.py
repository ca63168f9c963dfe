"""CDEvents through the real gateway, broker, worker and chDB become one incident.

A short outage of ``shop`` is written as CDEvents (tests/support/cdevents_history.py:
a release, an incident detected, an incident ticket created and acknowledged,
a rollback, the incident resolved) and posted to ``POST /webhooks/cdevents`` in
all three CloudEvents content modes: binary, structured and a batch. A
re-delivered event and the spec's ``change.merged`` (it names no commit) change
nothing; a ``change.merged`` naming its commit is stored as a change event and
changes no incident. ``mttr.incidents FINAL`` must hold the hand-computed
incident. The full scripted history is compared with the native one on the pure
engine (tests/unit/gateway/test_adapter_cdevents_equivalence.py).
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
from tests.support.cdevents_history import to_cdevent
from tests.support.cdevents_payloads import Request, batch, binary, envelope, load, structured
from tests.support.processes import start_mttr, start_worker, wait_http, wait_status

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DAY = "2026-03-02"


def native(type_: str, event_id: str, at: str, **fields: Any) -> dict[str, Any]:
    """A native event of ``shop`` in production, to be written as its CDEvent."""
    return {"event_id": event_id, "type": type_, "service": "shop",
            "occurred_at": f"{DAY}T{at}Z", **fields}  # fmt: skip


def cdevent(event: dict[str, Any]) -> dict[str, Any]:
    converted = to_cdevent(event)
    assert converted is not None
    return converted


RELEASE = cdevent(native("deploy", "shop-41", "09:50:00", deploy_id="shop-41", status="succeeded",
                         kind="release"))  # fmt: skip
FIRING = cdevent(native("alert", "inc-1-fired", "10:00:00", alert_id="INC-1", name="ShopDown",
                        status="firing", severity="critical"))  # fmt: skip
OPENED = cdevent(native("ticket", "t-1-opened", "10:02:00", ticket_id="T-1", status="opened",
                        severity="high", title="Shop is down"))  # fmt: skip
ACKNOWLEDGED = cdevent(native("ticket", "t-1-ack", "10:04:00", ticket_id="T-1",
                              status="acknowledged"))  # fmt: skip
ROLLBACK = cdevent(native("deploy", "shop-42", "10:05:00", deploy_id="shop-42",
                          status="succeeded", kind="rollback"))  # fmt: skip
RESOLVED = cdevent(native("alert", "inc-1-resolved", "10:07:30", alert_id="INC-1",
                          name="ShopDown", status="resolved", severity="critical"))  # fmt: skip
CHANGE_SHA = "9fceb02d0ae598e95dc970b74767f19372d61af8"


def merged_change() -> dict[str, Any]:
    """The spec's change.merged, landed at 09:40 in acme/shop, naming its commit."""
    change = load("change_merged")
    change["context"]["timestamp"] = f"{DAY}T09:40:00Z"
    change["subject"]["content"]["repository"]["id"] = "acme/shop"
    change["customData"] = {"commitSha": CHANGE_SHA, "firstCommitAt": f"{DAY}T08:00:00Z"}
    return change


def post(url: str, request: Request) -> tuple[int, dict[str, Any]]:
    body, headers = request
    sent = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(sent, timeout=30) as response:
        return response.status, json.load(response)


def test_cdevents_become_an_incident(isolated_settings: Settings, tmp_path: Path) -> None:
    settings = isolated_settings.model_copy(
        update={"gateway_port": free_port(), "idle_flush_s": 1.0, "sink_batch_seconds": 0.2}
    )
    url = f"http://127.0.0.1:{settings.gateway_port}/webhooks/cdevents"
    gateway = start_mttr("gateway", settings, tmp_path / "gateway.log")
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        wait_http(f"http://127.0.0.1:{settings.gateway_port}/healthz")
        assert post(url, binary(RELEASE))[0] == 200
        status, first = post(url, binary(FIRING))
        assert (status, first["accepted"]) == (200, 1)
        assert post(url, structured(OPENED))[0] == 200
        status, answer = post(
            url,
            batch([envelope(ACKNOWLEDGED), envelope(load("change_merged")), envelope(ROLLBACK)]),
        )
        assert (status, answer["accepted"], answer.get("rejected")) == (200, 2, None)
        assert post(url, structured(RESOLVED))[0] == 200
        assert post(url, binary(FIRING)) == (200, first)  # re-delivered: the same event id
        assert post(url, binary(load("change_merged")))[0] == 202
        assert post(url, structured(merged_change()))[:1] == (200,)
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
        stored_changes = client.query(
            "SELECT service, subject_id, commit_sha, first_commit_at FROM mttr.events FINAL "
            "WHERE type = 'change'"
        ).result_rows
        result = client.query(
            "SELECT service, environment, status, severity, title, started_at, resolved_at, "
            "tta_seconds, ttm_seconds, ttr_seconds, cause_deploy_id, fix_deploy_id, "
            "repair_action, alert_ids, ticket_ids FROM mttr.incidents FINAL"
        )
    finally:
        client.close()
    assert events == 7  # the repeated firing has the same event id; one change.merged ignored
    ((change_service, change_id, change_sha, first_commit),) = stored_changes
    assert (change_service, change_id, change_sha) == ("shop", "mySubject123", CHANGE_SHA)
    assert first_commit.isoformat() == "2026-03-02T08:00:00+00:00"
    ((service, environment, status, severity, title, started, resolved, tta, ttm, ttr, cause, fix,
      repair, alert_ids, ticket_ids),) = result.result_rows  # fmt: skip
    assert (service, environment, status) == ("shop", "production", "resolved")
    assert (severity, title) == ("critical", "Shop is down")  # customData.severity; summary
    assert started.isoformat() == "2026-03-02T10:00:00+00:00"  # context.timestamp
    assert resolved.isoformat() == "2026-03-02T10:07:30+00:00"
    assert (tta, ttm, ttr) == (240.0, 300.0, 450.0)  # ack 10:04, rollback 10:05, resolved 10:07:30
    assert (cause, fix, repair) == ("shop-41", "shop-42", "rollback")
    assert (alert_ids, ticket_ids) == (["INC-1"], ["T-1"])
