"""The HTML report without a database or a browser: shaping, escaping, self-containment."""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from streams.present.html_report import render
from streams.present.html_report import script as script_module
from streams.present.html_report.page import SECTIONS, script_json
from streams.present.html_report.shape import (
    by_severity,
    overall_change_failure,
    plain,
    week_axis,
    weekly_series,
)

GENERATED = datetime(2026, 3, 9, 12, 30, tzinfo=UTC)
NASTY = '</script><script>alert(1)</script><!-- & "quotes" \u2028'
CHART_NAMES = ("trend", "by-service", "per-week", "detection", "change-failure", "open")


def sample_data() -> dict[str, Any]:
    """Hand-made report data in the shape ``collect()`` returns."""
    weeks = ["2026-02-16", "2026-02-23", "2026-03-02"]
    return {
        "filters": {"since_seconds": 30 * 86400.0, "service": None, "severity": None},
        "window_start": "2026-02-07T12:30:00+00:00",
        "summary": {
            "incidents": 5,
            "mttr_seconds": 4320.0,
            "p50_seconds": 3900.0,
            "p90_seconds": 9000.0,
            "mttd_seconds": 130.0,
            "mtta_seconds": 235.0,
            "open_incidents": 1,
            "change_failure_rate": 0.25,
        },
        "weeks": weeks,
        "trend": {
            "critical": {
                "incidents": [1, None, 2],
                "mttr_seconds": [1060.0, None, 3600.0],
                "p50_seconds": [1060.0, None, 3000.0],
                "p90_seconds": [1060.0, None, 4000.0],
            },
        },
        "per_week": {"critical": [1, 0, 2], "low": [0, 3, 0]},
        "detection": {"mttd_seconds": [120.0, None, 60.0], "mtta_seconds": [300.0, None, None]},
        "by_service": [
            {
                "service": NASTY,
                "incidents": 3,
                "mttr_seconds": 4320.0,
                "p50_seconds": 3900.0,
                "p90_seconds": 9000.0,
                "mttd_seconds": 130.0,
                "mtta_seconds": None,
            },
        ],
        "change_failure": [
            {
                "month": "2026-02-01",
                "deployments": 8,
                "failed_deployments": 2,
                "change_failure_rate": 0.25,
            },
        ],
        "open_incidents": [
            {
                "incident_id": "abc",
                "service": "checkout",
                "environment": "production",
                "severity": "high",
                "category": "latency",
                "title": NASTY,
                "started_at": "2026-03-09T10:00:00+00:00",
                "age_seconds": 9000.0,
            },
        ],
        "open_total": 1,
        "teams": [
            {
                "team": "payments",
                "incidents": 3,
                "mttr_seconds": 4320.0,
                "p50_seconds": 3000.0,
                "p90_seconds": 7200.0,
                "deployments": 8,
                "failed_deployments": 2,
                "change_failure_rate": 0.25,
                "changes_deployed": 11,
                "lead_time_p50_seconds": 90061.0,
            },
            {
                "team": "(unowned)",
                "incidents": 0,
                "deployments": 2,
                "failed_deployments": 0,
                "change_failure_rate": 0.0,
                "changes_deployed": 0,
            },
        ],
    }


def empty_data() -> dict[str, Any]:
    data = sample_data()
    data.update(
        weeks=[],
        trend={},
        per_week={},
        detection={"mttd_seconds": [], "mtta_seconds": []},
        by_service=[],
        change_failure=[],
        open_incidents=[],
        open_total=0,
        teams=[],
    )
    data["summary"] = dict.fromkeys(data["summary"], None) | {"incidents": 0, "open_incidents": 0}
    return data


def embedded_json(page: str) -> str:
    match = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S
    )
    assert match, "no embedded data block"
    return match.group(1)


def section_tag(page: str, name: str) -> str:
    match = re.search(rf'<section [^>]*data-chart="{name}"[^>]*>', page)
    assert match, f"no section {name}"
    return match.group(0)


# --- shaping -------------------------------------------------------------------


def test_week_axis_fills_gaps_and_sorts() -> None:
    assert week_axis([]) == []
    assert week_axis(["2026-03-02", "2026-02-16", "2026-03-02"]) == [
        "2026-02-16",
        "2026-02-23",
        "2026-03-02",
    ]
    assert week_axis(["2025-12-29", "2026-01-05"]) == ["2025-12-29", "2026-01-05"]


def test_weekly_series_aligns_rows_on_the_axis() -> None:
    axis = ["2026-02-16", "2026-02-23", "2026-03-02"]
    rows = [
        {"week": "2026-03-02", "mttd_seconds": 60.0},
        {"week": "2026-02-16", "mttd_seconds": 120.0},
        {"week": "2026-01-05", "mttd_seconds": 1.0},  # not on the axis: ignored
    ]
    assert weekly_series(rows, axis, ("mttd_seconds",)) == {"mttd_seconds": [120.0, None, 60.0]}
    assert weekly_series([], axis, ("n",), fill=0) == {"n": [0, 0, 0]}


def test_by_severity_orders_most_severe_first_and_keeps_unknown_ones() -> None:
    axis = ["2026-02-16"]
    rows = [
        {"week": "2026-02-16", "severity": severity, "incidents": n}
        for n, severity in enumerate(("low", "sev0", "critical", "medium"), start=1)
    ]
    shaped = by_severity(rows, axis, ("incidents",), 0)
    assert list(shaped) == ["critical", "medium", "low", "sev0"]
    assert shaped["critical"] == {"incidents": [3]}
    assert by_severity([], axis, ("incidents",)) == {}


