"""ClickHouse writer: ``add`` buffers rows, ``write`` does the I/O, ``flush`` both.

Only ``write`` touches ClickHouse, through one ``PreparedInsert`` per sink
(``storage/insert.py``: the table is described once, not per insert). A
failed write leaves the buffer intact so the caller can retry the very same
rows; every table written here is a ReplacingMergeTree keyed on a
deterministic id, so a retry after a partial failure, or a redelivered
batch, never duplicates anything.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from clickhouse_connect.driver.client import Client

from streams.errors import SinkError
from streams.storage.insert import PreparedInsert


class TableSink:
    """Buffers rows (dicts) for one table and inserts them in one batch.

    Sinks sharing a client must share ``lock``: one clickhouse-connect client
    (and the chDB engine behind it) must not run two inserts at once, and
    ``write`` runs in a worker thread.
    """

    def __init__(
        self,
        client: Client,
        table: str,
        columns: Sequence[str],
        lock: threading.Lock | None = None,
        on_write: Callable[[str, float], None] | None = None,
    ) -> None:
        self._insert = PreparedInsert(client, table, columns)
        self._on_write = on_write
        self._lock = lock or threading.Lock()
        self.table = table
        self._columns = list(columns)
        self._buffer: list[list[Any]] = []

    def __len__(self) -> int:
        return len(self._buffer)

    def add(self, row: dict[str, Any]) -> None:
        """Buffer one row (no I/O); its keys must include every column."""
        self._buffer.append([row[column] for column in self._columns])

    def write(self, rows: list[list[Any]]) -> None:
        """Insert ``rows`` into ClickHouse; raises ``SinkError`` on any failure."""
        if not rows:
            return
        try:
            with self._lock:
                started = time.monotonic()
                self._insert(rows)
                if self._on_write is not None:
                    self._on_write(self.table, time.monotonic() - started)
        except Exception as exc:  # clickhouse-connect raises many types
            msg = f"insert of {len(rows)} rows into {self.table} failed: {exc}"
            raise SinkError(msg) from exc

    def flush(self) -> int:
        """Write the buffer; clear it only when the write succeeded. Returns rows written."""
        count = len(self._buffer)
        self.write(self._buffer)
        self._buffer = []
        return count
