"""`mttr demo` (what `make demo` runs) end to end: summary printed, nothing left running."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from streams.settings import Settings
from tests.processes import mttr

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in args:
            found.append(args)
    return found


def test_demo_summarizes_and_cleans_up(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    result = mttr("demo", settings=Settings(var_dir=var_dir), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "mttr.events (15 events)" in out
    assert "checkout" in out and "search" in out and "auth" in out
    assert "mttr.incidents (latest 3)" in out
    # checkout (docs/incident-model.md): TTD 2m 10s, TTA 3m 55s, TTM 14m, TTR 17m 40s
    assert "checkout/production" in out
    assert "17m 40s" in out and "3m 55s" in out and "checkout-412" in out and "rollback" in out
    assert "MTTR by service and severity" in out
    assert "43m 20s" in out  # search: 02:15 -> 02:58:20
    assert "1h 5m" in out  # auth: 14:00 -> 15:05
    assert out.count("dead-letter <-") == 3
    assert "nothing left running" in out
    assert _processes_mentioning(str(var_dir)) == []
    assert not (var_dir / "demo").exists()
    # no broker or worker from the demo survives (the session broker is in another dir)
    leftovers = subprocess.run(["pgrep", "-f", f"{var_dir}"], capture_output=True, check=False)
    assert leftovers.stdout == b""
