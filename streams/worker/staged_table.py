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
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, MutableMapping
from typing import Any

from streams.worker.faust_compat import as_current_event, current_event


def _partition(event: Any) -> int | None:
    return getattr(getattr(event, "message", None), "partition", None)


class StagedTable(MutableMapping[str, Any]):
    """A write-back view of ``table``, shared by the agents that change it."""

    def __init__(self, table: MutableMapping[str, Any]) -> None:
        self._table = table
        self._staged: dict[str, tuple[Any, Any]] = {}  # key -> (value, event that wrote it)

    def __getitem__(self, key: str) -> Any:
        if key in self._staged:
            return self._staged[key][0]
        return self._table[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._staged[key] = (value, current_event())

    def __delitem__(self, key: str) -> None:
        msg = "a correlation step never deletes a key"
        raise NotImplementedError(msg)

    def __iter__(self) -> Iterator[str]:
        yield from self._staged
        yield from (key for key in self._table if key not in self._staged)

    def __len__(self) -> int:
        return len(self._staged) + sum(1 for key in self._table if key not in self._staged)

    def __contains__(self, key: object) -> bool:
        return key in self._staged or key in self._table

    def items(self) -> Any:  # noqa: D102 - a cheaper items() than MutableMapping's
        merged = dict(self._table.items())
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
                self._table[key] = value
            written += 1
        return written

    def drop_partitions(self, partitions: Collection[int]) -> int:
        """Forget the staged keys last written from ``partitions``; returns how many."""
        dropped = [k for k, (_, event) in self._staged.items() if _partition(event) in partitions]
        for key in dropped:
            del self._staged[key]
        return len(dropped)
