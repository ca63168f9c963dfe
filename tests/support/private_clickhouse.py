"""A ClickHouse server of one test's own, which the test may kill and restart.

``running_server`` (tests/support/clickhouse_engines.py) gives a test a server
for its whole duration; fault tests that take the server down use this one
instead: the same server (``mttr clickhouse``'s, streams/devtools/clickhouse/),
the same users and passwords, fixed ports and one data directory, so clients
reach the restarted server at the same address and find the same databases.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from streams.devtools.broker.ports import HOST, free_port, port_open
from streams.devtools.clickhouse import server
from streams.devtools.clickhouse.config import WRITER
from tests.support.clickhouse_engines import READER_PASSWORD, WRITER_PASSWORD


class PrivateClickHouse:
    """One server on ``directory``; its ports stay the same across restarts."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.http_port = free_port()
        self.tcp_port = free_port()

    @property
    def target(self) -> dict[str, Any]:
        """The ``Settings`` fields that point a worker at this server (as the writer)."""
        url = f"http://{WRITER}@{HOST}:{self.http_port}/"
        return {"clickhouse_url": SecretStr(url), "clickhouse_password": SecretStr(WRITER_PASSWORD)}

    def pid(self) -> int | None:
        """Return the server's pid, or None while it is down."""
        state = server.read_state(self.directory)
        return None if state is None else state.pid

    def start(self) -> float:
        """Start (or restart) the server; returns the seconds until it answered ``/ping``."""
        started = time.monotonic()
        server.start(
            self.directory,
            http_port=self.http_port,
            tcp_port=self.tcp_port,
            writer_password=WRITER_PASSWORD,
            reader_password=READER_PASSWORD,
            timeout=120,
        )
        return time.monotonic() - started

    def kill(self) -> int:
        """SIGKILL the server, as a crashed host would; returns the pid it killed.

        Returns once its HTTP port is closed; the state file is removed so
        that ``start`` runs a new server on the same data directory.
        """
        pid = self.pid()
        assert pid is not None, "the ClickHouse server is not running"
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while port_open(self.http_port) and time.monotonic() < deadline:
            time.sleep(0.05)
        server.stop(self.directory)  # reaps the process and forgets its state file
        return pid

    def stop(self) -> None:
        """Stop the server cleanly (SIGTERM), if it runs."""
        server.stop(self.directory)


@contextmanager
def private_clickhouse(directory: Path) -> Iterator[PrivateClickHouse]:
    """Start a server on ``directory``; always stop it when the block ends."""
    clickhouse = PrivateClickHouse(directory)
    clickhouse.start()
    try:
        yield clickhouse
    finally:
        clickhouse.stop()
