"""`mttr kafka start|status|stop` against the real broker jars."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.devtools.broker import local
from streams.settings import Settings
from tests.support.processes import mttr

pytestmark = pytest.mark.integration


def test_start_twice_status_stop(tmp_path: Path, kafka_bootstrap: str) -> None:
    settings = Settings(var_dir=tmp_path / "var")
    data_dir = tmp_path / "broker"
    port = local.free_port()

    first = mttr(
        "kafka", "start", "--port", str(port), "--data-dir", str(data_dir), settings=settings
    )
    try:
        assert first.returncode == 0, first.stderr
        assert first.stdout.splitlines()[-1] == f"127.0.0.1:{port}"
        assert "started" in first.stdout

        second = mttr(
            "kafka", "start", "--port", str(port), "--data-dir", str(data_dir), settings=settings
        )
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stdout
        assert second.stdout.splitlines()[-1] == f"127.0.0.1:{port}"

        status = mttr("kafka", "status", "--data-dir", str(data_dir), settings=settings)
        assert status.returncode == 0
        assert "accepting connections" in status.stdout
        pid = local.read_state(data_dir).pid  # type: ignore[union-attr]
    finally:
        stopped = mttr("kafka", "stop", "--data-dir", str(data_dir), settings=settings)
    assert stopped.returncode == 0
    assert "Kafka stopped" in stopped.stdout
    assert (
        not Path(f"/proc/{pid}").exists()
        or b"kafka.Kafka" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    )
    after = mttr("kafka", "status", "--data-dir", str(data_dir), settings=settings)
    assert after.returncode == 3
    assert "not running" in after.stdout
    again = mttr("kafka", "stop", "--data-dir", str(data_dir), settings=settings)
    assert again.returncode == 0 and "not running" in again.stdout


def test_start_on_a_busy_port_fails_clearly(tmp_path: Path, kafka_bootstrap: str) -> None:
    busy_port = int(kafka_bootstrap.rsplit(":", 1)[1])  # the session broker holds it
    result = mttr(
        "kafka",
        "start",
        "--port",
        str(busy_port),
        "--data-dir",
        str(tmp_path / "b"),
        settings=Settings(var_dir=tmp_path / "var"),
    )
    assert result.returncode == 1
    assert f"port {busy_port} on 127.0.0.1 is already in use" in result.stderr
