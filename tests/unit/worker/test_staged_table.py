"""StagedTable: reads see the batch's writes; each key is written once, from its last event."""

from __future__ import annotations

import weakref
from typing import Any

import orjson
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


class ChangelogTable(RecordingTable):
    """A table that also records deletes, in order, as a changelog would (value None)."""

    def __delitem__(self, key: str) -> None:
        self.writes.append((key, None, None))
        super().__delitem__(key)


def big_state(members: int) -> dict[str, Any]:
    return {
        "members": [{"event_id": f"e-{n:05d}", "at": n, "name": "Probé"} for n in range(members)],
        "watermark": members,
        "seen": {f"e-{n:05d}": n for n in range(members)},
        "emitted": {},
    }


def restore(writes: list[tuple[str, Any, int | None]]) -> dict[str, Any]:
    """Return the table a worker restores from ``writes`` (a changelog, tombstones included)."""
    table: dict[str, Any] = {}
    for key, value, _ in writes:
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value
    return table


KEY = '["storm","production"]'


def test_a_state_larger_than_a_message_is_written_as_parts_and_read_back_whole() -> None:
    table = ChangelogTable()
    staged = StagedTable(table, part_bytes=4096)
    state = big_state(500)
    write_as(staged, Event(2), KEY, state)
    staged.write_through()
    head = table[KEY]
    assert set(head) == {"parts", "bytes"} and len(head["parts"]) > 5
    assert all(partition == 2 for _, _, partition in table.writes)  # one changelog partition
    assert table.writes[-1][0] == KEY  # the head after its parts
    parts = [key for key in table if key != KEY]
    assert all(len(orjson.dumps(table[key])) <= 2 * 4096 for key in parts)
    assert list(staged) == [KEY] and len(staged) == 1  # no part key shows
    assert StagedTable(table, part_bytes=4096)[KEY] == state  # as a restarted worker reads it
    assert dict(StagedTable(table, part_bytes=4096).items()) == {KEY: state}


def test_appending_a_member_writes_only_the_parts_that_changed() -> None:
    table = ChangelogTable()
    staged = StagedTable(table, part_bytes=4096)
    state = big_state(500)
    write_as(staged, Event(0), KEY, state)
    staged.write_through()
    first = len(table.writes)
    grown = dict(staged[KEY])
    grown["members"] = [*grown["members"], {"event_id": "e-new", "at": 501, "name": "x"}]
    grown["seen"] = {**grown["seen"], "e-new": 501}
    write_as(staged, Event(0), KEY, grown)
    staged.write_through()
    again = table.writes[first:]
    written = [key for key, value, _ in again if value is not None and key != KEY]
    deleted = [key for key, value, _ in again if value is None]
    assert 1 <= len(written) <= 4 and len(deleted) <= len(written)  # the tails of two fields
    assert len(table[KEY]["parts"]) >= 10
    assert StagedTable(table, part_bytes=4096)[KEY] == grown
    assert len(table) == len(set(table[KEY]["parts"])) + 1  # nothing left behind


def test_a_state_that_shrinks_back_is_written_whole_and_its_parts_deleted() -> None:
    table = ChangelogTable()
    staged = StagedTable(table, part_bytes=4096)
    write_as(staged, Event(0), KEY, big_state(500))
    staged.write_through()
    write_as(staged, Event(0), KEY, big_state(3))
    staged.write_through()
    assert dict(table) == {KEY: big_state(3)}


def test_a_worker_stopped_between_any_two_writes_restores_the_old_or_the_new_state() -> None:
    table = ChangelogTable()
    staged = StagedTable(table, part_bytes=4096)
    old = big_state(400)
    write_as(staged, Event(0), KEY, old)
    staged.write_through()
    before = list(table.writes)
    new = big_state(450)
    new["members"] = new["members"][1:]  # a change at the start and growth at the end
    write_as(staged, Event(0), KEY, new)
    staged.write_through()
    after = table.writes[len(before) :]
    assert len(after) > 3
    for cut in range(len(after) + 1):
        restored = restore(before + after[:cut])
        assert StagedTable(restored, part_bytes=4096)[KEY] in (old, new), cut


def test_a_missing_part_is_an_error_never_an_empty_key() -> None:
    table = ChangelogTable()
    staged = StagedTable(table, part_bytes=4096)
    write_as(staged, Event(0), KEY, big_state(500))
    staged.write_through()
    restored = dict(table)
    del restored[next(key for key in restored if key != KEY)]
    with pytest.raises(RuntimeError, match="missing its part"):
        StagedTable(restored, part_bytes=4096).get(KEY)
