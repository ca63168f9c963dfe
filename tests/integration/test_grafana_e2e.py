"""A Grafana alert fired then resolved becomes one resolved incident with the hand-computed TTR.

The whole webhook path with real processes: ``mttr gateway`` receives Grafana
Alerting webhook notifications (the documented version "1" payload, see
tests/fixtures/grafana/SOURCES.md) over HTTP and publishes alert events to the
session's Kafka broker; ``mttr worker`` builds the incident and stores it in
chDB. Grafana itself is not run: the notifications are what its webhook
contact point sends, posted in the order Grafana sends them.

1. Grafana's contact-point test notification: 202, nothing published.
2. The alert firing, ``startsAt`` 10:00:00.125+01:00, sent twice (Grafana
   repeats a firing group every repeat interval): one event id, stored once.
3. The alert resolved, ``endsAt`` 10:12:30.5+01:00.

Hand-computed from the payloads, in UTC: started_at 09:00:00.125, resolved_at
09:12:30.500, so ``ttr_seconds`` = 12 min 30.375 s = 750.375. The arrival
times (a second or two apart) play no part: any TTR near 0 would mean the
gateway used arrival time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from streams.devtools.broker.local import free_port
from streams.devtools.processes import stop_process
from streams.settings import Settings
from tests.support.alerting_payloads import grafana, grafana_notification
from tests.support.faults import stored_events
from tests.support.gateway_requests import post_json
from tests.support.processes import start_gateway, start_worker, wait_status, worker_status
from tests.support.prometheus_stack import get_json, http_status, wait_for
from tests.support.scripted_stream import incidents

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

SERVICE = "shop-grafana"
STARTS_AT = "2026-03-02T10:00:00.125+01:00"
ENDS_AT = "2026-03-02T10:12:30.5+01:00"
TTR_S = 750.375  # 09:12:30.500Z - 09:00:00.125Z
LABELS = {"service": SERVICE, "severity": "critical", "grafana_folder": "shop"}
TOKEN_HEADER = {"Authorization": "Bearer mttr-e2e-token"}  # for the gateway token check


def resolved_report(settings: Settings) -> list[dict[str, Any]]:
    """Return the worker's MTTR rows for the service (resolved incidents only)."""
    try:
        url = f"http://127.0.0.1:{settings.web_port}/mttr/report/"
        return list(get_json(url, {"service": SERVICE})["rows"])
    except OSError:
        return []


def test_grafana_firing_then_resolved_is_one_incident_with_the_ttr(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    settings = isolated_settings.model_copy(update={"idle_flush_s": 1.0})
    port = free_port()
    url = f"http://127.0.0.1:{port}/webhooks/grafana"
    logs = {"worker": tmp_path / "worker.log", "gateway": tmp_path / "gateway.log"}
    firing = orjson.dumps(grafana_notification("firing", STARTS_AT, **LABELS))
    resolved = orjson.dumps(grafana_notification("resolved", STARTS_AT, ENDS_AT, **LABELS))

    worker = start_worker(settings, logs["worker"])
    gateway = start_gateway(settings, port, logs["gateway"])
    try:
        wait_status(settings, lambda status: True)

        def gateway_healthy() -> bool:
            if gateway.poll() is not None:
                pytest.fail(f"the gateway exited:\n{logs['gateway'].read_text()[-3000:]}")
            return http_status(f"http://127.0.0.1:{port}/healthz") == 200

        wait_for("the gateway's /healthz to answer 200", gateway_healthy, timeout=60)
        test_body = orjson.dumps(grafana("derived_test_notification.json"))
        assert post_json(url, test_body, TOKEN_HEADER) == (
            202, {"ignored": "Grafana contact point test notification"},
        )  # fmt: skip
        answers = [post_json(url, body, TOKEN_HEADER) for body in (firing, firing, resolved)]
        assert [status for status, _ in answers] == [200, 200, 200], answers
        ids = [answer["event_ids"] for _, answer in answers]
        assert ids[0] == ids[1] == [f"grafana-c6eadffa33fcdf37-firing-{STARTS_AT}"]
        assert ids[2] == [f"grafana-c6eadffa33fcdf37-resolved-{ENDS_AT}"]
        rows = wait_for(
            f"a resolved incident of {SERVICE!r} (worker /mttr/report/)",
            lambda: resolved_report(settings),
            timeout=120,
            step=0.5,
        )
        print(f"worker /mttr/report/: {rows}")
    finally:
        codes = {"gateway": stop_process(gateway), "worker": stop_process(worker)}
    for name, code in codes.items():
        assert code == 0, f"{name} exited {code}:\n{logs[name].read_text()[-3000:]}"
    assert worker_status(settings) is None  # the worker released chDB

    found = [row for (service, _, _), row in incidents(settings).items() if service == SERVICE]
    assert len(found) == 1, found
    incident = found[0]
    print(f"incident: {incident}")
    assert (incident["status"], incident["environment"], incident["severity"]) == (
        "resolved", "production", "critical",
    )  # fmt: skip
    assert (incident["alert_count"], incident["reopen_count"]) == (1, 0)
    assert incident["started_at"] == datetime(2026, 3, 2, 9, 0, 0, 125_000, tzinfo=UTC)
    assert incident["resolved_at"] == datetime(2026, 3, 2, 9, 12, 30, 500_000, tzinfo=UTC)
    assert incident["ttr_seconds"] == pytest.approx(TTR_S, abs=1e-6)
    per_event, _ = stored_events(settings)
    assert sorted(per_event.items()) == [
        (f"grafana-c6eadffa33fcdf37-firing-{STARTS_AT}", 1),
        (f"grafana-c6eadffa33fcdf37-resolved-{ENDS_AT}", 1),
    ]
