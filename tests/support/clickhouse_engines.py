"""The two ClickHouse engines every storage test runs on: embedded chDB and a real server.

``storage(engine, directory)`` yields the settings update that points a test at
a fresh database on ``engine``: ``chdb`` keeps the default (embedded chDB under
``MTTR_VAR_DIR``), ``server`` starts a ClickHouse server of its own
(``mttr clickhouse``'s, streams/devtools/clickhouse/) in ``directory``, reached
over HTTP as the read-write user with a password, and stops it afterwards.
A server per test (about half a second to start) keeps tests as independent as
their chDB directories.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from streams.devtools.broker.ports import free_port
from streams.devtools.clickhouse import server

ENGINES = ("chdb", "server")
WRITER_PASSWORD = "writer-test-password"  # noqa: S105
READER_PASSWORD = "reader-test-password"  # noqa: S105


@contextmanager
def running_server(directory: Path) -> Iterator[server.ServerState]:
    """Run a ClickHouse server in ``directory`` for the duration of the block."""
    state, _ = server.start(
        directory,
        http_port=free_port(),
        tcp_port=free_port(),
        writer_password=WRITER_PASSWORD,
        reader_password=READER_PASSWORD,
    )
    try:
        yield state
    finally:
        server.stop(directory)


@contextmanager
def storage(engine: str, directory: Path) -> Iterator[dict[str, Any]]:
    """Yield the ``Settings`` fields that target a fresh database on ``engine``."""
    if engine == "chdb":
        yield {}
        return
    if engine != "server":
        msg = f"unknown engine {engine!r}: expected one of {ENGINES}"
        raise ValueError(msg)
    with running_server(directory / "clickhouse-server") as state:
        yield {
            "clickhouse_url": SecretStr(state.url),
            "clickhouse_password": SecretStr(WRITER_PASSWORD),
        }
