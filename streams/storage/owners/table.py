"""``mttr.service_owners``: replace one source's rows; read the ownership periods.

The table (sql/012_service_owners.sql) is a ReplacingMergeTree keyed by
(service, valid_from, source), versioned by ``loaded_at``, with delete
markers. A load makes the source hold exactly the rows given:
``replace_source`` compares them with the source's current rows and writes
only the difference (new rows and changed teams as new versions, a delete
marker for each period no longer given). Loading the same rows again writes
nothing. Every write carries one ``loaded_at``, later than any in the table,
so the row written last wins both within a source and, in
``mttr.service_owner_periods``, between sources. The loading and reading
code is ``storage/sources.py``'s, shared with the availability objectives;
this module names the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from streams.storage.owners.rows import OwnerRow
from streams.storage.sources import SourceTable

TABLE = "mttr.service_owners"
COLUMNS: tuple[str, ...] = ("service", "team", "valid_from", "source", "loaded_at", "is_deleted")
PERIOD_COLUMNS: tuple[str, ...] = (
    "service", "team", "valid_from", "valid_until", "source", "loaded_at"
)  # fmt: skip
"""The columns of ``mttr.service_owner_periods`` (and of ``mttr owners list --format csv``)."""


def _read(row: Sequence[Any]) -> tuple[Any, Any]:
    service, valid_from, team = row
    return (str(service), valid_from), str(team)


OWNERS: SourceTable[OwnerRow] = SourceTable(
    table=TABLE,
    columns=COLUMNS,
    current="service, valid_from, team",
    read=_read,
    write=lambda key, team: [key[0], team, key[1]],
    view="mttr.service_owner_periods",
    period_columns=PERIOD_COLUMNS,
    order="service, valid_from",
)
"""The ownership table: (service, valid_from) to team."""

replace_source = OWNERS.replace_source
"""Make a source hold exactly the rows given (``SourceTable.replace_source``)."""
periods = OWNERS.periods
"""The rows of ``mttr.service_owner_periods`` by service and start (``SourceTable.periods``)."""
