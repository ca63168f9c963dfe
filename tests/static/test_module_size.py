"""Small modules: no Python module of the project is over 300 lines.

One concept per file keeps each module readable on its own (docs/architecture.md).
An exception needs an entry below with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import ROOT

LIMIT = 300
FOLDERS = ("streams", "schemas", "bench", "tests")
EXCEPTIONS: dict[str, str] = {}  # path -> why it may be longer


def _modules() -> list[Path]:
    return sorted(p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_at_most_300_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    if str(path.relative_to(ROOT)) in EXCEPTIONS:
        return
    assert lines <= LIMIT, f"{path.relative_to(ROOT)} has {lines} lines"
