"""A broker's data directory before launch: its config files, its formatted storage.

``write_config`` writes ``DIR/server.properties`` (owner-only: it holds the
SASL passwords when there are SASL users) and ``DIR/log4j2.properties`` on
every start. ``format_storage`` formats ``DIR/data`` once, adding the SCRAM
users to the cluster metadata, and records their names in
``DIR/scram-users.json``; a later start asking for users the storage was not
formatted with is refused.
"""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from streams.devtools.broker.ports import HOST
from streams.errors import BrokerError

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


def check_sasl_users(users: Mapping[str, str]) -> None:
    """Refuse an empty user list, and names or passwords outside the plain character set.

    Raises:
        BrokerError: The message names the user, never the password.
    """
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


def server_properties(
    data_dir: Path, port: int, controller_port: int, sasl_users: Mapping[str, str] | None = None
) -> str:
    """Return ``server.properties`` of a single-node KRaft broker (broker and controller).

    The client listener is SASL_PLAINTEXT with ``sasl_users``, else PLAINTEXT;
    the controller listener is PLAINTEXT on ``controller_port``.
    """
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


def write_config(
    data_dir: Path,
    logs: Path,
    port: int,
    controller_port: int,
    sasl_users: Mapping[str, str] | None,
) -> tuple[Path, Path]:
    """Write ``server.properties`` (mode 0600) and ``log4j2.properties`` (logging into ``logs``).

    Returns:
        The paths of both files, in that order.
    """
    config = data_dir / "server.properties"
    config.touch(mode=0o600)  # holds the SASL passwords when sasl_users is given
    config.chmod(0o600)
    config.write_text(
        server_properties(data_dir, port, controller_port, sasl_users), encoding="utf-8"
    )
    log4j = data_dir / "log4j2.properties"
    log4j.write_text(LOG4J2.format(logs=logs), encoding="utf-8")
    return config, log4j


def format_storage(
    data_dir: Path, java: Sequence[str], config: Path, sasl_users: Mapping[str, str] | None
) -> None:
    """Format ``DIR/data`` with the SCRAM users unless done before; then check the users.

    Args:
        data_dir: The broker's data directory.
        java: The Java command up to the main class (JVM, logging, class path).
        config: The ``server.properties`` just written.
        sasl_users: SCRAM users (name to password) to add when formatting.

    Raises:
        BrokerError: Formatting failed (the tool's output, passwords masked), or
            the storage was formatted without some of ``sasl_users``.
    """
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
        return
    scram = [
        arg
        for name, password in (sasl_users or {}).items()
        for mechanism in SCRAM_MECHANISMS
        for arg in ("--add-scram", f"{mechanism}=[name={name},password={password}]")
    ]
    fmt = subprocess.run(  # noqa: S603
        [
            *java,
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
