"""docs/architecture.md names every module of ``streams/``, and every module it names exists.

The module tables sit under headings like ``### `streams/engine/` `` and list
one file per row (``| `correlate.py` | ... |``; a cell may name several files).
"""

from __future__ import annotations

import re

from tests.support.paths import ROOT

DOC = ROOT / "docs" / "architecture.md"
HEADING = re.compile(r"^### `(streams/[\w/]*)`\s*$")
ROW = re.compile(r"^\| ([^|]+) \|")
NAME = re.compile(r"`([\w/.]+\.py)`")


def _documented() -> set[str]:
    documented: set[str] = set()
    folder: str | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            match = HEADING.match(line)
            folder = match.group(1).rstrip("/") if match else None
            continue
        row = ROW.match(line)
        if folder and row:
            documented.update(f"{folder}/{name}" for name in NAME.findall(row.group(1)))
    return documented


def _modules() -> set[str]:
    return {str(p.relative_to(ROOT)) for p in (ROOT / "streams").rglob("*.py")}


def test_every_module_is_in_the_architecture_doc() -> None:
    assert sorted(_modules() - _documented()) == []


def test_every_module_the_doc_names_exists() -> None:
    assert sorted(_documented() - _modules()) == []
