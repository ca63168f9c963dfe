"""Reference tables loaded by source: what a load changes, its version, its answer.

``mttr.service_owners`` and ``mttr.availability_objectives`` are both a
``ReplacingMergeTree(loaded_at, is_deleted)`` whose rows are replaced one
*source* at a time: a load makes its source hold exactly the rows given,
writing only the difference. ``diff`` (pure) finds it, ``next_loaded_at``
gives the version every row of the load carries (later than any in the
table, so the row written last wins), and ``LoadResult`` is the answer of a
load, the same for the CLI and the worker's pages. A :class:`SourceTable`
names one such table (its columns, how its rows are read and written, its
periods view); its ``replace_source`` and ``periods`` are the only code that
loads and reads both tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from clickhouse_connect.driver.client import Client

from streams.storage.insert import INSERT_SETTINGS
from streams.storage.owners.rows import Keyed, format_time

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R", bound=Keyed)


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


@dataclass(frozen=True)
class SourceTable(Generic[R]):
    """A reference table loaded by source, and the view of its periods.

    Attributes:
        table: The table, e.g. ``mttr.service_owners``.
        columns: Its columns as written: a row's own, then ``source``,
            ``loaded_at`` and ``is_deleted``.
        current: The SELECT list giving a stored row's key and value, e.g.
            ``service, valid_from, team``.
        read: One result row of ``current`` to (key, value), as the rows'
            ``key`` and ``value`` give them.
        write: A key and value to the row's own columns (``columns`` without
            the last three).
        view: The periods view, e.g. ``mttr.service_owner_periods``.
        period_columns: Its columns (and those of ``list --format csv``).
        order: Its ORDER BY, e.g. ``service, valid_from``.
    """

    table: str
    columns: tuple[str, ...]
    current: str
    read: Callable[[Sequence[Any]], tuple[Any, Any]]
    write: Callable[[Any, Any], list[Any]]
    view: str
    period_columns: tuple[str, ...]
    order: str

    def current_rows(self, client: Client, source: str) -> dict[Any, Any]:
        """Return the source's current rows: key to value."""
        result = client.query(
            f"SELECT {self.current} FROM {self.table} FINAL WHERE source = {{source:String}}",
            parameters={"source": source},
        )
        return dict(self.read(row) for row in result.result_rows)

    def replace_source(
        self, client: Client, source: str, rows: Sequence[R], now: datetime
    ) -> LoadResult:
        """Make ``source`` hold exactly ``rows``, writing only the difference.

        Args:
            client: A ClickHouse client (the caller serialises its use).
            source: The source replaced, e.g. ``file`` or ``backstage``.
            rows: Valid rows without conflicts (``check_conflicts``); empty
                removes every row of the source.
            now: The current time (UTC); ``loaded_at`` is the later of it and
                1 ms after the newest ``loaded_at`` in the table.

        Returns:
            The counts and the ``loaded_at`` written. Stored when it returns
            (synchronous insert). Driver errors propagate; a failed insert
            writes nothing, so the load can simply be repeated.
        """
        given = {row.key: row.value for row in rows}
        counts, writes = diff(self.current_rows(client, source), given)
        if not writes:
            return LoadResult(source, **counts, loaded_at=None)
        loaded_at = next_loaded_at(client, self.table, now)
        client.insert(
            self.table,
            [[*self.write(key, value), source, loaded_at, int(deleted)]
             for key, value, deleted in writes],
            column_names=list(self.columns),
            settings=INSERT_SETTINGS,
        )  # fmt: skip
        return LoadResult(source, **counts, loaded_at=loaded_at)

    def periods(
        self, client: Client, service: str | None = None, at: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Return the rows of the periods view as JSON values, in ``order``.

        Args:
            client: A ClickHouse client.
            service: Only this service's periods.
            at: Only the periods in force at this instant.
        """
        conditions: list[str] = []
        parameters: dict[str, Any] = {}
        if service is not None:
            conditions.append("service = {service:String}")
            parameters["service"] = service
        if at is not None:
            at_ = "{at:DateTime64(3, 'UTC')}"
            conditions.append(f"valid_from <= {at_} AND {at_} < valid_until")
            parameters["at"] = at
        where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
        result = client.query(
            f"SELECT {', '.join(self.period_columns)} FROM {self.view} {where}"
            f"ORDER BY {self.order}",
            parameters=parameters,
        )
        return [
            {
                name: format_time(v) if isinstance(v, datetime) else v
                for name, v in zip(self.period_columns, row, strict=True)
            }
            for row in result.result_rows
        ]
