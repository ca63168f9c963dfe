"""The ``chromium`` fixture of the HTML report tests: Debian's chromium, installed with
apt-get when missing (the tests run as root); session-scoped.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.support.chromium import CHROMIUM


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
