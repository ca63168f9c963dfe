"""Debian's Prometheus and Alertmanager packages for the tests (installed with apt-get if missing).

``ensure_installed()`` installs the packages ``prometheus`` and
``prometheus-alertmanager`` when their binaries are missing (we run as root),
with every service start forbidden for the duration (``policy-rc.d``), and
checks that no daemon of the packages is left running (``package_daemons()``).
tests/support/prometheus_stack.py runs the binaries.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

PROMETHEUS = Path("/usr/bin/prometheus")
ALERTMANAGER = Path("/usr/bin/prometheus-alertmanager")
PACKAGES = ("prometheus", "prometheus-alertmanager")
POLICY_RC_D = Path("/usr/sbin/policy-rc.d")
# 101 = "action forbidden": invoke-rc.d and deb-systemd-invoke start no service.
NO_SERVICE_STARTS = "#!/bin/sh\n# written by the test suite while it installs packages\nexit 101\n"


# --- installation ----------------------------------------------------------------


def _run(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        list(args),
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def package_daemons() -> list[str]:
    """Return ``pid command`` of processes running a binary of the two packages."""
    found = _run("pgrep", "-a", "-f", f"^({PROMETHEUS}|{ALERTMANAGER})( |$)", timeout=10)
    return found.stdout.splitlines()


def ensure_installed() -> dict[str, str]:
    """Install the packages if a binary is missing; return ``{package: installed version}``.

    Calls ``pytest.fail`` with apt-get's output when installation fails, and
    when a daemon of the packages runs afterwards (none may be started).
    """
    if not (PROMETHEUS.exists() and ALERTMANAGER.exists()):
        if shutil.which("apt-get") is None:
            pytest.fail(f"{PROMETHEUS} or {ALERTMANAGER} is missing and there is no apt-get")
        wrote_policy = not POLICY_RC_D.exists()
        if wrote_policy:
            POLICY_RC_D.write_text(NO_SERVICE_STARTS)
            POLICY_RC_D.chmod(0o755)
        try:
            known = _run("apt-cache", "show", *PACKAGES)
            if known.returncode != 0:  # no package lists yet
                _run("apt-get", "update")
            install = ("apt-get", "install", "-y", "--no-install-recommends", *PACKAGES)
            result = _run(*install)
            if result.returncode != 0 and known.returncode == 0:  # stale lists: refresh once
                _run("apt-get", "update")
                result = _run(*install)
        finally:
            if wrote_policy:
                POLICY_RC_D.unlink()
        if result.returncode != 0 or not (PROMETHEUS.exists() and ALERTMANAGER.exists()):
            pytest.fail(
                f"could not install Debian {' and '.join(PACKAGES)} ({' '.join(install)}, "
                f"exit {result.returncode}):\n{(result.stdout + result.stderr)[-3000:]}"
            )
    daemons = package_daemons()
    if daemons:
        pytest.fail(f"daemons of {PACKAGES} are running outside the test: {daemons}")
    query = _run("dpkg-query", "-W", "-f", "${Package} ${Version}\\n", *PACKAGES, timeout=30)
    return dict(line.split(" ", 1) for line in query.stdout.splitlines())
