"""Render the report data as one self-contained HTML page (pure, no I/O).

The page needs nothing but itself: CSS and JavaScript are inline, the data is
an embedded JSON block, and a Content-Security-Policy forbids every network
request. The script draws each chart as SVG and marks its section with
``data-drawn="true"`` and ``data-marks="N"`` (``data-error`` on the section
and on ``<body>`` when drawing fails; ``data-rendered="true"`` on ``<body>``
once it ran). Sections without data are rendered as a "no data" message
here, so an empty report reads well even without JavaScript.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any

from streams.present.durations import human
from streams.present.html_report.script import SCRIPT
from streams.present.html_report.style import STYLE
from streams.present.html_report.teams import teams_section

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


@dataclass(frozen=True)
class Section:
    """One chart: its ``data-chart`` name, heading, explanation and emptiness test."""

    name: str
    title: str
    note: str
    has_data: Callable[[dict[str, Any]], bool]
    empty: str = "No data for this period."


def _any_value(series: dict[str, list[Any]]) -> bool:
    return any(value is not None for values in series.values() for value in values)


SECTIONS: tuple[Section, ...] = (
    Section("trend", "MTTR trend per severity",
            "Mean, p50 and p90 time to resolve of the incidents resolved each week (UTC).",
            lambda d: any(_any_value(s) for s in d["trend"].values())),
    Section("by-service", "MTTR by service",
            "Mean time to resolve per service (bar) and its p90 (tick).",
            lambda d: bool(d["by_service"])),
    Section("per-week", "Incidents per week",
            "Incidents by the week they started (UTC), open ones included, by severity.",
            lambda d: any(any(counts) for counts in d["per_week"].values())),
    Section("detection", "MTTD and MTTA",
            "Mean time to detect and to acknowledge of the incidents resolved each week.",
            lambda d: _any_value(d["detection"])),
    Section("change-failure", "Change failure rate",
            "Share of the succeeded deploys of each month that caused an incident.",
            lambda d: bool(d["change_failure"])),
    Section("open", "Open incidents", "Current open incidents, oldest first, with their age.",
            lambda d: bool(d["open_incidents"]), empty="No open incidents."),
)  # fmt: skip


def script_json(data: dict[str, Any]) -> str:
    r"""Return ``data`` as JSON that is safe inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` are written as ``\u003c``-style escapes, so no
    value can close the element or open a comment; JSON.parse restores them.
    Raises ``ValueError`` for NaN or infinite numbers (not valid JSON).
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def _tiles(summary: dict[str, Any]) -> str:
    tiles = [
        ("Resolved incidents", str(summary["incidents"])),
        ("MTTR (mean)", human(summary["mttr_seconds"])),
        ("p50", human(summary["p50_seconds"])),
        ("p90", human(summary["p90_seconds"])),
        ("MTTD", human(summary["mttd_seconds"])),
        ("MTTA", human(summary["mtta_seconds"])),
        ("Open incidents", str(summary["open_incidents"])),
        ("Change failure rate", _percent(summary["change_failure_rate"])),
    ]
    return "".join(
        f'<div class="tile"><span class="value">{escape(value)}</span>'
        f'<span class="label">{escape(label)}</span></div>'
        for label, value in tiles
    )


def _scope(data: dict[str, Any], generated_at: datetime) -> str:
    filters = data["filters"]
    parts = [f"Generated {generated_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"]
    since = filters["since_seconds"]
    if since is None:
        parts.append("all incidents")
    else:
        start = str(data["window_start"])[:16].replace("T", " ")
        parts.append(f"incidents of the last {human(since)} (since {start} UTC)")
    if filters["service"]:
        parts.append(f"service {filters['service']}")
    if filters["severity"]:
        parts.append(f"severity {filters['severity']}")
    return " · ".join(escape(part) for part in parts)


def _section(section: Section, data: dict[str, Any]) -> str:
    note = section.note
    if section.name == "change-failure" and data["filters"]["severity"]:
        note += " Deploys are not filtered by severity."
    head = (
        f'<section class="chart" id="{section.name}" data-chart="{section.name}"'
        + ("" if section.has_data(data) else ' data-empty="true"')
        + f'><h2>{escape(section.title)}</h2><p class="note">{escape(note)}</p>'
    )
    body = "" if section.has_data(data) else f'<p class="empty">{escape(section.empty)}</p>'
    return f'{head}<div class="plot">{body}</div></section>'


def render(data: dict[str, Any], generated_at: datetime) -> str:
    """Return the complete HTML page for ``data`` (the dict ``collect()`` returns).

    ``generated_at`` (timezone-aware) is printed in the header, in UTC.
    Raises ``ValueError`` if ``data`` holds NaN or infinite numbers.
    """
    sections = "\n".join(_section(section, data) for section in SECTIONS)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>MTTR report</title>
<style>{STYLE}</style>
</head>
<body>
<header><h1>MTTR report</h1><p class="scope">{_scope(data, generated_at)}</p></header>
<main>
<div class="tiles">{_tiles(data["summary"])}</div>
{teams_section(data.get("teams", []))}
{sections}
</main>
<footer>Definitions: docs/metrics.md. Durations are shown as their two largest units.</footer>
<noscript><p class="empty">The charts are drawn by JavaScript, which is disabled.</p></noscript>
<script type="application/json" id="report-data">{script_json(data)}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""
