"""``mttr import pagerduty`` then the live webhooks of the same incident, through broker and worker.

The REST history of a PagerDuty incident (tests/fixtures/pagerduty/history_incidents.json)
is imported with the real CLI; then the signed v3 webhooks of the same changes
(``derived_incident_*.json``) reach the real gateway. The worker must store each
event once and hold exactly the incident that live-only processing gives (computed
with the pure engine). docs/sources/import.md.
"""

from __future__ import annotations

import hashlib
import hmac
import urllib.request
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from streams.devtools.broker.local import free_port
from streams.devtools.processes import stop_process
from streams.devtools.wait import wait_processed
from streams.settings import Settings
from streams.storage.clickhouse import connect
from tests.support.engine import run
from tests.support.history_payloads import LIVE, live_events
from tests.support.paths import FIXTURES
from tests.support.processes import mttr, start_mttr, start_worker, wait_http

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SECRET = "pd-history-secret"
COLUMNS = ("incident_id", "service", "environment", "status", "severity", "title",
           "started_at", "acknowledged_at", "resolved_at", "reopen_count", "event_count",
           "ticket_ids")  # fmt: skip


def post_signed(url: str, body: bytes) -> int:
    signature = "v1=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"X-PagerDuty-Signature": signature}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(response.status)


def test_import_then_live_webhooks_store_each_event_once(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    settings = isolated_settings.model_copy(
        update={
            "gateway_port": free_port(),
            "pagerduty_webhook_secrets": SecretStr(SECRET),
            "idle_flush_s": 1.0,
            "sink_batch_seconds": 0.2,
        }
    )
    base = f"http://127.0.0.1:{settings.gateway_port}"
    gateway = start_mttr("gateway", settings, tmp_path / "gateway.log")
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        history = FIXTURES / "pagerduty" / "history_incidents.json"
        imported = mttr("import", "pagerduty", str(history), settings=settings)
        assert imported.returncode == 0, imported.stderr
        assert "Published 4 events (ticket=4) from 1 files; 1 items ignored, 0 errors" in (
            imported.stderr
        )
        wait_http(f"{base}/healthz")
        for name in LIVE["pagerduty"]:
            body = (FIXTURES / "pagerduty" / name).read_bytes()
            assert post_signed(f"{base}/webhooks/pagerduty", body) == 200
        wait_processed(settings)
    finally:
        codes = stop_process(gateway), stop_process(worker)
    assert codes == (0, 0), [
        (tmp_path / f).read_text()[-3000:] for f in ("gateway.log", "worker.log")
    ]
    client = connect(settings)
    try:
        events = client.query("SELECT count() FROM mttr.events FINAL").result_rows[0][0]
        stored = client.query(f"SELECT {', '.join(COLUMNS)} FROM mttr.incidents FINAL")
    finally:
        client.close()
    assert events == 4  # 4 imported, the 4 live twins are the same events
    expected = [_plain(row[c] for c in COLUMNS) for row in run(live_events("pagerduty")).values()]
    assert [_plain(row) for row in stored.result_rows] == expected


def _plain(values: Iterable[Any]) -> tuple[Any, ...]:
    """Compare datetimes by instant and arrays as lists, whatever the client returned."""
    plain: list[Any] = []
    for value in values:
        if isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat()
        elif isinstance(value, tuple | list):
            value = list(value)
        plain.append(value)
    return tuple(plain)
