"""What storage-outage tests send and watch: filler traffic, webhooks, memory and retries.

``deploys(prefix, n)`` makes deploy events of 50 services without alerts
(stored as events, never an incident); ``Trickle`` publishes such events
in slices from a thread, so events keep arriving through a fault;
``post_events`` sends a batch to a running ``mttr gateway``; ``rss_kib``
reads a process's resident memory; ``retries`` parses the back-off lines
of ``streams.retry`` from a worker log; ``metrics_lag`` reads the lag a
worker reports on ``/metrics``.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streams.settings import Settings
from tests.support.scripted_stream import publish

SERVICES = 50
RETRY_LINE = re.compile(  # Faust's log format: [time] [pid] [LEVEL] message
    r"^\[(?P<at>[^\]]+)\] \[\d+\] \[WARNING\] (?P<what>.+?) failed "
    r"\(attempt (?P<attempt>\d+)\), retrying in (?P<delay>[\d.]+)s"
)


def deploys(prefix: str, count: int) -> list[dict[str, Any]]:
    """Return ``count`` succeeded release deploys of services ``PREFIX-00`` .. ``PREFIX-49``."""
    return [
        {
            "event_id": f"{prefix}-{n:05d}",
            "type": "deploy",
            "service": f"{prefix}-{n % SERVICES:02d}",
            "occurred_at": f"2026-03-02T{8 + n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z",
            "deploy_id": f"{prefix}-job-{n}",
            "status": "succeeded",
            "kind": "release",
        }
        for n in range(count)
    ]


class Trickle:
    """Publish ``events`` in ``slices`` slices, one every ``pause`` seconds, from a thread."""

    def __init__(
        self, settings: Settings, events: list[dict[str, Any]], *, slices: int, pause: float
    ) -> None:
        self._settings, self._pause = settings, pause
        self._slices = [events[i::slices] for i in range(slices)]
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.published = 0
        self.error: BaseException | None = None

    def _run(self) -> None:
        try:
            for seed, part in enumerate(self._slices):
                publish(self._settings, part, seed=seed)
                self.published += len(part)
                time.sleep(self._pause)
        except BaseException as exc:  # noqa: BLE001  # reported by join()
            self.error = exc

    def start(self) -> Trickle:
        self._thread.start()
        return self

    def join(self, timeout: float) -> int:
        """Wait for the last slice; returns the events published, raises what the thread raised."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "publishing did not finish"
        if self.error is not None:
            raise self.error
        return self.published


def post_events(base: str, events: list[dict[str, Any]]) -> tuple[int, list[str]]:
    """POST ``events`` to ``BASE/events``; returns (HTTP status or 0, acknowledged event ids)."""
    request = urllib.request.Request(
        f"{base}/events", data=json.dumps(events).encode(), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, list(json.load(response).get("event_ids", []))
    except urllib.error.HTTPError as exc:
        return exc.code, []
    except OSError:
        return 0, []


def rss_kib(pid: int) -> int:
    """Return the resident memory (VmRSS) of ``pid`` in KiB, 0 once it exited."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    for line in lines:
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass(frozen=True)
class Retry:
    """One ``streams.retry`` warning: what failed, which attempt, the back-off chosen."""

    at: str
    what: str
    attempt: int
    delay: float


def retries(log_text: str) -> list[Retry]:
    """Return the retry warnings (``streams.retry``) of a worker log, in order."""
    found = []
    for line in log_text.splitlines():
        match = RETRY_LINE.match(line)
        if match:
            attempt, delay = int(match["attempt"]), float(match["delay"])
            found.append(Retry(match["at"], match["what"], attempt, delay))
    return found


def metrics_lag(settings: Settings) -> int | None:
    """Return the sum of the worker's ``mttr_consumer_lag`` gauge, None if /metrics is down."""
    url = f"http://127.0.0.1:{settings.web_port}/metrics"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            text = response.read().decode()
    except OSError:
        return None
    lines = [line for line in text.splitlines() if line.startswith("mttr_consumer_lag{")]
    return sum(int(float(line.rsplit(" ", 1)[1])) for line in lines)
