"""The pid file ``DIR/broker.json``: which broker runs on a data directory, and its process.

``write_state`` records a started broker, ``read_state`` answers only while
that process is alive (a recycled pid that is not a Kafka broker does not
count), ``clear_state`` removes the file once the broker is gone.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from streams.devtools.broker.ports import HOST

STATE_FILE = "broker.json"


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


def pid_alive(pid: int) -> bool:
    """Return True while ``pid`` runs and, where ``/proc`` tells, is a Kafka broker."""
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
    return state if pid_alive(state.pid) else None


def write_state(data_dir: Path, state: BrokerState) -> None:
    """Record ``state`` as the broker running on ``data_dir``."""
    (data_dir / STATE_FILE).write_text(json.dumps(asdict(state)), encoding="utf-8")


def clear_state(data_dir: Path) -> None:
    """Remove the pid file of ``data_dir`` (no error when there is none)."""
    (data_dir / STATE_FILE).unlink(missing_ok=True)


def reap(pid: int) -> None:
    """Collect the exit status when the broker is our own child (avoids a zombie)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
