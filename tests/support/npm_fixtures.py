"""Test data shipped as npm packages: installed once with npm into ``.cache/npm/``.

``.cache/`` is git-ignored; nothing downloaded is committed. A pinned version
is immutable on the npm registry, so a cached install never goes stale. The
install goes to a temporary folder first and is renamed into place when
complete, so an interrupted run leaves no half-installed package behind.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.support.paths import ROOT

CACHE_DIR = ROOT / ".cache" / "npm"
INSTALL_TIMEOUT_S = 300


def npm_package(name: str, version: str, cache_dir: Path = CACHE_DIR) -> Path:
    """Return the folder of npm package ``name@version``, installing it on first use.

    Runs ``npm install --no-save --prefix <cache>/<name>@<version> name@version``
    (no lifecycle scripts). Fails the test with npm's output when npm is
    missing or the install fails.
    """
    prefix = cache_dir / f"{name.replace('/', '+')}@{version}"
    package = prefix / "node_modules" / name
    if _installed_version(package) == version:
        return package
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail(f"npm is needed to fetch test data {name}@{version}; install Node.js")
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".install-", dir=cache_dir))
    staging.chmod(0o755)  # mkdtemp makes it private; the cache is shared by the checkout
    try:
        command = [
            npm,
            "install",
            "--no-save",
            "--no-package-lock",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--prefix",
            str(staging),
            f"{name}@{version}",
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"npm install {name}@{version} took over {INSTALL_TIMEOUT_S}s")
        if done.returncode != 0:
            pytest.fail(
                f"npm install {name}@{version} failed (exit {done.returncode}):\n"
                f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
        got = _installed_version(staging / "node_modules" / name)
        if got != version:
            pytest.fail(f"npm installed {name}@{got}, expected {version}")
        if _installed_version(package) != version:  # else a concurrent run was first
            shutil.rmtree(prefix, ignore_errors=True)  # left damaged by hand, if at all
            try:
                os.replace(staging, prefix)
            except OSError:  # a concurrent run renamed its complete install just now
                if _installed_version(package) != version:
                    raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return package


def _installed_version(package: Path) -> str | None:
    try:
        version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None
    return version if isinstance(version, str) else None
