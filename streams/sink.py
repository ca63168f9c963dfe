"""ClickHouse writer for the audit trail: ``add`` buffers, ``write`` does I/O, ``flush`` both.

Only ``write`` touches ClickHouse. A failed write leaves the buffer intact so
the caller can retry the very same rows; inserts are idempotent (the table
deduplicates on ``event_id``), so a retry after a partial failure is safe.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from clickhouse_connect.driver.client import Client

from streams.decode import Decoded
from streams.errors import SinkError
from streams.rows import EVENT_COLUMNS, event_to_row, row_values

EVENTS_TABLE = "mttr.events"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class EventSink:
    """Buffers audit rows and inserts them into ``mttr.events`` in one batch."""

    def __init__(self, client: Client, clock: Callable[[], datetime] = _utc_now) -> None:
        self._client = client
        self._clock = clock
        self._buffer: list[list[Any]] = []

    def __len__(self) -> int:
        return len(self._buffer)

    def add(self, decoded: Decoded) -> None:
        """Buffer the row of one valid event (no I/O)."""
        self._buffer.append(row_values(event_to_row(decoded, self._clock())))

    def write(self, rows: list[list[Any]]) -> None:
        """Insert ``rows`` into ClickHouse; raises ``SinkError`` on any failure."""
        if not rows:
            return
        try:
            self._client.insert(EVENTS_TABLE, rows, column_names=list(EVENT_COLUMNS))
        except Exception as exc:  # clickhouse-connect raises many types
            msg = f"insert of {len(rows)} rows into {EVENTS_TABLE} failed: {exc}"
            raise SinkError(msg) from exc

    def flush(self) -> int:
        """Write the buffer; clear it only when the write succeeded. Returns rows written."""
        count = len(self._buffer)
        self.write(self._buffer)
        self._buffer = []
        return count
