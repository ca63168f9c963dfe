"""Where things are: the project root and the test fixture data, independent of the caller's depth.

Test modules sit at different depths under ``tests/``; they take paths from here
instead of counting ``Path(__file__).parents``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The project root (holds ``pyproject.toml``, ``streams/``, ``sql/``, ``docs/``)."""
TESTS = ROOT / "tests"
FIXTURES = TESTS / "fixtures"
"""Data files of the tests (hostile corpus, vendor payloads); never Python."""
