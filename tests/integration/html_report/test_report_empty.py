"""``mttr report --html`` on an empty chDB, opened in headless Chromium: every section
shows its no-data message and the page's script reports no error.

The ``chromium`` fixture (tests/integration/html_report/conftest.py) installs
Debian's chromium when missing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from streams.devtools.broker.local import free_port
from streams.settings import Settings
from tests.support.chromium import dump_dom
from tests.support.report_history import History, build_report, seed

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]


def test_empty_database_gives_a_valid_page(
    chromium: str, tmp_path: Path, engine_settings: Settings
) -> None:
    settings = engine_settings.model_copy(update={"web_port": free_port(), "log_level": "warn"})
    seed(settings, History(datetime.now(UTC), [], [], set()))
    page = tmp_path / "empty.html"
    build_report(settings, page)
    dom = dump_dom(chromium, tmp_path, page)
    assert "data-error" not in dom.body and dom.body.get("data-rendered") == "true"
    for name, section in dom.sections.items():
        assert section.attrs.get("data-empty") == "true" and not section.marks, name
        assert "No data for this period." in section.text or "No open incidents." in section.text
    print(f"\nempty report: {len(dom.sections)} sections show their no-data message")
