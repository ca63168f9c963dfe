"""Debian's Prometheus and Alertmanager as test subprocesses, and HTTP helpers to query them.

``Stack`` writes the config files, starts a scrape target, Prometheus and
Alertmanager on free loopback ports with everything under one directory, and
stops them again; ``query()`` and ``samples()`` read Prometheus' series. The
packages are installed by tests/support/prometheus_install.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from streams.devtools.broker.local import free_port
from streams.devtools.processes import stop_process
from tests.support.prometheus_install import ALERTMANAGER, PROMETHEUS

# The scrape target: /metrics answers with a constant gauge until the process stops.
TARGET_SCRIPT = """\
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

BODY = b"# TYPE demo_up gauge\\ndemo_up 1\\n"


class Metrics(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/metrics":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format, *args):
        pass


HTTPServer(("127.0.0.1", int(sys.argv[1])), Metrics).serve_forever()
"""


# --- HTTP ------------------------------------------------------------------------


def get_json(url: str, params: dict[str, str] | None = None, timeout: float = 5) -> Any:
    """GET ``url`` (with query ``params``) and return the parsed JSON body."""
    if params:
        url = f"{url}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
        return json.load(response)


def http_status(url: str, timeout: float = 2) -> int | None:
    """Return the HTTP status of GET ``url``, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


def wait_for(what: str, check: Callable[[], Any], timeout: float, step: float = 0.2) -> Any:
    """Poll ``check()`` until it returns something truthy; return it or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(step)


# --- the stack -------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Prometheus' and Alertmanager's intervals, in seconds (whole seconds)."""

    scrape_s: int = 1
    evaluation_s: int = 1
    for_s: int = 2
    group_interval_s: int = 1


@dataclass
class Stack:
    """A scrape target, Prometheus and Alertmanager, everything under ``root``.

    The scrape job is ``job``; the rule ``alert`` fires on ``up == 0`` after
    ``timing.for_s`` with the label ``severity: critical``. Alertmanager sends
    every notification (``send_resolved: true``) to ``webhook_url``.
    """

    root: Path
    webhook_url: str
    job: str = "shop"
    alert: str = "ShopDown"
    timing: Timing = field(default_factory=Timing)
    target_port: int = field(default_factory=free_port)
    prometheus_port: int = field(default_factory=free_port)
    alertmanager_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def prometheus_url(self) -> str:
        return f"http://127.0.0.1:{self.prometheus_port}"

    @property
    def alertmanager_url(self) -> str:
        return f"http://127.0.0.1:{self.alertmanager_port}"

    def write_configs(self) -> None:
        """Write ``prometheus.yml``, ``rules.yml`` and ``alertmanager.yml`` (JSON is YAML)."""
        self.root.mkdir(parents=True, exist_ok=True)
        t = self.timing
        rules = {
            "groups": [
                {
                    "name": "availability",
                    "interval": f"{t.evaluation_s}s",
                    "rules": [
                        {
                            "alert": self.alert,
                            "expr": f'up{{job="{self.job}"}} == 0',
                            "for": f"{t.for_s}s",
                            "labels": {"severity": "critical"},
                            "annotations": {"summary": "{{ $labels.instance }} is down"},
                        }
                    ],
                }
            ]
        }
        prometheus = {
            "global": {
                "scrape_interval": f"{t.scrape_s}s",
                "scrape_timeout": f"{t.scrape_s}s",
                "evaluation_interval": f"{t.evaluation_s}s",
            },
            "rule_files": [str(self.root / "rules.yml")],
            "alerting": {
                "alertmanagers": [
                    {"static_configs": [{"targets": [f"127.0.0.1:{self.alertmanager_port}"]}]}
                ]
            },
            "scrape_configs": [
                {
                    "job_name": self.job,
                    "static_configs": [{"targets": [f"127.0.0.1:{self.target_port}"]}],
                }
            ],
        }
        alertmanager = {
            "route": {
                "receiver": "mttr",
                "group_by": ["alertname", "job"],
                "group_wait": "0s",
                "group_interval": f"{t.group_interval_s}s",
                "repeat_interval": "4h",
            },
            "receivers": [
                {
                    "name": "mttr",
                    "webhook_configs": [{"url": self.webhook_url, "send_resolved": True}],
                }
            ],
        }
        for name, content in (
            ("rules.yml", rules),
            ("prometheus.yml", prometheus),
            ("alertmanager.yml", alertmanager),
        ):
            (self.root / name).write_text(json.dumps(content, indent=2) + "\n")
        (self.root / "target.py").write_text(TARGET_SCRIPT)

    def _start(self, name: str, *command: str) -> subprocess.Popen[bytes]:
        with (self.root / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(  # noqa: S603
                list(command),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.root,
            )
        self.processes[name] = process
        return process

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def start_target(self) -> None:
        """Start the scrape target and wait until it serves ``/metrics``."""
        self._start("target", sys.executable, str(self.root / "target.py"), str(self.target_port))
        url = f"http://127.0.0.1:{self.target_port}/metrics"
        wait_for("the scrape target", lambda: http_status(url) == 200, timeout=30)

    def stop_target(self) -> None:
        """Stop the scrape target: from now on Prometheus' scrapes are refused."""
        stop_process(self.processes.pop("target"), timeout=10)

    def start_alertmanager(self) -> None:
        """Start Alertmanager (no clustering) and wait until it is ready."""
        self._start(
            "alertmanager",
            str(ALERTMANAGER),
            f"--config.file={self.root / 'alertmanager.yml'}",
            f"--storage.path={self.root / 'alertmanager-data'}",
            f"--web.listen-address=127.0.0.1:{self.alertmanager_port}",
            "--cluster.listen-address=",
            "--log.level=info",
        )
        self._wait_ready("alertmanager", f"{self.alertmanager_url}/-/ready")

    def start_prometheus(self) -> None:
        """Start Prometheus and wait until it is ready."""
        self._start(
            "prometheus",
            str(PROMETHEUS),
            f"--config.file={self.root / 'prometheus.yml'}",
            f"--storage.tsdb.path={self.root / 'prometheus-data'}",
            f"--web.listen-address=127.0.0.1:{self.prometheus_port}",
            "--storage.tsdb.retention.time=1h",
            "--log.level=info",
        )
        self._wait_ready("prometheus", f"{self.prometheus_url}/-/ready")

    def _wait_ready(self, name: str, url: str) -> None:
        def ready() -> bool:
            if self.processes[name].poll() is not None:
                pytest.fail(
                    f"{name} exited {self.processes[name].returncode}:\n{self.log_tail(name)}"
                )
            return http_status(url) == 200

        wait_for(f"{name} at {url}", ready, timeout=60)

    def stop(self) -> None:
        """Stop every process still running (Prometheus first: it flushes to Alertmanager)."""
        for name in ("prometheus", "alertmanager", "target"):
            process = self.processes.pop(name, None)
            if process is not None:
                stop_process(process, timeout=30)

    # --- what Prometheus saw ------------------------------------------------------

    def query(self, promql: str, at: float | None = None) -> list[dict[str, Any]]:
        """Run an instant query; return its ``result`` list (fails on a non-success answer)."""
        params = {"query": promql}
        if at is not None:
            params["time"] = f"{at:.3f}"
        answer = get_json(f"{self.prometheus_url}/api/v1/query", params)
        assert answer["status"] == "success", answer
        return list(answer["data"]["result"])

    def samples(self, promql_selector: str, window_s: int = 600) -> list[tuple[float, float]]:
        """Return the raw samples ``(unix seconds, value)`` of one series in the last window."""
        result = self.query(f"{promql_selector}[{window_s}s]")
        assert len(result) == 1, f"expected one series for {promql_selector}: {result}"
        return [(float(t), float(v)) for t, v in result[0]["values"]]

    def up(self) -> float | None:
        """Return the latest ``up`` of the job's target, or None before the first scrape."""
        result = self.query(f'up{{job="{self.job}"}}')
        return float(result[0]["value"][1]) if result else None
