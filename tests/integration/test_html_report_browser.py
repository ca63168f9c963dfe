"""`mttr report --html` on a seeded chDB, opened in headless Chromium: the charts really draw.

A module fixture makes sure Debian's ``chromium`` is installed (apt-get, as
the tests run as root). The history is seeded relative to the current time,
written straight into chDB (no worker holds it), and the report is built by
the real command. Chromium then loads the file offline: ``--dump-dom`` gives
the DOM after the page's script ran, in which every chart section must be
marked ``data-drawn="true"`` and hold its SVG marks; ``--screenshot`` gives a
PNG whose pixels must show the chart colours. Run with ``-s`` to see what
Chromium reported.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from streams.devtools.broker.local import free_port
from streams.devtools.processes import stop_process
from streams.engine.incident import INCIDENT_COLUMNS
from streams.ingest.rows import EVENT_COLUMNS
from streams.present.durations import human
from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from tests.support.processes import mttr, start_worker, wait_status

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

CHROMIUM = Path("/usr/bin/chromium")
CHARTS = ("trend", "by-service", "per-week", "detection", "change-failure", "open")
SERVICES = ("checkout", "payments", "search")
TYPICAL_TTR = {"critical": 1800, "high": 5400, "medium": 14400, "low": 36000}
WINDOW_DAYS = 60  # the report runs with --since 60d; nothing is seeded near that boundary
NASTY_TITLE = '</script><b id="injected">bold</b> & "quotes"'
# fill colours of the stylesheet that must be painted in the screenshot
COLOURS = {
    "critical": (0xC6, 0x28, 0x28),
    "high": (0xEF, 0x6C, 0x00),
    "low": (0x1E, 0x88, 0xE5),
    "mean": (0x28, 0x35, 0x93),
    "cfr": (0x5E, 0x35, 0xB1),
}


# --- Chromium --------------------------------------------------------------------


def _apt_get(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        ["apt-get", *args],  # noqa: S607
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.fixture(scope="session")
def chromium() -> str:
    """Return the path of Debian's chromium, installing it with apt-get when missing."""
    if CHROMIUM.exists():
        return str(CHROMIUM)
    if shutil.which("apt-get") is None:
        pytest.fail(f"{CHROMIUM} is missing and there is no apt-get to install Debian chromium")
    known = subprocess.run(
        ["apt-cache", "show", "chromium"],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if known.returncode != 0:  # no package lists yet
        _apt_get("update")
    install = ("install", "-y", "--no-install-recommends", "chromium")
    result = _apt_get(*install)
    if result.returncode != 0 and known.returncode == 0:  # stale package lists: refresh once
        _apt_get("update")
        result = _apt_get(*install)
    if result.returncode != 0 or not CHROMIUM.exists():
        pytest.fail(
            "could not install Debian chromium (apt-get install -y --no-install-recommends "
            f"chromium, exit {result.returncode}):\n{(result.stdout + result.stderr)[-3000:]}"
        )
    return str(CHROMIUM)


def run_chromium(binary: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium offline with a fresh profile."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run(  # noqa: S603
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=5000",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@dataclass
class Section:
    attrs: dict[str, str | None]
    marks: Counter[str] = field(default_factory=Counter)
    text: list[str] = field(default_factory=list)


class DomScan(HTMLParser):
    """Collect the body's attributes and, per chart section, its marks and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.body: dict[str, str | None] = {}
        self.sections: dict[str, Section] = {}
        self.elements: Counter[str] = Counter()
        self._current: Section | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.elements[tag] += 1
        if tag == "body":
            self.body = values
        elif tag == "section" and values.get("data-chart"):
            self._current = self.sections[str(values["data-chart"])] = Section(values)
        elif self._current is not None and "mark" in (values.get("class") or "").split():
            self._current.marks[tag] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.text.append(data)


def dump_dom(binary: str, tmp_path: Path, page: Path) -> DomScan:
    result = run_chromium(binary, tmp_path, "--dump-dom", page.as_uri())
    assert result.returncode == 0, result.stderr[-3000:]
    assert "<body" in result.stdout, f"no DOM dumped; stderr:\n{result.stderr[-3000:]}"
    scan = DomScan()
    scan.feed(result.stdout)
    return scan


def png_rows(path: Path) -> tuple[int, int, int, list[bytes]]:
    """Decode an 8-bit RGB or RGBA, non-interlaced PNG (stdlib only).

    Returns width, height, bytes per pixel (3 or 4) and the unfiltered rows.
    """
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, compressed = 8, bytearray()
    header: tuple[int, ...] = ()
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            compressed += body
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, f"unexpected PNG {header}"
    size = 3 if colour == 2 else 4
    raw = zlib.decompress(bytes(compressed))
    stride = width * size
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride if kind else 0):  # filter 0 (None): the bytes as they are
            left = line[i - size] if i >= size else 0
            up = previous[i]
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            else:  # Paeth
                corner = previous[i - size] if i >= size else 0
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                best = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + best) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, size, rows


def colour_counts(size: int, rows: list[bytes]) -> tuple[int, Counter[str]]:
    """Return the number of non-white pixels and the pixels of each chart colour."""
    wanted = {bytes(rgb): name for name, rgb in COLOURS.items()}
    counts: Counter[str] = Counter()
    non_white = 0
    for row in rows:
        for n in range(0, len(row), size):
            pixel = row[n : n + 3]
            if pixel != b"\xff\xff\xff":
                non_white += 1
                name = wanted.get(pixel)
                if name:
                    counts[name] += 1
    return non_white, counts


# --- the seeded history ------------------------------------------------------------


@dataclass
class History:
    now: datetime
    incidents: list[dict[str, Any]]
    deploys: list[dict[str, Any]]
    causes: set[str]

    @property
    def window_start(self) -> datetime:
        return self.now - timedelta(days=WINDOW_DAYS)

    def resolved_in_window(self) -> list[dict[str, Any]]:
        return [
            i
            for i in self.incidents
            if i["status"] == "resolved" and i["resolved_at"] >= self.window_start
        ]


def incident_row(n: int, service: str, severity: str, started: datetime, **fields: Any) -> dict:
    row: dict[str, Any] = dict.fromkeys(INCIDENT_COLUMNS)
    row.update(
        incident_id=f"inc-{n:04d}",
        service=service,
        environment="production",
        status="open",
        severity=severity,
        category="availability",
        title=f"{service} trouble #{n}",
        started_at=started,
        detected_at=started,
        alert_count=1,
        alert_ids=[f"a-{n}"],
        ticket_ids=[],
        event_count=2,
        reopen_count=0,
        completed=0,
        quality_flags=[],
        is_deleted=0,
        version=1,
        updated_at=started,
    )
    row.update(fields)
    return row


def make_history(now: datetime) -> History:
    """Return ~80 days of incidents and deploys for three services, relative to ``now``."""
    rng = random.Random(11)
    now = now.replace(microsecond=0)
    deploys: list[dict[str, Any]] = []
    for days_ago in [d for d in range(2, 86, 2) if abs(d - WINDOW_DAYS) > 3]:
        for service in SERVICES:
            occurred = now - timedelta(days=days_ago, hours=rng.uniform(0, 12))
            deploys.append(
                {
                    "service": service,
                    "occurred_at": occurred,
                    "deploy_id": f"dep-{service}-{days_ago}",
                }
            )
    days = [d for d in range(1, 86) if abs(d - WINDOW_DAYS) > 3]
    incidents: list[dict[str, Any]] = []
    causes: set[str] = set()
    for n in range(90):
        service, severity = rng.choice(SERVICES), rng.choice(tuple(TYPICAL_TTR))
        started = now - timedelta(days=rng.choice(days)) + timedelta(hours=rng.uniform(0, 3))
        ttd, tta = rng.uniform(30, 600), rng.uniform(60, 1800)
        ttr = min(TYPICAL_TTR[severity] * rng.lognormvariate(0, 0.6), 20 * 3600)
        ttr = round(ttr, 3)
        earlier = [d for d in deploys if d["service"] == service and d["occurred_at"] < started]
        latest = max(earlier, key=lambda d: d["occurred_at"], default=None)
        cause = latest["deploy_id"] if latest and rng.random() < 0.4 else None
        if cause:
            causes.add(cause)
        incidents.append(
            incident_row(
                n,
                service,
                severity,
                started,
                status="resolved",
                completed=1,
                detected_at=started + timedelta(seconds=ttd),
                ttd_seconds=round(ttd, 3),
                acknowledged_at=started + timedelta(seconds=ttd + tta),
                tta_seconds=round(tta, 3),
                resolved_at=started + timedelta(seconds=ttr),
                ttr_seconds=ttr,
                cause_deploy_id=cause,
            )
        )
    for n, (service, severity, hours) in enumerate(
        [("checkout", "critical", 3), ("search", "high", 30), ("payments", "low", 100)], start=90
    ):
        started = now - timedelta(hours=hours)
        title = NASTY_TITLE if n == 90 else f"{service} still broken"
        incidents.append(incident_row(n, service, severity, started, title=title))
    return History(now, incidents, deploys, causes)


def seed(settings: Settings, history: History) -> None:
    """Create the schema and insert the history into the (closed afterwards) chDB."""
    client = connect(settings)
    try:
        migrate(client, load_migrations())
        columns = list(INCIDENT_COLUMNS)
        client.insert(
            "mttr.incidents",
            [[row[c] for c in columns] for row in history.incidents],
            column_names=columns,
        )
        events = [
            {
                "event_id": f"ev-{d['deploy_id']}",
                "type": "deploy",
                "service": d["service"],
                "environment": "production",
                "occurred_at": d["occurred_at"],
                "source": "ci",
                "status": "succeeded",
                "subject_id": d["deploy_id"],
                "severity": None,
                "category": None,
                "kind": None,
                "raw": "{}",
                "kafka_topic": "deploys",
                "kafka_partition": 0,
                "kafka_offset": n,
                "ingested_at": d["occurred_at"],
            }
            for n, d in enumerate(history.deploys)
        ]
        client.insert(
            "mttr.events",
            [[row[c] for c in EVENT_COLUMNS] for row in events],
            column_names=list(EVENT_COLUMNS),
        )
    finally:
        client.close()


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[Settings, History]]:
    settings = Settings(var_dir=tmp_path / "var", web_port=free_port(), log_level="warn")
    history = make_history(datetime.now(UTC))
    seed(settings, history)
    yield settings, history


def page_data(page: Path) -> dict[str, Any]:
    text = page.read_text(encoding="utf-8")
    match = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', text, re.S
    )
    assert match
    return dict(json.loads(match.group(1)))


def build_report(settings: Settings, page: Path, *args: str) -> None:
    result = mttr(
        "report", "--html", str(page), "--since", f"{WINDOW_DAYS}d", *args, settings=settings
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"HTML report written to {page.resolve()}"


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


def test_empty_database_gives_a_valid_page(chromium: str, tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var", web_port=free_port(), log_level="warn")
    seed(settings, History(datetime.now(UTC), [], [], set()))
    page = tmp_path / "empty.html"
    build_report(settings, page)
    dom = dump_dom(chromium, tmp_path, page)
    assert "data-error" not in dom.body and dom.body.get("data-rendered") == "true"
    for name, section in dom.sections.items():
        assert section.attrs.get("data-empty") == "true" and not section.marks, name
        assert "No data for this period." in section.text or "No open incidents." in section.text
    print(f"\nempty report: {len(dom.sections)} sections show their no-data message")


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
