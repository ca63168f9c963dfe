"""StagedTable: reads see the batch's writes; each key is written once, from its last event."""

from __future__ import annotations

import weakref
from typing import Any

import pytest
from faust.streams import _current_event

from streams.worker.staged_table import StagedTable


class Event:
    def __init__(self, partition: int) -> None:
        self.partition = partition
        self.message = self  # a Faust event's message has the partition


class RecordingTable(dict[str, Any]):
    """Records, per write, the partition of Faust's current event (the changelog partition)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.writes: list[tuple[str, Any, int | None]] = []

    def __setitem__(self, key: str, value: Any) -> None:
        ref = _current_event.get(None)
        event = ref() if ref is not None else None
        self.writes.append((key, value, event.partition if event is not None else None))
        super().__setitem__(key, value)


def write_as(staged: StagedTable, event: Event, key: str, value: Any) -> None:
    token = _current_event.set(weakref.ref(event))
    try:
        staged[key] = value
    finally:
        _current_event.reset(token)


def test_reads_see_staged_writes_and_the_table_is_untouched_until_write_through() -> None:
    table = RecordingTable({"a": 1, "b": 2})
    staged = StagedTable(table)
    events = [Event(0), Event(0), Event(3)]
    write_as(staged, events[0], "a", 10)
    write_as(staged, events[1], "a", 11)
    write_as(staged, events[2], "c", 30)
    assert staged["a"] == 11 and staged.get("b") == 2 and staged["c"] == 30
    assert staged.get("missing") is None
    assert dict(staged.items()) == {"a": 11, "b": 2, "c": 30}
    assert sorted(staged) == ["a", "b", "c"] and len(staged) == 3 and "c" in staged
    assert table.writes == [] and dict(table) == {"a": 1, "b": 2}
    assert staged.write_through() == 2
    assert table.writes == [("a", 11, 0), ("c", 30, 3)]  # once per key, from its last event
    assert dict(table) == {"a": 11, "b": 2, "c": 30}
    assert _current_event.get(None) is None  # restored
    assert staged.write_through() == 0


def test_the_last_writer_decides_the_partition() -> None:
    table = RecordingTable()
    staged = StagedTable(table)
    write_as(staged, Event(1), "k", "first")
    write_as(staged, Event(2), "k", "second")
    staged.write_through()
    assert table.writes == [("k", "second", 2)]


def test_deleting_is_refused() -> None:
    staged = StagedTable(RecordingTable({"a": 1}))
    with pytest.raises(NotImplementedError):
        del staged["a"]


def test_only_owned_partitions_are_written_and_the_rest_is_dropped() -> None:
    table = RecordingTable()
    staged = StagedTable(table)
    write_as(staged, Event(0), "a", 1)
    write_as(staged, Event(1), "b", 2)
    write_as(staged, Event(2), "c", 3)
    assert staged.drop_partitions({2}) == 1
    assert staged.write_through(lambda partition: partition == 0) == 1
    assert table.writes == [("a", 1, 0)]
    assert staged.staged == 0 and "b" not in staged  # not owned: never written, forgotten
