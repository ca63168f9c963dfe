"""The two ClickHouse engines every storage test runs on: embedded chDB and a real server.

``storage(engine, directory)`` yields the settings update that points a test at
a fresh database on ``engine``: ``chdb`` keeps the default (embedded chDB under
``MTTR_VAR_DIR``), ``server`` starts a ClickHouse server of its own
(``mttr clickhouse``'s, streams/devtools/clickhouse/) in ``directory``, reached
over HTTP as the read-write user with a password, and stops it afterwards.
A server per test (about half a second to start) keeps tests as independent as
their chDB directories. ``as_reader(target)`` turns a server target into the
read-only user's (``mttr_reader``: Grafana, reports), so read paths are tested
with the rights they have in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from streams.devtools.broker.ports import free_port
from streams.devtools.clickhouse import server
from streams.devtools.clickhouse.config import READER, WRITER

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


def as_reader(target: dict[str, Any]) -> dict[str, Any]:
    """Return ``target`` as the read-only user (unchanged for chDB, which has no users)."""
    if "clickhouse_url" not in target:
        return target
    url = target["clickhouse_url"].get_secret_value()
    return {
        "clickhouse_url": SecretStr(url.replace(f"//{WRITER}@", f"//{READER}@", 1)),
        "clickhouse_password": SecretStr(READER_PASSWORD),
    }
