"""The MTTR measures: one definition of each aggregate over ``mttr.incidents`` rows.

Every Python query that reports MTTR measures builds its SELECT list from
here (``streams.storage.report.report_rows``, the HTML report's queries), so
the expressions cannot drift apart. The views (sql/005-007) spell the same
expressions in SQL; tests/unit/storage/test_measures.py checks that every measure a
view defines under one of these names has exactly this expression.

Means ignore missing (NULL) durations; quantiles are exact and interpolated
(``quantileExactInclusive``, the "linear" method of numpy.percentile).
docs/metrics.md defines every column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from schemas.events import SEVERITIES


@dataclass(frozen=True)
class Measure:
    """One aggregate column: its name, SQL expression, unit and table header."""

    name: str
    """Column name (the alias in every query and view)."""
    expression: str
    """ClickHouse aggregate over ``mttr.incidents`` rows (resolved ones, in every use)."""
    unit: Literal["count", "seconds"]
    label: str
    """Short header of ``mttr report``'s table."""
    description: str

    @property
    def select(self) -> str:
        """Return the SELECT item: ``expression AS name``."""
        return f"{self.expression} AS {self.name}"


MEASURES: tuple[Measure, ...] = (
    Measure("incidents", "count()", "count", "incidents", "number of resolved incidents"),
    Measure("mttr_seconds", "avg(ttr_seconds)", "seconds", "MTTR",
            "mean of ttr_seconds (mean time to resolve)"),
    Measure("p50_seconds", "quantileExactInclusive(0.5)(ttr_seconds)", "seconds", "p50",
            "median of ttr_seconds (exact, interpolated)"),
    Measure("p90_seconds", "quantileExactInclusive(0.9)(ttr_seconds)", "seconds", "p90",
            "90th percentile of ttr_seconds (exact, interpolated)"),
    Measure("p99_seconds", "quantileExactInclusive(0.99)(ttr_seconds)", "seconds", "p99",
            "99th percentile of ttr_seconds (exact, interpolated)"),
    Measure("mttd_seconds", "avg(ttd_seconds)", "seconds", "MTTD",
            "mean of ttd_seconds (time to detect)"),
    Measure("mtta_seconds", "avg(tta_seconds)", "seconds", "MTTA",
            "mean of tta_seconds (time to acknowledge)"),
    Measure("mttm_seconds", "avg(ttm_seconds)", "seconds", "MTTM",
            "mean of ttm_seconds (time to mitigate)"),
)  # fmt: skip
"""Every measure, in the column order of ``mttr.mttr_by_service_severity``."""

BY_NAME: dict[str, Measure] = {measure.name: measure for measure in MEASURES}


def measures(*names: str) -> tuple[Measure, ...]:
    """Return the measures called ``names``, in that order; ``KeyError`` for an unknown name."""
    return tuple(BY_NAME[name] for name in names)


REPORT_MEASURES: tuple[Measure, ...] = measures(
    "incidents", "mttr_seconds", "p50_seconds", "p90_seconds", "mttd_seconds", "mtta_seconds"
)
"""The measures of ``mttr report`` and the HTML report: those of ``mttr.mttr_daily``."""


def select_list(chosen: Iterable[Measure]) -> str:
    """Return ``expression AS name, ...`` for the SELECT list of a query."""
    return ", ".join(measure.select for measure in chosen)


def severity_order(column: str = "severity") -> str:
    """Return an ORDER BY key listing severities most severe first (then by name).

    Unknown severities (``indexOf`` gives 0) come first. The Grafana severity
    variables sort with exactly this key (a test checks it).
    """
    listed = ", ".join(f"'{severity}'" for severity in SEVERITIES)
    return f"indexOf([{listed}], {column}), {column}"
