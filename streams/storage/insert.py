"""One table's inserts, prepared once: clickhouse-connect's insert context, reused per batch.

``client.insert(table, rows, column_names=...)`` builds a new insert context
for every call, and building one runs ``DESCRIBE TABLE`` to learn the column
types: one extra query per insert (on chDB 1 to 4 ms of CPU, on a server a
round trip and about 40% of the client's CPU). ``PreparedInsert`` builds the
context on its first insert and then only swaps the data in
(``bench/inserts.py`` measures both; docs/architecture.md, "Inserts").
The worker migrates before it starts, so the columns do not change under a
running worker; if an insert fails anyway (a server restarted, a table
altered or dropped), the context is discarded and the next insert, the
sink's retry, describes the table again.

Every insert carries ``INSERT_SETTINGS``: ``async_insert = 0``, so the
insert has written its part when it returns, whatever the server's profile
says (ClickHouse 26.9, and chDB, default to ``async_insert = 1``; a profile
with ``wait_for_async_insert = 0`` would acknowledge rows still in memory).
The worker commits Kafka offsets only after the insert returned, so that
must mean stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.insert import InsertContext

INSERT_SETTINGS: dict[str, Any] = {"async_insert": 0}
"""Settings of every worker insert: synchronous, stored on return (see the module docstring)."""


class PreparedInsert:
    """Inserts rows into one table through one reused insert context.

    Not thread-safe: the caller serialises inserts on the client (``TableSink``'s lock).
    """

    def __init__(
        self,
        client: Client,
        table: str,
        columns: Sequence[str],
        settings: dict[str, Any] | None = None,
    ) -> None:
        self._client = client
        self.table = table
        self._columns = list(columns)
        self._settings = dict(INSERT_SETTINGS if settings is None else settings)
        self._context: InsertContext | None = None

    def __call__(self, rows: list[list[Any]]) -> None:
        """Insert ``rows`` (values in column order); raises what clickhouse-connect raises.

        The first call, and the first after a failure, describes the table.
        ``rows`` is only read.
        """
        context, self._context = self._context, None  # kept only once an insert succeeded
        if context is None:
            context = self._client.create_insert_context(
                self.table, self._columns, settings=self._settings
            )
        context.data = rows
        self._client.data_insert(context)  # clears context.data, also on failure
        self._context = context
