"""The sections of ``mttr report``: what each answers, the same from the CLI and the worker.

``section_answer(client, query)`` is what ``mttr report`` computes on a direct
client and what the worker's ``/mttr/report/`` page returns while it holds the
embedded database: a JSON object with ``rows`` (dates as ISO strings) and,
per section, what its presentation needs besides (``ANSWER_KEYS``). A new
section is one more entry here, one more name in ``storage.report.SECTIONS``
and its table in ``streams.present``.
"""

from __future__ import annotations

from typing import Any

from clickhouse_connect.driver.client import Client

from streams.storage.availability import AVAILABILITY_COLUMNS, availability_rows, objective_count
from streams.storage.learning import (
    RECURRING_COLUMNS,
    REVIEW_COLUMNS,
    recurring_rows,
    review_rows,
)
from streams.storage.report import ReportQuery, jsonable, report_rows

ANSWER_KEYS: dict[str, str] = {
    "mttr": "rows",
    "availability": "objectives",
    "reviews": "section",
    "recurring": "section",
}
"""Per section, a key its answer always holds (an older worker's answer without it is not used)."""
FILTERS: dict[str, tuple[str, ...]] = {
    "mttr": ("since", "service", "team", "severity", "by"),
    "availability": ("since", "service", "team"),
    "reviews": ("since", "service", "severity"),
    "recurring": ("since", "service"),
}
"""Per section, the ``ReportQuery`` filters it takes (the CLI refuses the others)."""


def section_answer(client: Client, query: ReportQuery) -> dict[str, Any]:
    """Return the JSON answer of ``query.section`` (``rows`` and the section's own keys)."""
    if query.section == "availability":
        rows = jsonable(availability_rows(client, query))
        return {"rows": rows, "objectives": objective_count(client)}
    if query.section == "reviews":
        return {"rows": jsonable(review_rows(client, query)), "section": "reviews"}
    if query.section == "recurring":
        return {"rows": jsonable(recurring_rows(client, query)), "section": "recurring"}
    return {"rows": jsonable(report_rows(client, query))}


def section_columns(query: ReportQuery) -> tuple[str, ...]:
    """Return the columns of the rows of ``query.section`` (for CSV)."""
    if query.section == "availability":
        return AVAILABILITY_COLUMNS
    if query.section == "reviews":
        return REVIEW_COLUMNS
    if query.section == "recurring":
        return RECURRING_COLUMNS
    return query.columns
