"""``mttr.availability_objectives``: replace one source's rows; read the objective periods.

The table (sql/015_availability.sql) is a ReplacingMergeTree keyed by
(service, environment, valid_from, source), versioned by ``loaded_at``, with
delete markers, like ``mttr.service_owners``: a load makes its source hold
exactly the rows given and writes only the difference
(``storage/sources.py``), so loading the same rows again writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from clickhouse_connect.driver.client import Client

from streams.storage.insert import INSERT_SETTINGS
from streams.storage.objectives.rows import Key, ObjectiveRow, Value
from streams.storage.owners.rows import format_time
from streams.storage.sources import LoadResult, diff, next_loaded_at

TABLE = "mttr.availability_objectives"
COLUMNS: tuple[str, ...] = ("service", "environment", "objective", "min_severity", "valid_from",
                            "source", "loaded_at", "is_deleted")  # fmt: skip
PERIOD_COLUMNS: tuple[str, ...] = ("service", "environment", "objective", "min_severity",
                                   "valid_from", "valid_until", "source", "loaded_at")  # fmt: skip
"""The columns of ``mttr.availability_objective_periods`` (and of ``list --format csv``)."""


def current_rows(client: Client, source: str) -> dict[Key, Value]:
    """Return the source's current periods: (service, environment, valid_from) to value."""
    result = client.query(
        f"SELECT service, environment, valid_from, objective, toString(min_severity) "
        f"FROM {TABLE} FINAL WHERE source = {{source:String}}",
        parameters={"source": source},
    )
    return {(str(s), str(e), v): (float(o), str(m)) for s, e, v, o, m in result.result_rows}


def replace_source(
    client: Client, source: str, rows: Sequence[ObjectiveRow], now: datetime
) -> LoadResult:
    """Make ``source`` hold exactly ``rows``, writing only the difference.

    Args:
        client: A ClickHouse client (the caller serialises its use).
        source: The source replaced, e.g. ``file``.
        rows: Valid rows without conflicts (``check_conflicts``); empty removes
            every row of the source.
        now: The current time (UTC); ``loaded_at`` is the later of it and 1 ms
            after the newest ``loaded_at`` in the table.

    Returns:
        The counts and the ``loaded_at`` written. Stored when it returns
        (synchronous insert). Driver errors propagate; a failed insert writes
        nothing, so the load can simply be repeated.
    """
    counts, writes = diff(current_rows(client, source), {row.key: row.value for row in rows})
    if not writes:
        return LoadResult(source, **counts, loaded_at=None)
    loaded_at = next_loaded_at(client, TABLE, now)
    client.insert(
        TABLE,
        [[service, environment, objective, severity, valid_from, source, loaded_at, int(deleted)]
         for (service, environment, valid_from), (objective, severity), deleted in writes],
        column_names=list(COLUMNS),
        settings=INSERT_SETTINGS,
    )  # fmt: skip
    return LoadResult(source, **counts, loaded_at=loaded_at)


def periods(
    client: Client, service: str | None = None, at: datetime | None = None
) -> list[dict[str, Any]]:
    """Return the rows of ``mttr.availability_objective_periods`` as JSON values, in key order.

    Args:
        client: A ClickHouse client.
        service: Only this service's periods.
        at: Only the periods in force at this instant (one per service and environment).
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
        f"SELECT {', '.join(PERIOD_COLUMNS)} FROM mttr.availability_objective_periods {where}"
        "ORDER BY service, environment, valid_from",
        parameters=parameters,
    )
    return [
        {
            name: format_time(v) if isinstance(v, datetime) else v
            for name, v in zip(PERIOD_COLUMNS, row, strict=True)
        }
        for row in result.result_rows
    ]
