"""``mttr.availability_objectives``: replace one source's rows; read the objective periods.

The table (sql/015_availability.sql) is a ReplacingMergeTree keyed by
(service, environment, valid_from, source), versioned by ``loaded_at``, with
delete markers, like ``mttr.service_owners``: a load makes its source hold
exactly the rows given and writes only the difference
(``storage/sources.py``, the code both tables share), so loading the same
rows again writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from streams.storage.objectives.rows import ObjectiveRow
from streams.storage.sources import SourceTable

TABLE = "mttr.availability_objectives"
COLUMNS: tuple[str, ...] = ("service", "environment", "objective", "min_severity", "valid_from",
                            "source", "loaded_at", "is_deleted")  # fmt: skip
PERIOD_COLUMNS: tuple[str, ...] = ("service", "environment", "objective", "min_severity",
                                   "valid_from", "valid_until", "source", "loaded_at")  # fmt: skip
"""The columns of ``mttr.availability_objective_periods`` (and of ``list --format csv``)."""


def _read(row: Sequence[Any]) -> tuple[Any, Any]:
    service, environment, valid_from, objective, severity = row
    return (str(service), str(environment), valid_from), (float(objective), str(severity))


OBJECTIVES: SourceTable[ObjectiveRow] = SourceTable(
    table=TABLE,
    columns=COLUMNS,
    current="service, environment, valid_from, objective, toString(min_severity)",
    read=_read,
    write=lambda key, value: [key[0], key[1], value[0], value[1], key[2]],
    view="mttr.availability_objective_periods",
    period_columns=PERIOD_COLUMNS,
    order="service, environment, valid_from",
)
"""The objectives table: (service, environment, valid_from) to (objective, min_severity)."""

replace_source = OBJECTIVES.replace_source
"""Make a source hold exactly the rows given (``SourceTable.replace_source``)."""
periods = OBJECTIVES.periods
"""The rows of ``mttr.availability_objective_periods`` in key order (``SourceTable.periods``)."""
