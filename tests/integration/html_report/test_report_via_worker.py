"""``mttr report --html --via worker`` gives the page ``--via direct`` gives, on the
seeded history (tests/support/report_history.py); ``--html`` refuses ``--by``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from streams.devtools.processes import stop_process
from streams.settings import Settings
from tests.support.processes import mttr, start_worker, wait_status
from tests.support.report_history import build_report, make_history, page_data, seed

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]


def test_html_via_worker_equals_direct(isolated_settings: Settings, tmp_path: Path) -> None:
    settings = isolated_settings
    seed(settings, make_history(datetime.now(UTC)))
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        wait_status(settings, lambda status: True)
        build_report(settings, tmp_path / "worker.html", "--via", "worker", "--service", "search")
        bad = mttr("report", "--html", str(tmp_path / "x.html"), "--by", "week", settings=settings)
    finally:
        assert stop_process(worker) == 0
    build_report(settings, tmp_path / "direct.html", "--via", "direct", "--service", "search")
    via_worker, direct = page_data(tmp_path / "worker.html"), page_data(tmp_path / "direct.html")
    for data in (via_worker, direct):  # the window's start and the ages move with the clock
        data.pop("window_start")
        for row in data["open_incidents"]:
            row.pop("age_seconds")
    assert via_worker == direct
    assert {row["service"] for row in direct["by_service"]} == {"search"}
    assert bad.returncode == 2 and "cannot be combined with --by" in bad.stderr
