"""A single-node KRaft Kafka broker (broker + controller) on 127.0.0.1, for dev, demo and tests.

Layout of a data directory::

    DIR/server.properties   generated on every start
    DIR/log4j2.properties   logging to DIR/logs/server.log
    DIR/data/               the broker's log.dirs (formatted once)
    DIR/broker.json         pid and ports of the running broker
    DIR/scram-users.json    SCRAM user names added when the storage was formatted
    DIR/logs/               server.log and the JVM's stdout/stderr

With ``sasl_users`` the client listener is SASL_PLAINTEXT (SCRAM-SHA-256,
SCRAM-SHA-512 and PLAIN) instead of PLAINTEXT; the controller listener stays
PLAINTEXT on another port. SCRAM credentials live in the cluster metadata and
are added when the storage is formatted (first start of a data directory).

This module starts and stops the broker and waits until it serves requests.
The parts live next to it: ``ports`` (free and open ports), ``state`` (the
``broker.json`` pid file), ``datadir`` (config files, storage formatting).
The names callers import from here (``HOST``, ``free_port``, ``port_open``,
``read_state``, ``BrokerState``, ``start``, ``stop``) stay importable from here.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

from streams.devtools.broker.datadir import (
    SASL_LISTENER,
    check_sasl_users,
    format_storage,
    server_properties,
    write_config,
)
from streams.devtools.broker.fetch import fetch_jars
from streams.devtools.broker.ports import HOST as HOST
from streams.devtools.broker.ports import free_port as free_port
from streams.devtools.broker.ports import port_open as port_open
from streams.devtools.broker.state import BrokerState as BrokerState
from streams.devtools.broker.state import (
    clear_state,
    pid_alive,
    reap,
    write_state,
)
from streams.devtools.broker.state import read_state as read_state
from streams.errors import BrokerError

log = logging.getLogger(__name__)

# The names of these helpers before they moved to datadir (tests import them from here).
_check_sasl_users = check_sasl_users
_server_properties = server_properties


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        msg = "Java 17+ is required for the local Kafka broker but `java` is not on PATH"
        raise BrokerError(msg)
    return java


def _tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def start(
    data_dir: Path,
    *,
    port: int,
    cache_dir: Path,
    kafka_version: str,
    heap: str = "512m",
    timeout: float = 90.0,
    sasl_users: Mapping[str, str] | None = None,
) -> tuple[BrokerState, bool]:
    """Start a broker on ``data_dir`` in the background and wait until it serves requests.

    With ``sasl_users`` (name to password) the client listener is
    SASL_PLAINTEXT with SCRAM-SHA-256/512 and PLAIN; the SCRAM users are
    added when the storage is formatted, so a data directory first formatted
    without them is refused. Returns ``(state, started)``; ``started`` is
    False when a broker was already running on this data directory (it is
    left alone). Raises ``BrokerError`` when the port is taken, Java or Maven
    is missing, or the broker does not come up within ``timeout`` seconds
    (with its log tail).
    """
    data_dir = data_dir.resolve()
    running = read_state(data_dir)
    if running is not None:
        return running, False
    if port_open(port):
        msg = f"port {port} on {HOST} is already in use by another process; choose --port"
        raise BrokerError(msg)
    if sasl_users is not None:
        check_sasl_users(sasl_users)
    libs = fetch_jars(cache_dir, kafka_version)
    java = _java()
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    controller_port = free_port()
    config, log4j = write_config(data_dir, logs, port, controller_port, sasl_users)
    base = [java, f"-Dlog4j2.configurationFile={log4j}", "-cp", f"{libs}/*"]
    format_storage(data_dir, base, config, sasl_users)
    jvm = [f"-Xmx{heap}", "-Xms128m", "-XX:+UseG1GC", "-Djava.awt.headless=true"]
    out = (logs / "broker.out").open("ab")
    process = subprocess.Popen(  # noqa: S603
        [java, *jvm, *base[1:], "kafka.Kafka", str(config)],
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        cwd=data_dir,
    )
    out.close()
    state = BrokerState(
        process.pid, port, controller_port, str(data_dir), kafka_version, time.time()
    )
    write_state(data_dir, state)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            clear_state(data_dir)
            msg = (
                f"the broker exited with code {process.returncode} during start-up; "
                f"last lines of {logs / 'server.log'}:\n{_tail(logs / 'server.log')}"
                f"\n{_tail(logs / 'broker.out', 10)}"
            )
            raise BrokerError(msg)
        if port_open(port) and _serves_metadata(state.bootstrap, _probe_options(sasl_users)):
            return state, True
        time.sleep(0.3)
    stop(data_dir)
    msg = f"the broker did not start within {timeout:.0f}s; see {logs / 'server.log'}"
    raise BrokerError(msg)


def _probe_options(sasl_users: Mapping[str, str] | None) -> dict[str, str]:
    """Return kafka-python options logging in as the first SASL user (none without SASL)."""
    if not sasl_users:
        return {}
    name, password = next(iter(sasl_users.items()))
    return {
        "security_protocol": SASL_LISTENER,
        "sasl_mechanism": "SCRAM-SHA-256",
        "sasl_plain_username": name,
        "sasl_plain_password": password,
    }


def _serves_metadata(bootstrap: str, options: Mapping[str, str] | None = None) -> bool:
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap, request_timeout_ms=3000, **(options or {})
        )
    except (KafkaError, OSError):
        return False
    try:
        admin.list_topics()
        return True
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()


def stop(data_dir: Path, *, timeout: float = 30.0) -> BrokerState | None:
    """Stop the broker on ``data_dir`` (SIGTERM, then SIGKILL after ``timeout``).

    Returns the state of the broker that was stopped, or None if none was running.
    """
    data_dir = data_dir.resolve()
    state = read_state(data_dir)
    if state is None:
        clear_state(data_dir)
        return None
    try:
        os.kill(state.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and pid_alive(state.pid):
            reap(state.pid)
            time.sleep(0.2)
        if pid_alive(state.pid):
            log.warning("broker pid %d ignored SIGTERM for %.0fs; killing it", state.pid, timeout)
            os.kill(state.pid, signal.SIGKILL)
            time.sleep(0.2)
        reap(state.pid)
    except ProcessLookupError:
        pass
    clear_state(data_dir)
    return state
