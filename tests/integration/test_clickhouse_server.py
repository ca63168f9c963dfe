"""``mttr clickhouse start|stop|status``: a real ClickHouse server from the chdb-core wheel.

The CLI is run as users run it. Checked: the last stdout line is the URL a
worker needs (no password), ``mttr migrate`` over HTTP with it, the read-only
user reads but cannot write, "already running", a taken port, passwords never
printed nor stored in clear, and no process left behind after ``stop``.
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import clickhouse_connect
import pytest
from pydantic import SecretStr

from streams.devtools.broker.ports import free_port
from streams.settings import Settings
from tests.support.processes import mttr

pytestmark = pytest.mark.integration
WRITER_PASSWORD = "w-secret-8c1f"  # noqa: S105
READER_PASSWORD = "r-secret-77aa"  # noqa: S105


def _processes_on(server_dir: Path) -> list[str]:
    found = subprocess.run(  # noqa: S603
        ["pgrep", "-f", f"streams.devtools.clickhouse.serve {server_dir}"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.split()


def test_start_migrate_read_only_and_stop(tmp_path: Path) -> None:
    server_dir = tmp_path / "server"
    http_port, tcp_port = free_port(), free_port()
    local = Settings(
        var_dir=tmp_path / "var",
        clickhouse_password=SecretStr(WRITER_PASSWORD),
        clickhouse_reader_password=SecretStr(READER_PASSWORD),
    )
    ports = ["--http-port", str(http_port), "--tcp-port", str(tcp_port)]
    started = mttr("clickhouse", "start", *ports, "--data-dir", str(server_dir), settings=local)
    try:
        assert started.returncode == 0, started.stderr
        url = started.stdout.strip().splitlines()[-1]
        assert url == f"http://mttr@127.0.0.1:{http_port}/"
        for output in (started.stdout, started.stderr):
            assert WRITER_PASSWORD not in output and READER_PASSWORD not in output
        users = (server_dir / "conf" / "users.xml").read_text()
        assert WRITER_PASSWORD not in users and READER_PASSWORD not in users
        assert (server_dir / "conf" / "users.xml").stat().st_mode & 0o077 == 0

        again = mttr("clickhouse", "start", *ports, "--data-dir", str(server_dir), settings=local)
        assert again.returncode == 0 and "already running" in again.stdout
        assert again.stdout.strip().splitlines()[-1] == url

        worker = Settings(
            var_dir=tmp_path / "var",
            clickhouse_url=SecretStr(url),
            clickhouse_password=SecretStr(WRITER_PASSWORD),
        )
        migrated = mttr("migrate", settings=worker)
        assert migrated.returncode == 0, migrated.stderr
        assert f"to http://mttr@127.0.0.1:{http_port}/" in migrated.stdout

        reader = clickhouse_connect.get_client(
            host="127.0.0.1", port=http_port, username="mttr_reader", password=READER_PASSWORD
        )
        assert reader.query("SELECT count() FROM mttr.incidents FINAL").result_rows == [(0,)]
        with pytest.raises(Exception, match="readonly"):
            reader.command("INSERT INTO mttr.severity_targets (severity) VALUES ('low')")
        anonymous = clickhouse_connect.get_client(host="127.0.0.1", port=http_port)
        with pytest.raises(Exception, match="ACCESS_DENIED|Not enough privileges"):
            anonymous.query("SELECT count() FROM mttr.events")

        status = mttr("clickhouse", "status", "--data-dir", str(server_dir), settings=local)
        assert status.returncode == 0 and "answering /ping" in status.stdout
    finally:
        stopped = mttr("clickhouse", "stop", "--data-dir", str(server_dir), settings=local)
    assert "ClickHouse stopped" in stopped.stdout
    assert _processes_on(server_dir) == []
    status = mttr("clickhouse", "status", "--data-dir", str(server_dir), settings=local)
    assert status.returncode == 3 and "not running" in status.stdout


def test_a_taken_port_is_a_clear_error_and_leaves_no_process(tmp_path: Path) -> None:
    server_dir = tmp_path / "server"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["--http-port", str(port), "--tcp-port", str(free_port())]
        result = mttr(
            "clickhouse", "start", *args, "--data-dir", str(server_dir),
            settings=Settings(var_dir=tmp_path / "var"),
        )  # fmt: skip
    assert result.returncode == 1
    assert f"error: port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "choose --http-port" in result.stderr
    assert _processes_on(server_dir) == []
