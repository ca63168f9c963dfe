"""Stage the state table's writes and write each key once, just before offsets are committed.

Every write to a Faust table is a changelog message, and at about 2 KiB of
JSON per key state those messages were a large part of the worker's CPU
(bench/profile). Writing a key after each event sent one message per event;
writing it once per batch still sent one per key and batch. ``StagedTable``
is the worker's one view of the ``incident-state`` table: reads see the
staged values, and ``write_through`` writes each changed key once, with
Faust's current event set to the event that last changed it, so the
changelog partition is the one the per-event write would have used.

``write_through`` runs right before every offset commit
(``streams.worker.state_flush``, through ``faust_compat.Consumer``): Faust
flushes its producer before committing, so an offset is never committed
before the state of the events up to it is in the changelog. A key's state
may be written ahead of the commit (a restarted worker then reads those
events again as duplicates, which change nothing). Staged keys of partitions
this worker no longer owns are dropped, never written.

A state too large for one changelog message is written as parts
(``streams.worker.state_parts``): only the parts that changed since the
key's last head, then the new head, then deletes of the parts it dropped.
Reads put the parts together again (once: the assembled state is kept while
the head stays the same); iteration never shows part keys.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, MutableMapping
from typing import Any

from streams.worker.faust_compat import as_current_event, current_event
from streams.worker.state_parts import PART_BYTES, is_head, is_part_key, join, part_key, split


def _partition(event: Any) -> int | None:
    return getattr(getattr(event, "message", None), "partition", None)


class StagedTable(MutableMapping[str, Any]):
    """A write-back view of ``table``, shared by the agents that change it."""

    def __init__(self, table: MutableMapping[str, Any], part_bytes: int = PART_BYTES) -> None:
        self._table = table
        self._part_bytes = part_bytes
        self._staged: dict[str, tuple[Any, Any]] = {}  # key -> (value, event that wrote it)
        # key -> (digests of its head, the state they hold), for states stored as parts
        self._assembled: dict[str, tuple[tuple[str, ...], Any]] = {}

    def __getitem__(self, key: str) -> Any:
        if key in self._staged:
            return self._staged[key][0]
        return self._read(key, self._table[key])

    def _read(self, key: str, value: Any) -> Any:
        """Return the state ``value`` (as stored under ``key``) stands for."""
        if not is_head(value):
            self._assembled.pop(key, None)
            return value
        digests = tuple(value["parts"])
        known = self._assembled.get(key)
        if known is not None and known[0] == digests:
            return known[1]
        try:
            parts = [self._table[part_key(key, digest)] for digest in digests]
        except KeyError as exc:  # never read as "no state": that would start the key afresh
            msg = f"state of {key} is missing its part {exc}"
            raise RuntimeError(msg) from None
        state = join(value, parts)
        self._assembled[key] = (digests, state)
        return state

    def _write(self, key: str, value: Any) -> None:
        """Write ``key``'s state: whole, or the parts it does not have yet and its head."""
        known = self._assembled.pop(key, None)
        old = set(known[0]) if known is not None else set()
        stored = split(value, self._part_bytes)
        if stored is None:
            self._table[key] = value
            new: set[str] = set()
        else:
            head, parts = stored
            for digest, text in parts.items():
                if digest not in old:
                    self._table[part_key(key, digest)] = text
            self._table[key] = head
            self._assembled[key] = (tuple(head["parts"]), value)
            new = set(parts)
        for digest in old - new:  # after the head that no longer needs them
            part = part_key(key, digest)
            if part in self._table:
                del self._table[part]

    def __setitem__(self, key: str, value: Any) -> None:
        self._staged[key] = (value, current_event())

    def __delitem__(self, key: str) -> None:
        msg = "a correlation step never deletes a key"
        raise NotImplementedError(msg)

    def __iter__(self) -> Iterator[str]:
        yield from self._staged
        yield from (k for k in self._table if k not in self._staged and not is_part_key(k))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, key: object) -> bool:
        return key in self._staged or key in self._table

    def items(self) -> Any:  # noqa: D102 - a cheaper items() than MutableMapping's
        merged = {
            key: self._read(key, value)
            for key, value in self._table.items()
            if not is_part_key(key) and key not in self._staged
        }
        merged.update((key, value) for key, (value, _) in self._staged.items())
        return merged.items()

    def values(self) -> Any:  # noqa: D102 - a cheaper values() than MutableMapping's
        return [value for _, value in self.items()]

    @property
    def staged(self) -> int:
        """Return how many keys wait to be written."""
        return len(self._staged)

    def write_through(self, owned: Callable[[int | None], bool] = lambda partition: True) -> int:
        """Write every staged key of an ``owned`` partition once; drop the others.

        Returns how many keys were written.
        """
        staged, self._staged = self._staged, {}
        written = 0
        for key, (value, event) in staged.items():
            if not owned(_partition(event)):
                continue
            with as_current_event(event):
                self._write(key, value)
            written += 1
        return written

    def drop_partitions(self, partitions: Collection[int]) -> int:
        """Forget the staged keys last written from ``partitions``; returns how many."""
        dropped = [k for k, (_, event) in self._staged.items() if _partition(event) in partitions]
        for key in dropped:
            del self._staged[key]
        self._assembled.clear()  # read again from the table, as restored
        return len(dropped)
