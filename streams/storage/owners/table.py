"""``mttr.service_owners``: replace one source's rows; read the ownership periods.

The table (sql/012_service_owners.sql) is a ReplacingMergeTree keyed by
(service, valid_from, source), versioned by ``loaded_at``, with delete
markers. A load makes the source hold exactly the rows given: ``plan`` (pure)
compares them with the source's current rows, and ``replace_source`` writes
only the difference (new rows and changed teams as new versions, a delete
marker for each period no longer given). Loading the same rows again writes
nothing. Every write carries one ``loaded_at``, later than any in the table,
so the row written last wins both within a source and, in
``mttr.service_owner_periods``, between sources.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from clickhouse_connect.driver.client import Client

from streams.storage.insert import INSERT_SETTINGS
from streams.storage.owners.rows import OwnerRow, format_time
from streams.storage.sources import LoadResult as LoadResult
from streams.storage.sources import diff, next_loaded_at

TABLE = "mttr.service_owners"
COLUMNS: tuple[str, ...] = ("service", "team", "valid_from", "source", "loaded_at", "is_deleted")
PERIOD_COLUMNS: tuple[str, ...] = (
    "service", "team", "valid_from", "valid_until", "source", "loaded_at"
)  # fmt: skip
"""The columns of ``mttr.service_owner_periods`` (and of ``mttr owners list --format csv``)."""

Key = tuple[str, datetime]


@dataclass(frozen=True)
class Write:
    """One row to insert: a period's team, or a delete marker (``deleted``) for it."""

    service: str
    team: str
    valid_from: datetime
    deleted: bool = False


@dataclass(frozen=True)
class Plan:
    """What a load changes in one source, and the rows that do it.

    Attributes:
        added: Periods the source did not have.
        changed: Periods whose team changed.
        removed: Periods no longer given (a delete marker each).
        unchanged: Periods given again with the same team (nothing written).
        writes: The rows to insert, in (service, valid_from) order.
    """

    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    writes: tuple[Write, ...] = field(default=(), repr=False)


def plan(current: Mapping[Key, str], rows: Sequence[OwnerRow]) -> Plan:
    """Return what makes a source holding ``current`` hold exactly ``rows``.

    Args:
        current: The source's current periods, (service, valid_from) to team.
        rows: The rows of the load, one per (service, valid_from) (``check_conflicts``).
    """
    counts, changes = diff(current, {row.key: row.team for row in rows})
    writes = [Write(key[0], team, key[1], deleted) for key, team, deleted in changes]
    return Plan(**counts, writes=tuple(writes))


def current_rows(client: Client, source: str) -> dict[Key, str]:
    """Return the source's current periods: (service, valid_from) to team."""
    result = client.query(
        f"SELECT service, valid_from, team FROM {TABLE} FINAL WHERE source = {{source:String}}",
        parameters={"source": source},
    )
    return {(str(s), v): str(t) for s, v, t in result.result_rows}


def replace_source(
    client: Client, source: str, rows: Sequence[OwnerRow], now: datetime
) -> LoadResult:
    """Make ``source`` hold exactly ``rows``, writing only the difference.

    Args:
        client: A ClickHouse client (the caller serialises its use).
        source: The source replaced, e.g. ``file`` or ``backstage``.
        rows: Valid rows without conflicts (``check_conflicts``); empty removes
            every row of the source.
        now: The current time (UTC); ``loaded_at`` is the later of it and 1 ms
            after the newest ``loaded_at`` in the table.

    Returns:
        The counts and the ``loaded_at`` written. Stored when it returns
        (synchronous insert). Driver errors propagate; a failed insert writes
        nothing, so the load can simply be repeated.
    """
    changes = plan(current_rows(client, source), rows)
    if not changes.writes:
        return LoadResult(source, changes.added, changes.changed, changes.removed,
                          changes.unchanged, None)  # fmt: skip
    loaded_at = next_loaded_at(client, TABLE, now)
    client.insert(
        TABLE,
        [[w.service, w.team, w.valid_from, source, loaded_at, int(w.deleted)]
         for w in changes.writes],
        column_names=list(COLUMNS),
        settings=INSERT_SETTINGS,
    )  # fmt: skip
    return LoadResult(source, changes.added, changes.changed, changes.removed,
                      changes.unchanged, loaded_at)  # fmt: skip


def periods(
    client: Client, service: str | None = None, at: datetime | None = None
) -> list[dict[str, Any]]:
    """Return the rows of ``mttr.service_owner_periods`` as JSON values, by service and start.

    Args:
        client: A ClickHouse client.
        service: Only this service's periods.
        at: Only the period in force at this instant (one per owned service).
    """
    conditions: list[str] = []
    parameters: dict[str, Any] = {}
    if service is not None:
        conditions.append("service = {service:String}")
        parameters["service"] = service
    if at is not None:
        conditions.append(
            "valid_from <= {at:DateTime64(3, 'UTC')} AND {at:DateTime64(3, 'UTC')} < valid_until"
        )
        parameters["at"] = at
    where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
    result = client.query(
        f"SELECT {', '.join(PERIOD_COLUMNS)} FROM mttr.service_owner_periods {where}"
        "ORDER BY service, valid_from",
        parameters=parameters,
    )
    return [
        {
            name: format_time(v) if isinstance(v, datetime) else v
            for name, v in zip(PERIOD_COLUMNS, row, strict=True)
        }
        for row in result.result_rows
    ]
