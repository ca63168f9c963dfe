"""A Kafka broker of one test's own, which the test may stop, kill and restart.

The session broker (tests/conftest.py) is shared by every test, so fault
tests that take the broker down start their own: same jars and tooling as
``mttr kafka start``, its own data directory, and a fixed port so clients
reconnect to the same address after a restart.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from streams.devtools.broker import local
from streams.settings import Settings


class PrivateBroker:
    """One single-node broker on ``data_dir``; ``port`` stays the same across restarts."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = local.free_port()
        self._base = Settings()

    @property
    def bootstrap(self) -> str:
        return f"{local.HOST}:{self.port}"

    def start(self) -> float:
        """Start (or restart) the broker; returns the seconds it took to serve requests."""
        started = time.monotonic()
        local.start(
            self.data_dir,
            port=self.port,
            cache_dir=self._base.resolved_kafka_cache_dir(),
            kafka_version=self._base.kafka_version,
            heap="384m",
        )
        return time.monotonic() - started

    def stop(self) -> None:
        """Stop the broker cleanly (SIGTERM; it flushes and leaves its log consistent)."""
        local.stop(self.data_dir)

    def kill(self) -> int:
        """SIGKILL the broker, as a crashed host would; returns the pid it killed."""
        state = local.read_state(self.data_dir)
        assert state is not None, "the broker is not running"
        os.kill(state.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while local.port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.1)
        local.stop(self.data_dir)  # reaps the process and forgets its state file
        return state.pid


@contextmanager
def private_broker(data_dir: Path) -> Iterator[PrivateBroker]:
    """Start a broker on ``data_dir``; always stop it when the block ends."""
    broker = PrivateBroker(data_dir)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()
