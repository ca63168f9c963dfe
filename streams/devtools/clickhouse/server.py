"""Start, stop and find the local ClickHouse server (``mttr clickhouse``), for dev, demo and tests.

Layout of a server directory::

    DIR/conf/config.xml, users.xml   regenerated on every start
    DIR/data/                        the databases
    DIR/logs/                        server.out (stdout/stderr), clickhouse.log, clickhouse.err.log
    DIR/server.json                  pid and ports of the running server

The engine is the chdb-core wheel's clickhouse-local (``serve.py``), the same
engine as embedded chDB: one process per data directory. This is the local
and test server; production runs ``clickhouse-server`` (docs/scaling.md).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from streams.devtools.broker.ports import HOST, port_open
from streams.devtools.broker.state import reap
from streams.devtools.clickhouse.config import READER, WRITER, write_config
from streams.errors import BrokerError

log = logging.getLogger(__name__)
STATE_FILE = "server.json"
MODULE = "streams.devtools.clickhouse.serve"
PORT_IN_USE_EXIT = 210  # clickhouse-local's exit code when a listener cannot bind


class ServerError(BrokerError):
    """The local ClickHouse server could not be started, stopped or reached."""


@dataclass(frozen=True)
class ServerState:
    """What ``server.json`` records about a started server."""

    pid: int
    http_port: int
    tcp_port: int
    data_dir: str
    started_at: float

    @property
    def url(self) -> str:
        """The URL the workers need, as the writer user and without a password."""
        return f"http://{WRITER}@{HOST}:{self.http_port}/"

    @property
    def reader_url(self) -> str:
        """The URL for Grafana, reports and analysts: the read-only user, no password."""
        return f"http://{READER}@{HOST}:{self.http_port}/"


def _exists(pid: int) -> bool:
    reap(pid)  # our own child: collect it once it exited
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _alive(pid: int) -> bool:
    """True while ``pid`` runs and is a server (a recycled pid is not)."""
    if not _exists(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:  # guard against a recycled pid
        return not cmdline.exists() or MODULE.encode() in cmdline.read_bytes()
    except OSError:
        return False


def read_state(server_dir: Path) -> ServerState | None:
    """Return the server running on ``server_dir``, or None if none runs."""
    path = server_dir.resolve() / STATE_FILE
    try:
        state = ServerState(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    return state if _alive(state.pid) else None


def pings(http_port: int, timeout: float = 2.0) -> bool:
    """Return True when ``/ping`` on ``http_port`` answers ``Ok.``."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{http_port}/ping", timeout=timeout) as answer:
            return bool(answer.read().strip() == b"Ok.")
    except (urllib.error.URLError, OSError):
        return False


def _tail(path: Path, lines: int = 20) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def start(
    server_dir: Path,
    *,
    http_port: int,
    tcp_port: int,
    writer_password: str | None,
    reader_password: str | None,
    timeout: float = 60.0,
) -> tuple[ServerState, bool]:
    """Start a server on ``server_dir`` in the background; wait until ``/ping`` answers.

    Returns ``(state, started)``; ``started`` is False when a server was
    already running on this directory (it is left alone). Raises
    ``ServerError`` when a port is taken or the server does not come up
    within ``timeout`` seconds (with its log tail).
    """
    server_dir = server_dir.resolve()
    running = read_state(server_dir)
    if running is not None:
        return running, False
    for port, what in ((http_port, "--http-port"), (tcp_port, "--tcp-port")):
        if port_open(port):
            msg = f"port {port} on {HOST} is already in use by another process; choose {what}"
            raise ServerError(msg)
    conf, data, logs = server_dir / "conf", server_dir / "data", server_dir / "logs"
    data.mkdir(parents=True, exist_ok=True)
    write_config(
        conf,
        http_port=http_port,
        tcp_port=tcp_port,
        writer_password=writer_password,
        reader_password=reader_password,
    )
    out = (logs / "server.out").open("ab")
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", MODULE, str(conf), str(data)],
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        cwd=server_dir,
    )
    out.close()
    state = ServerState(process.pid, http_port, tcp_port, str(server_dir), time.time())
    (server_dir / STATE_FILE).write_text(json.dumps(asdict(state)), encoding="utf-8")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            (server_dir / STATE_FILE).unlink(missing_ok=True)
            taken = " (a port is in use)" if process.returncode == PORT_IN_USE_EXIT else ""
            msg = (
                f"the ClickHouse server exited with code {process.returncode}{taken} during "
                f"start-up; last lines of {logs / 'server.out'}:\n{_tail(logs / 'server.out')}"
            )
            raise ServerError(msg)
        if pings(http_port):
            return state, True
        time.sleep(0.2)
    stop(server_dir)
    msg = f"the ClickHouse server did not answer within {timeout:.0f}s; see {logs}"
    raise ServerError(msg)


def stop(server_dir: Path, *, timeout: float = 30.0) -> ServerState | None:
    """Stop the server on ``server_dir`` (SIGTERM, then SIGKILL after ``timeout``).

    Returns the state of the server that was stopped, or None if none was running.
    """
    server_dir = server_dir.resolve()
    state = read_state(server_dir)
    if state is not None:
        try:
            os.kill(state.pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and _exists(state.pid):
                time.sleep(0.1)
            if _exists(state.pid):
                log.warning(
                    "ClickHouse pid %d ignored SIGTERM for %.0fs; killing it", state.pid, timeout
                )
                os.kill(state.pid, signal.SIGKILL)
                time.sleep(0.2)
            reap(state.pid)
        except ProcessLookupError:
            pass
    (server_dir / STATE_FILE).unlink(missing_ok=True)
    return state