def test_plain_makes_values_json_able() -> None:
    assert plain(date(2026, 3, 2)) == "2026-03-02"
    assert plain(datetime(2026, 3, 2, 10, 7, tzinfo=UTC)) == "2026-03-02T10:07:00+00:00"
    assert plain(math.nan) is None and plain(math.inf) is None
    assert plain(1.5) == 1.5 and plain(3) == 3 and plain(None) is None and plain("x") == "x"


def test_overall_change_failure_weights_by_deploys() -> None:
    months = [
        {"deployments": 10, "failed_deployments": 1},
        {"deployments": 30, "failed_deployments": 9},
    ]
    assert overall_change_failure(months) == pytest.approx(0.25)
    assert overall_change_failure([]) is None


# --- the page --------------------------------------------------------------------


def test_page_has_no_external_references() -> None:
    page = render(sample_data(), GENERATED)
    assert page.startswith("<!doctype html>")
    assert not re.search(r"""\b(src|href|action|poster)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"<link\b", page, re.I), "no stylesheet or icon links"
    assert not re.search(r"@import|url\(", page, re.I), "no CSS that loads anything"
    assert not re.search(r"<(img|iframe|object|embed)\b", page, re.I)
    assert not re.search(r"\b(fetch|XMLHttpRequest|WebSocket|importScripts)\b", page)
    assert "default-src 'none'" in page, "a Content-Security-Policy forbids network access"
    # the only http:// text is the SVG namespace name, which is never fetched
    assert set(re.findall(r"https?://[^\s\"']+", page)) == {"http://www.w3.org/2000/svg"}


def test_data_is_embedded_and_escaped_for_a_script_block() -> None:
    data = sample_data()
    page = render(data, GENERATED)
    block = embedded_json(page)
    assert "<" not in block and ">" not in block and "&" not in block
    assert "\u2028" not in block
    assert json.loads(block) == data  # JSON.parse gives back exactly the data
    # the nasty text never appears unescaped: one </script> per script element
    assert page.count("</script>") == 2
    assert "<!--" not in page.split("<body>", 1)[1]


def test_script_json_rejects_nan() -> None:
    with pytest.raises(ValueError):
        script_json({"x": math.nan})


def test_every_chart_has_a_container_and_the_summary_is_rendered() -> None:
    page = render(sample_data(), GENERATED)
    assert tuple(section.name for section in SECTIONS) == CHART_NAMES
    for name in CHART_NAMES:
        tag = section_tag(page, name)
        assert "data-empty" not in tag, f"{name} has data"
        assert "data-drawn" not in tag, "drawing is the script's job"
    scope = (
        "Generated 2026-03-09 12:30 UTC · incidents of the last 30d (since 2026-02-07 12:30 UTC)"
    )
    assert f'<p class="scope">{scope}</p>' in page
    for text in ("1h 12m", "1h 5m", "2h 30m", "2m 10s", "3m 55s", "25%"):
        assert f'<span class="value">{text}</span>' in page
    assert 'data-drawn", "true"' in page and "data-marks" in page and "data-error" in page


def test_empty_data_renders_no_data_messages() -> None:
    page = render(empty_data(), GENERATED)
    for name in CHART_NAMES:
        assert 'data-empty="true"' in section_tag(page, name), name
    assert page.count("No data for this period.") == len(CHART_NAMES) - 1
    assert "No open incidents." in page
    assert '<span class="value">-</span>' in page and '<span class="value">0</span>' in page
    assert json.loads(embedded_json(page)) == empty_data()


def test_filters_are_shown_escaped() -> None:
    data = sample_data()
    data["filters"] = {"since_seconds": None, "service": "<b>checkout</b>", "severity": "high"}
    page = render(data, GENERATED)
    assert "all incidents · service &lt;b&gt;checkout&lt;/b&gt; · severity high" in page
    assert "<b>checkout</b>" not in page
    assert "Deploys are not filtered by severity." in page


def test_the_team_table_lists_each_team_with_its_own_numbers() -> None:
    page = render(sample_data(), GENERATED)
    table = page[page.index('<section class="table" id="teams">') :]
    table = table[: table.index("</section>")]
    cells = re.findall(r"<td>(.*?)</td>", table)
    assert cells == [
        "payments", "3", "1h 12m", "50m", "2h", "8", "25%", "11", "1d 1h",
        "(unowned)", "0", "-", "-", "-", "2", "0%", "0", "-",
    ]  # fmt: skip
    empty = render(empty_data(), GENERATED)
    assert "No incidents, deploys or changes." in empty


# sha256 of render(sample_data(), GENERATED) and render(empty_data(), GENERATED), taken
# before the script moved from a Python string to report.js. Update them only when
# the page changes on purpose.
PAGE_SHA256 = {
    "sample": "f283de50fb1814dd47bde13e760d47f6cf4493c0f1a34193439e93a13a1e32db",
    "empty": "0d3af9b8325e2ed3f2f9a5d277f8d7a2ae16309e45e4544549b37ac0e6cfab08",
}


def test_page_is_byte_identical_to_the_reference() -> None:
    pages = {"sample": sample_data(), "empty": empty_data()}
    for name, data in pages.items():
        digest = hashlib.sha256(render(data, GENERATED).encode("utf-8")).hexdigest()
        assert digest == PAGE_SHA256[name], name


def test_script_is_report_js_verbatim() -> None:
    text = (Path(script_module.__file__).parent / "report.js").read_text(encoding="utf-8")
    assert script_module.SCRIPT == text
    assert f"<script>{text}</script>" in render(sample_data(), GENERATED)
