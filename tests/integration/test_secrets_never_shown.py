"""Secrets never show: not in --help, logs, the status page, metrics, errors or the HTML report.

Every secret setting gets a recognisable value; the test runs the commands a
user runs and greps everything they print or write for those values.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from pydantic import SecretStr

from streams.devtools.broker.local import free_port
from streams.devtools.processes import stop_process
from streams.settings import Settings
from tests.support.processes import mttr, start_mttr, start_worker, wait_http, wait_status

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SECRETS = {
    "clickhouse_password": "ch-pw-7f3a9c",
    "github_webhook_secret": "gh-secret-51d2e8",
    "jira_webhook_secrets": "jira-secret-a0b1c2,jira-secret-d3e4f5",
    "pagerduty_webhook_secrets": "pd-secret-9e8d7c",
    "gateway_token": "gw-token-2c4e6a,gw-token-8f1a3b",
    "slack_webhook_url": "https://hooks.slack.invalid/services/T000/B000/slack-token-6b5a4f",
}
NEEDLES = ("ch-pw-7f3a9c", "gh-secret-51d2e8", "jira-secret-a0b1c2", "jira-secret-d3e4f5",
           "pd-secret-9e8d7c", "slack-token-6b5a4f", "gw-token-2c4e6a",
           "gw-token-8f1a3b")  # fmt: skip
COMMANDS = ("worker", "gateway", "report", "migrate", "publish", "simulate", "demo", "kafka",
            "import")  # fmt: skip


def _leaks(text: str) -> list[str]:
    return [needle for needle in NEEDLES if needle in text]


def test_no_secret_in_help_logs_pages_or_report(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    settings = isolated_settings.model_copy(
        update={name: SecretStr(value) for name, value in SECRETS.items()}
        | {"gateway_port": free_port(), "log_level": "debug"}
    )
    for command in COMMANDS:
        shown = mttr(command, "--help", settings=settings)
        assert shown.returncode == 0, shown.stderr
        assert _leaks(shown.stdout + shown.stderr) == [], command
    assert _leaks(mttr("--help", settings=settings).stdout) == []

    worker = start_worker(settings, tmp_path / "worker.log")
    gateway = start_mttr("gateway", settings, tmp_path / "gateway.log")
    pages = []
    try:
        status = wait_status(settings, lambda s: True)
        pages.append(json.dumps(status))
        base = f"http://127.0.0.1:{settings.gateway_port}"
        wait_http(f"{base}/healthz")
        for source in ("github", "jira", "pagerduty"):  # unsigned: 401 with a reason
            request = urllib.request.Request(f"{base}/webhooks/{source}", data=b"{}", method="POST")
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            assert refused.value.code == 401
            pages.append(refused.value.read().decode())
        for query, code in (("gw-token-8f1a3b", 400), ("gw-token-2c4e6", 401)):  # token in URL
            request = urllib.request.Request(f"{base}/events?token={query}", data=b"{}")
            with pytest.raises(urllib.error.HTTPError) as answered:
                urllib.request.urlopen(request, timeout=10)
            assert answered.value.code == code
            pages.append(answered.value.read().decode())
        for url in (f"{base}/metrics", f"http://127.0.0.1:{settings.web_port}/metrics"):
            with urllib.request.urlopen(url, timeout=10) as response:
                pages.append(response.read().decode())
        html = tmp_path / "report.html"
        report = mttr("report", "--html", str(html), settings=settings)
        assert report.returncode == 0, report.stderr
        pages.append(report.stdout + report.stderr + html.read_text(encoding="utf-8"))
    finally:
        codes = stop_process(gateway), stop_process(worker)
    assert codes == (0, 0)
    logs = (tmp_path / "worker.log").read_text() + (tmp_path / "gateway.log").read_text()
    assert "debug" in settings.log_level and len(logs) > 1000  # the logs were really written
    assert _leaks(logs) == []
    assert _leaks("\n".join(pages)) == []
