"""Reference tables loaded by source: what a load changes, its version, its answer.

``mttr.service_owners`` and ``mttr.availability_objectives`` are both a
``ReplacingMergeTree(loaded_at, is_deleted)`` whose rows are replaced one
*source* at a time: a load makes its source hold exactly the rows given,
writing only the difference. ``diff`` (pure) finds it, ``next_loaded_at``
gives the version every row of the load carries (later than any in the
table, so the row written last wins), and ``LoadResult`` is the answer of a
load, the same for the CLI and the worker's pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from clickhouse_connect.driver.client import Client

from streams.storage.owners.rows import format_time

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class LoadResult:
    """The answer of a load: its source, the counts of its plan and the version written.

    ``loaded_at`` is None when nothing had to be written.
    """

    source: str
    added: int
    changed: int
    removed: int
    unchanged: int
    loaded_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        """Return the result as JSON values (``loaded_at`` as RFC 3339 or null)."""
        data = asdict(self)
        data["loaded_at"] = None if self.loaded_at is None else format_time(self.loaded_at)
        return data


def diff(
    current: Mapping[K, V], given: Mapping[K, V]
) -> tuple[dict[str, int], list[tuple[K, V, bool]]]:
    """Return what makes a source holding ``current`` hold exactly ``given``.

    Args:
        current: The source's current rows, key to value.
        given: The rows of the load, key to value (one per key). Keys must be
            sortable: the writes come in key order.

    Returns:
        The counts (``added``, ``changed``, ``removed``, ``unchanged``) and the
        writes in key order: (key, value, deleted), a removed key with its old
        value and ``deleted`` True.
    """
    counts = {"added": 0, "changed": 0, "removed": 0, "unchanged": 0}
    writes: list[tuple[K, V, bool]] = []
    for key in sorted(set(given) | set(current)):  # type: ignore[type-var]
        old, new = current.get(key), given.get(key)
        if new is None:
            if old is not None:
                writes.append((key, old, True))
            counts["removed"] += 1
        elif old == new:
            counts["unchanged"] += 1
        else:
            writes.append((key, new, False))
            counts["added" if old is None else "changed"] += 1
    return counts, writes


def next_loaded_at(client: Client, table: str, now: datetime) -> datetime:
    """Return the version of a load: the later of ``now`` and 1 ms after the table's newest.

    Whole milliseconds (the column is ``DateTime64(3)``), so versions only grow
    even if clocks differ.
    """
    newest: datetime = client.query(f"SELECT max(loaded_at) FROM {table}").result_rows[0][0]
    loaded_at = max(now, newest + timedelta(milliseconds=1))
    return loaded_at.replace(microsecond=loaded_at.microsecond - loaded_at.microsecond % 1000)
