"""Slack notices end to end: real broker, ``mttr worker`` and a local webhook receiver.

One incident opens (an alert), is acknowledged (a ticket) and resolves (the
alert), published step by step with event times of the last hour. The
receiver fails the first post with 500 and the second with 429 and
``Retry-After: 1``; exactly three notices must arrive, in order, with the
hand-computed fields. Then the worker is stopped, the group's offsets on the
incidents topic are reset to the beginning and a duplicate event is sent:
the restarted worker re-reads every incident version and posts nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest
from pydantic import SecretStr

from streams.devtools.processes import stop_process
from streams.devtools.wait import wait_processed
from streams.kafka.lag import wait_caught_up
from streams.settings import Settings
from tests.support.kafka_topics import publish, rewind
from tests.support.processes import start_worker, wait_status

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LINK = "https://grafana.example/d/mttr-incident-drilldown?var-incident={incident_id}"


class Webhook:
    """A local incoming webhook: scripted failures first, then 200; records every request."""

    def __init__(self, failures: list[tuple[int, dict[str, str]]]) -> None:
        self.failures = failures
        self.requests: list[tuple[float, int]] = []  # (monotonic time, status answered)
        self.bodies: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with webhook.lock:
                    status, headers = webhook.failures.pop(0) if webhook.failures else (200, {})
                    webhook.requests.append((time.monotonic(), status))
                    if status == 200:
                        assert self.path == "/services/T000/B000/secret"
                        assert self.headers["Content-Type"] == "application/json"
                        webhook.bodies.append(orjson.loads(body))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"try later")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T000/B000/secret"

    def wait_bodies(self, count: int, timeout: float = 90) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.bodies) >= count:
                    return list(self.bodies)
            time.sleep(0.1)
        raise TimeoutError(f"{len(self.bodies)} of {count} notices arrived: {self.bodies}")


@contextmanager
def serving(webhook: Webhook) -> Iterator[Webhook]:
    thread = threading.Thread(target=webhook.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield webhook
    finally:
        webhook.server.shutdown()
        webhook.server.server_close()


def text(field: dict[str, str]) -> str:
    return field["text"]


def test_open_acknowledge_resolve_posts_three_notices_once(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    # event times in the last hour (MTTR_SLACK_MAX_AGE_S keeps its default of 1 h)
    base = (datetime.now(UTC) - timedelta(minutes=50)).replace(second=0, microsecond=0)

    def at(minutes: float) -> str:
        return (base + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")

    def utc(minutes: float) -> str:
        return (base + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S UTC")

    firing = {
        "event_id": "sn-1",
        "type": "alert",
        "service": "checkout",
        "occurred_at": at(0),
        "alert_id": "checkout-errors",
        "name": "CheckoutErrors",
        "status": "firing",
        "severity": "critical",
    }
    opened = {
        "event_id": "sn-2",
        "type": "ticket",
        "service": "checkout",
        "occurred_at": at(2),
        "ticket_id": "INC-7",
        "status": "opened",
        "title": "Checkout <fails> & times out",
    }
    acknowledged = {**opened, "event_id": "sn-3", "occurred_at": at(4.5), "status": "acknowledged"}
    resolved = {**firing, "event_id": "sn-4", "occurred_at": at(47.5), "status": "resolved"}

    webhook = Webhook([(500, {}), (429, {"Retry-After": "1"})])
    settings = isolated_settings.model_copy(
        update={
            "slack_webhook_url": SecretStr(webhook.url),
            "slack_link_template": LINK,
            "sink_batch_seconds": 0.2,
            "idle_flush_s": 1.0,
        }
    )
    codes: list[int] = []
    with serving(webhook):
        worker = start_worker(settings, tmp_path / "worker-1.log")
        try:
            publish(settings, firing)
            webhook.wait_bodies(1)
            publish(settings, opened, acknowledged)
            webhook.wait_bodies(2)
            publish(settings, resolved)
            bodies = webhook.wait_bodies(3)
            wait_status(settings, lambda status: status["completed_by_idle"] >= 1)
            wait_processed(settings)
            wait_caught_up(settings, topics=(settings.topic_incidents,))
            first_status = wait_status(settings, lambda status: True)
        finally:
            codes.append(stop_process(worker))

        rewind(settings, settings.topic_incidents)
        worker = start_worker(settings, tmp_path / "worker-2.log")
        try:
            publish(settings, resolved)  # a duplicate: its incident's row is written again
            wait_processed(settings)
            wait_caught_up(settings, topics=(settings.topic_incidents,))
            second_status = wait_status(settings, lambda status: True)
            time.sleep(2)  # room for a (wrong) late post
        finally:
            codes.append(stop_process(worker))
    logs = [(tmp_path / f"worker-{n}.log").read_text()[-3000:] for n in (1, 2)]
    assert codes == [0, 0], logs
    assert webhook.url.split("/")[-1] not in "".join(
        (tmp_path / f"worker-{n}.log").read_text() for n in (1, 2)
    )

    # retries: 500, then 429 honoured for a second, then the three notices
    statuses = [status for _, status in webhook.requests]
    assert statuses == [500, 429, 200, 200, 200], statuses
    assert webhook.requests[2][0] - webhook.requests[1][0] >= 1.0
    assert (first_status["slack_sent"], first_status["slack_failed"]) == (3, 0)
    assert (second_status["slack_sent"], second_status["slack_skipped"]) == (0, 0)
    assert webhook.bodies == bodies  # nothing after the restart

    title = "Checkout &lt;fails&gt; &amp; times out"
    assert [b["text"] for b in bodies] == [
        "Incident opened: checkout (production), critical: CheckoutErrors",
        f"Incident acknowledged: checkout (production), critical: {title}",
        f"Incident resolved after 47m 30s: checkout (production), critical: {title}",
    ]
    opened_fields, acked_fields, resolved_fields = (
        [text(f) for f in b["blocks"][1]["fields"]] for b in bodies
    )
    assert opened_fields == [
        "*Severity*\ncritical",
        "*Environment*\nproduction",
        f"*Started*\n{utc(0)}",
    ]
    assert acked_fields == [*opened_fields, f"*Acknowledged*\n{utc(4.5)}", "*Tickets*\nINC-7"]
    assert resolved_fields == [
        *opened_fields,
        f"*Acknowledged*\n{utc(4.5)}",
        f"*Resolved*\n{utc(47.5)}",
        "*Time to repair*\n47m 30s",
        "*Tickets*\nINC-7",
    ]
    contexts = [b["blocks"][2]["elements"][0]["text"] for b in bodies]
    incident_id = contexts[0].split("`")[1]
    link = LINK.format(incident_id=incident_id)
    assert contexts == [
        f"Incident `{incident_id}` · version {version} · <{link}|Details>" for version in (1, 3, 4)
    ]
