"""Every settings test starts from a clean environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from streams.settings import ENV_PREFIX


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No MTTR_* variables from the outer environment, no .env from the working directory."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
