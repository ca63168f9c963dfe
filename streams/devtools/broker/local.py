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
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from streams.devtools.broker.fetch import fetch_jars
from streams.errors import BrokerError

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
STATE_FILE = "broker.json"
SCRAM_FILE = "scram-users.json"
SASL_LISTENER = "SASL_PLAINTEXT"
SCRAM_MECHANISMS = ("SCRAM-SHA-256", "SCRAM-SHA-512")
# Names and passwords go into JAAS and --add-scram syntax unquoted: keep them plain.
_SAFE = re.compile(r"[A-Za-z0-9._~!@#$%^&*()+-]+")
LOG4J2 = """\
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = {logs}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = org.apache.kafka
logger.kafka.level = info
logger.request.name = kafka.request.logger
logger.request.level = warn
"""


@dataclass(frozen=True)
class BrokerState:
    """What ``broker.json`` records about a started broker."""

    pid: int
    port: int
    controller_port: int
    data_dir: str
    kafka_version: str
    started_at: float

    @property
    def bootstrap(self) -> str:
        """Return the client bootstrap address."""
        return f"{HOST}:{self.port}"


_HANDED_OUT: set[int] = set()


def _ephemeral_low() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now.

    The port is taken below the kernel's ephemeral range, so that an outgoing
    connection of any process cannot be given it between this call and the
    server binding it (asking the kernel for port 0 returns an ephemeral port,
    which is exactly that race), and it is never handed out twice by this
    process.
    """
    low = _ephemeral_low()
    pid_offset = os.getpid() * 7919  # different processes start at different places
    for attempt in range(2000):
        port = 20000 + (pid_offset + attempt * 97) % max(low - 20000, 1)
        if port in _HANDED_OUT:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:  # crowded: any port
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_open(port: int, timeout: float = 0.5) -> bool:
    """Return True when something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():  # guard against a recycled pid
        try:
            return b"kafka.Kafka" in cmdline.read_bytes()
        except OSError:
            return False
    return True


def read_state(data_dir: Path) -> BrokerState | None:
    """Return the state of the broker running on ``data_dir``, or None if none runs."""
    path = data_dir / STATE_FILE
    if not path.is_file():
        return None
    try:
        state = BrokerState(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        return None
    return state if _pid_alive(state.pid) else None


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        msg = "Java 17+ is required for the local Kafka broker but `java` is not on PATH"
        raise BrokerError(msg)
    return java


def _check_sasl_users(users: Mapping[str, str]) -> None:
    if not users:
        msg = "sasl_users must name at least one user"
        raise BrokerError(msg)
    for name, password in users.items():
        if not _SAFE.fullmatch(name):
            msg = f"SASL user name {name!r} may only use letters, digits and ._~!@#$%^&*()+-"
            raise BrokerError(msg)
        if not _SAFE.fullmatch(password):
            msg = (
                f"the password of SASL user {name!r} may only use letters, digits and "
                "._~!@#$%^&*()+- (value not shown)"
            )
            raise BrokerError(msg)


def _sasl_properties(users: Mapping[str, str]) -> list[str]:
    """Return the SASL lines: SCRAM and PLAIN on the client listener, first user inter-broker."""
    name, password = next(iter(users.items()))
    login = f'username="{name}" password="{password}"'
    prefix = f"listener.name.{SASL_LISTENER.lower()}"
    scram = "org.apache.kafka.common.security.scram.ScramLoginModule"
    plain_users = " ".join(f'user_{user}="{secret}"' for user, secret in users.items())
    return [
        f"sasl.enabled.mechanisms={','.join(SCRAM_MECHANISMS)},PLAIN",
        "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-256",
        *(
            f"{prefix}.{mechanism.lower()}.sasl.jaas.config={scram} required {login};"
            for mechanism in SCRAM_MECHANISMS
        ),
        f"{prefix}.plain.sasl.jaas.config="
        f"org.apache.kafka.common.security.plain.PlainLoginModule required {login} {plain_users};",
    ]


def _server_properties(
    data_dir: Path, port: int, controller_port: int, sasl_users: Mapping[str, str] | None = None
) -> str:
    client = SASL_LISTENER if sasl_users else "PLAINTEXT"
    return "\n".join(
        [
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.voters=1@{HOST}:{controller_port}",
            f"listeners={client}://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}",
            f"advertised.listeners={client}://{HOST}:{port}",
            "controller.listener.names=CONTROLLER",
            f"listener.security.protocol.map={client}:{client},CONTROLLER:PLAINTEXT",
            f"inter.broker.listener.name={client}",
            *(_sasl_properties(sasl_users) if sasl_users else []),
            f"log.dirs={data_dir / 'data'}",
            "num.partitions=4",
            "auto.create.topics.enable=true",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=8",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "log.retention.hours=-1",
            "message.max.bytes=16777216",
            "",
        ]
    )


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
        _check_sasl_users(sasl_users)
    libs = fetch_jars(cache_dir, kafka_version)
    java = _java()
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    controller_port = free_port()
    config = data_dir / "server.properties"
    config.touch(mode=0o600)  # holds the SASL passwords when sasl_users is given
    config.chmod(0o600)
    config.write_text(
        _server_properties(data_dir, port, controller_port, sasl_users), encoding="utf-8"
    )
    log4j = data_dir / "log4j2.properties"
    log4j.write_text(LOG4J2.format(logs=logs), encoding="utf-8")
    base = [java, f"-Dlog4j2.configurationFile={log4j}", "-cp", f"{libs}/*"]
    scram_file = data_dir / SCRAM_FILE
    if (data_dir / "data" / "meta.properties").exists():
        formatted = json.loads(scram_file.read_text("utf-8")) if scram_file.exists() else []
        absent = sorted(set(sasl_users or {}) - set(formatted))
        if absent:
            msg = (
                f"{data_dir} was formatted without SCRAM users {absent}; "
                "start with a new data directory"
            )
            raise BrokerError(msg)
    else:
        scram = [
            arg
            for name, password in (sasl_users or {}).items()
            for mechanism in SCRAM_MECHANISMS
            for arg in ("--add-scram", f"{mechanism}=[name={name},password={password}]")
        ]
        fmt = subprocess.run(  # noqa: S603
            [
                *base,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                str(uuid.uuid4()),
                "-c",
                str(config),
                *scram,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if fmt.returncode != 0:
            output = (fmt.stdout + fmt.stderr)[-2000:]
            for password in (sasl_users or {}).values():
                output = output.replace(password, "***")
            msg = f"formatting {data_dir / 'data'} failed:\n{output}"
            raise BrokerError(msg)
        scram_file.write_text(json.dumps(sorted(sasl_users or {})), encoding="utf-8")
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
    (data_dir / STATE_FILE).write_text(json.dumps(asdict(state)), encoding="utf-8")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            (data_dir / STATE_FILE).unlink(missing_ok=True)
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
        (data_dir / STATE_FILE).unlink(missing_ok=True)
        return None
    try:
        os.kill(state.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _pid_alive(state.pid):
            _reap(state.pid)
            time.sleep(0.2)
        if _pid_alive(state.pid):
            log.warning("broker pid %d ignored SIGTERM for %.0fs; killing it", state.pid, timeout)
            os.kill(state.pid, signal.SIGKILL)
            time.sleep(0.2)
        _reap(state.pid)
    except ProcessLookupError:
        pass
    (data_dir / STATE_FILE).unlink(missing_ok=True)
    return state


def _reap(pid: int) -> None:
    """Collect the exit status when the broker is our own child (avoids a zombie)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
