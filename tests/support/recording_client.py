"""A stand-in for the clickhouse-connect client in unit tests: records inserts, runs nothing.

The sinks insert through prepared insert contexts (``create_insert_context``
once, then ``data_insert`` per batch, ``streams/storage/insert.py``). Any
other call (``command``, ``query``, ``raw_query``, a plain ``insert``) fails
the test, so values can only reach ClickHouse as bound column data.
``fail_next`` makes that many inserts raise, as a failing ClickHouse would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RecordedContext:
    """What ``create_insert_context`` was given; ``data`` is set before each insert."""

    table: str
    column_names: list[str]
    settings: dict[str, Any] | None
    data: Any = None


@dataclass
class RecordingClient:
    """Records ``(table, rows, column names)`` per insert and every context it made."""

    inserts: list[tuple[str, list[list[Any]], list[str]]] = field(default_factory=list)
    contexts: list[RecordedContext] = field(default_factory=list)
    fail_next: int = 0

    def create_insert_context(
        self, table: str, column_names: list[str], *, settings: dict[str, Any] | None = None
    ) -> RecordedContext:
        """Return a new context (a real client runs ``DESCRIBE TABLE`` here)."""
        context = RecordedContext(table, list(column_names), settings)
        self.contexts.append(context)
        return context

    def data_insert(self, context: RecordedContext) -> None:
        """Record the context's rows, or raise while ``fail_next`` is positive."""
        rows, context.data = context.data, None  # the real client clears it too
        if self.fail_next > 0:
            self.fail_next -= 1
            msg = "Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space"
            raise RuntimeError(msg)
        self.inserts.append((context.table, [list(row) for row in rows], context.column_names))

    def __getattr__(self, name: str) -> Any:
        msg = f"the sink called client.{name}(): only prepared inserts of bound data are expected"
        raise AssertionError(msg)
