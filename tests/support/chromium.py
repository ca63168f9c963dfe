"""Headless Chromium for the HTML report tests: running it offline, reading what it drew.

``run_chromium()`` runs Debian's chromium (``CHROMIUM``; installed by the
``chromium`` fixture of tests/integration/html_report/conftest.py) with a fresh
profile and no network. ``dump_dom()`` parses ``--dump-dom`` into the chart
sections (``DomScan``: ``data-*`` attributes, SVG marks, text); ``png_rows()``
decodes a ``--screenshot`` PNG and ``colour_counts()`` counts the pixels of the
stylesheet's chart colours (``COLOURS``).
"""

from __future__ import annotations

import struct
import subprocess
import zlib
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")

# fill colours of the stylesheet that must be painted in the screenshot
COLOURS = {
    "critical": (0xC6, 0x28, 0x28),
    "high": (0xEF, 0x6C, 0x00),
    "low": (0x1E, 0x88, 0xE5),
    "mean": (0x28, 0x35, 0x93),
    "cfr": (0x5E, 0x35, 0xB1),
}


# --- Chromium --------------------------------------------------------------------


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
