"""`mttr report` through a running worker (embedded chDB held) and directly: same numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streams.devtools.processes import stop_process
from streams.devtools.wait import wait_processed
from streams.settings import Settings, project_root
from tests.support.processes import mttr, start_worker

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SAMPLE = project_root() / "samples" / "events.jsonl"
# Hand-computed from samples/events.jsonl (see docs/incident-model.md):
EXPECTED = {
    ("auth", "high"): 3900.0,  # declared 14:00, alert resolved 15:05
    ("checkout", "critical"): 1060.0,  # starts_at 10:07:00 -> resolved 10:24:40
    ("search", "high"): 2600.0,  # 02:15:00 -> 02:58:20
}


def _report(settings: Settings, *args: str) -> list[dict]:
    result = mttr("report", "--format", "json", *args, settings=settings)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_report_via_worker_and_direct(storage_settings: Settings, tmp_path: Path) -> None:
    settings = storage_settings
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        published = mttr("publish", str(SAMPLE), settings=settings)
        assert "Published 15 events" in published.stdout
        wait_processed(settings)
        via_worker = _report(settings, "--via", "worker")
        by_day = _report(settings, "--by", "day", "--service", "checkout")
        table = mttr("report", settings=settings)
        bad = mttr("report", "--since", "soon", settings=settings)
    finally:
        assert stop_process(worker) == 0
    direct = _report(settings, "--via", "direct")
    assert via_worker == direct
    assert {(r["service"], r["severity"]): r["mttr_seconds"] for r in direct} == EXPECTED
    checkout = next(r for r in direct if r["service"] == "checkout")
    assert checkout["incidents"] == 1
    assert checkout["mttd_seconds"] == 130.0 and checkout["mtta_seconds"] == 235.0
    assert by_day == [{**checkout, "day": "2026-03-02"}]
    assert "17m 40s" in table.stdout and "1h 5m" in table.stdout
    assert bad.returncode == 2 and "since must look like 12h, 30d or 8w" in bad.stderr
    # the sample incidents resolved in March 2026: nothing within the last hour
    assert _report(settings, "--via", "direct", "--since", "1h") == []
    csv_out = mttr("report", "--format", "csv", "--via", "direct", settings=settings).stdout
    assert csv_out.splitlines()[0] == (
        "service,environment,severity,incidents,mttr_seconds,p50_seconds,p90_seconds,"
        "mttd_seconds,mtta_seconds"
    )
    assert len(csv_out.splitlines()) == 4
