"""``mttr report --html`` on a seeded chDB, opened in headless Chromium: the charts really draw.

The history (tests/support/report_history.py) is seeded relative to the
current time, written straight into chDB (no worker holds it), and the report
is built by the real command. Chromium then loads the file offline:
``--dump-dom`` gives the DOM after the page's script ran, in which every chart
section must be marked ``data-drawn="true"`` and hold its SVG marks;
``--screenshot`` gives a PNG whose pixels must show the chart colours. The
``chromium`` fixture (tests/integration/html_report/conftest.py) installs
Debian's chromium when missing. Run with ``-s`` to see what Chromium reported.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from streams.devtools.broker.local import free_port
from streams.present.durations import human
from streams.settings import Settings
from tests.support.chromium import COLOURS, colour_counts, dump_dom, png_rows, run_chromium
from tests.support.report_history import (
    NASTY_TITLE,
    SERVICES,
    History,
    build_report,
    make_history,
    page_data,
    seed,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

CHARTS = ("trend", "by-service", "per-week", "detection", "change-failure", "open")


@pytest.fixture
def seeded(engine_settings: Settings) -> Iterator[tuple[Settings, History]]:
    settings = engine_settings.model_copy(update={"web_port": free_port(), "log_level": "warn"})
    history = make_history(datetime.now(UTC))
    seed(settings, history)
    yield settings, history


# --- tests ---------------------------------------------------------------------------


def test_report_html_draws_every_chart(
    seeded: tuple[Settings, History], chromium: str, tmp_path: Path
) -> None:
    settings, history = seeded
    page = tmp_path / "report.html"
    build_report(settings, page)

    # the numbers in the page are those of the seeded history
    data = page_data(page)
    resolved = history.resolved_in_window()
    assert data["summary"]["incidents"] == len(resolved) > 0
    assert len(resolved) < sum(i["status"] == "resolved" for i in history.incidents)
    assert data["open_total"] == data["summary"]["open_incidents"] == 3
    expected_mttr = {s: [i["ttr_seconds"] for i in resolved if i["service"] == s] for s in SERVICES}
    by_service = {row["service"]: row for row in data["by_service"]}
    for service, values in expected_mttr.items():
        assert by_service[service]["incidents"] == len(values)
        assert by_service[service]["mttr_seconds"] == pytest.approx(sum(values) / len(values))
    started = [i for i in history.incidents if i["started_at"] >= history.window_start]
    assert sum(sum(counts) for counts in data["per_week"].values()) == len(started)
    first_month = history.window_start.date().replace(day=1)
    deploys = [d for d in history.deploys if d["occurred_at"].date() >= first_month]
    failed = [d for d in deploys if d["deploy_id"] in history.causes]
    assert data["summary"]["change_failure_rate"] == pytest.approx(len(failed) / len(deploys))

    version = subprocess.run([chromium, "--version"], capture_output=True, text=True, check=False)
    print(f"\n{version.stdout.strip()}: {page} ({page.stat().st_size} bytes)")
    dom = dump_dom(chromium, tmp_path, page)
    print(
        f"body: data-rendered={dom.body.get('data-rendered')} "
        f"data-error={dom.body.get('data-error')}"
    )
    for name, section in dom.sections.items():
        marks = ", ".join(f"{n} {tag}" for tag, n in sorted(section.marks.items()))
        print(
            f"  {name}: data-drawn={section.attrs.get('data-drawn')} "
            f"data-marks={section.attrs.get('data-marks')} ({marks})"
        )
    assert "data-error" not in dom.body, dom.body["data-error"]
    assert dom.body.get("data-rendered") == "true", "the page's script did not finish"
    assert tuple(dom.sections) == CHARTS
    for name, section in dom.sections.items():
        assert section.attrs.get("data-drawn") == "true", f"{name} not drawn: {section.attrs}"
        assert "data-error" not in section.attrs
        assert section.marks, f"{name} has no SVG marks"
        assert int(str(section.attrs["data-marks"])) == sum(section.marks.values()), name
    assert dom.sections["by-service"].marks["rect"] == len(SERVICES)
    assert dom.sections["open"].marks["rect"] == 3
    months = {d["occurred_at"].strftime("%Y-%m") for d in deploys}
    assert (
        dom.sections["change-failure"].marks["rect"] == len(months) == len(data["change_failure"])
    )
    assert dom.sections["trend"].marks["path"] == 3 * len(data["trend"])
    assert dom.elements["script"] == 2 and "b" not in dom.elements, "the title stayed text"
    open_text = "".join(dom.sections["open"].text)
    assert NASTY_TITLE in open_text
    service_text = "".join(dom.sections["by-service"].text)
    for row in by_service.values():  # the script's durations read like human()
        label = f"{human(row['mttr_seconds'])}  (p90 {human(row['p90_seconds'])}, "
        assert f"{label}{row['incidents']})" in service_text

    shot = tmp_path / "report.png"
    result = run_chromium(
        chromium,
        tmp_path,
        "--hide-scrollbars",
        "--window-size=1000,3800",
        "--force-device-scale-factor=1",
        f"--screenshot={shot}",
        page.as_uri(),
    )
    assert result.returncode == 0 and shot.exists(), result.stderr[-3000:]
    width, height, size, rows = png_rows(shot)
    non_white, colours = colour_counts(size, rows)
    print(
        f"screenshot {width}x{height}, {shot.stat().st_size} bytes: {non_white} non-white "
        f"pixels; chart colours {dict(colours)}"
    )
    assert (width, height) == (1000, 3800)
    assert non_white > width * height // 20, "the screenshot is blank"
    for name in COLOURS:
        assert colours[name] >= 30, f"no {name} pixels painted: {dict(colours)}"
