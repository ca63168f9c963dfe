"""Stage a batch's table writes and write each key once, at the end of the batch.

Every write to a Faust table is a changelog message. During a backlog a
correlate batch holds several events of many keys, and writing the key's
state after each event sent one changelog message per event. ``StagedTable``
keeps the batch's writes in memory (reads see them), and ``write_through``
writes each changed key once, with Faust's current event set to the event
that last changed it, so the changelog partition is the one the per-event
write would have used. Nothing is written if the batch fails.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

from streams.worker.faust_compat import as_current_event, current_event


class StagedTable(MutableMapping[str, Any]):
    """A write-back view of ``table`` for one batch."""

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

    @property
    def staged(self) -> int:
        """Return how many keys wait to be written."""
        return len(self._staged)

    def write_through(self) -> int:
        """Write every staged key to the table once; returns how many were written."""
        staged, self._staged = self._staged, {}
        for key, (value, event) in staged.items():
            with as_current_event(event):
                self._table[key] = value
        return len(staged)
