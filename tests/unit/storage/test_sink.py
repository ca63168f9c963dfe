"""TableSink and PreparedInsert: one prepared insert per table, the sink's contract kept.

A sink describes its table once (one insert context) and reuses it for every
batch; a failed insert keeps the buffer for the retry of the very same rows,
raises ``SinkError`` naming the table and the row count, and makes the retry
describe the table again. Inserts run under the shared lock and carry
``INSERT_SETTINGS`` (synchronous inserts). Both engines:
tests/integration/test_sink_engines.py.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from streams.errors import SinkError
from streams.storage.insert import INSERT_SETTINGS
from streams.storage.sink import TableSink
from tests.support.recording_client import RecordedContext, RecordingClient

COLUMNS = ("id", "n")


def sink_of(client: RecordingClient, **kwargs: Any) -> TableSink:
    return TableSink(client, "mttr.t", COLUMNS, **kwargs)  # type: ignore[arg-type]


def test_the_table_is_described_once_for_every_batch() -> None:
    client = RecordingClient()
    sink = sink_of(client)
    for batch in range(3):
        sink.add({"id": f"a{batch}", "n": batch})
        sink.add({"n": -batch, "id": f"b{batch}"})
        assert sink.flush() == 2
    assert [(c.table, c.column_names, c.settings) for c in client.contexts] == [
        ("mttr.t", list(COLUMNS), INSERT_SETTINGS)
    ]
    assert client.inserts == [
        ("mttr.t", [[f"a{b}", b], [f"b{b}", -b]], list(COLUMNS)) for b in range(3)
    ]
    assert len(sink) == 0


def test_inserts_are_synchronous() -> None:
    assert INSERT_SETTINGS == {"async_insert": 0}


def test_a_failed_insert_keeps_the_rows_and_the_retry_describes_the_table_again() -> None:
    client = RecordingClient()
    sink = sink_of(client)
    sink.add({"id": "a", "n": 1})
    sink.flush()
    sink.add({"id": "b", "n": 2})
    sink.add({"id": "c", "n": 3})
    client.fail_next = 2
    for _ in range(2):
        with pytest.raises(SinkError, match=r"^insert of 2 rows into mttr.t failed: Code: 243"):
            sink.flush()
        assert len(sink) == 2
    assert sink.flush() == 2
    assert client.inserts[1:] == [("mttr.t", [["b", 2], ["c", 3]], list(COLUMNS))]
    assert len(client.contexts) == 3  # the first, then a new one for each attempt after a failure
    sink.add({"id": "d", "n": 4})
    sink.flush()
    assert len(client.contexts) == 3  # the one that worked is kept


class DescribeFails(RecordingClient):
    """The table cannot be described (ClickHouse down, table missing) ``describe_fails`` times."""

    describe_fails = 1

    def create_insert_context(
        self, table: str, column_names: list[str], *, settings: dict[str, Any] | None = None
    ) -> RecordedContext:
        if self.describe_fails > 0:
            self.describe_fails -= 1
            msg = "Code: 60. DB::Exception: Unknown table expression identifier 'mttr.t'"
            raise RuntimeError(msg)
        return super().create_insert_context(table, column_names, settings=settings)


def test_a_failed_describe_is_a_sink_error_and_keeps_the_rows() -> None:
    client = DescribeFails()
    sink = sink_of(client)
    sink.add({"id": "a", "n": 1})
    with pytest.raises(SinkError, match=r"^insert of 1 rows into mttr.t failed: .*Unknown table"):
        sink.flush()
    assert len(sink) == 1 and client.inserts == []
    assert sink.flush() == 1
    assert client.inserts == [("mttr.t", [["a", 1]], list(COLUMNS))]


class LockWatcher(RecordingClient):
    """Records whether ``lock`` was held while the table was described and each insert ran."""

    lock = threading.Lock()
    held: list[bool]

    def create_insert_context(
        self, table: str, column_names: list[str], *, settings: dict[str, Any] | None = None
    ) -> RecordedContext:
        self.held.append(self.lock.locked())
        return super().create_insert_context(table, column_names, settings=settings)

    def data_insert(self, context: RecordedContext) -> None:
        self.held.append(self.lock.locked())
        super().data_insert(context)


def test_describe_and_insert_run_under_the_shared_lock() -> None:
    client = LockWatcher()
    client.held = []
    written: list[tuple[str, float]] = []
    sink = sink_of(client, lock=client.lock, on_write=lambda t, s: written.append((t, s)))
    sink.write([["a", 1]])
    sink.write([["b", 2]])
    assert client.held == [True, True, True]
    assert not client.lock.locked()
    assert [table for table, _ in written] == ["mttr.t", "mttr.t"]
    assert all(seconds >= 0 for _, seconds in written)


def test_an_empty_write_touches_nothing() -> None:
    client = RecordingClient()
    sink = sink_of(client)
    sink.write([])
    assert sink.flush() == 0
    assert client.contexts == [] and client.inserts == []
