"""Pure: the one validation of an availability objective row, and of conflicts.

Every way of giving objectives (a YAML or CSV file, the JSON a worker
receives) ends here, so the rules and their wording are the same everywhere:

* ``service`` and ``environment``: the event contract's name rule (1-128
  printable characters, not blank), so both are spelled as in the events;
* ``objective``: a decimal fraction strictly between 0 and 1 with at most 6
  decimals, written as such (``0.999`` for 99.9 %; not ``99.9``, ``99.9%``
  or ``9.99e-1``), so the error budget is a whole number of milliseconds
  away from rounding questions;
* ``min_severity``: one of the contract's severities (default ``high``):
  the availability incidents of that severity or a more severe one count
  as downtime;
* ``valid_from``: an RFC 3339 timestamp with a UTC offset, stored as UTC
  milliseconds, or absent (the beginning, 1970-01-01T00:00:00Z).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from schemas.events import SEVERITIES
from streams.storage.owners.rows import (
    Given,
    Problem,
    check_name,
    check_start,
    describe_start,
    drop_repeats,
    unknown_fields,
)

FIELDS: tuple[str, ...] = ("service", "environment", "objective", "valid_from", "min_severity")
"""The fields of an objective row, in the column order of the CSV format."""
REQUIRED: tuple[str, ...] = ("service", "environment", "objective")
DEFAULT_MIN_SEVERITY = "high"
"""The least severe severity counted as downtime when a row names none."""
MAX_DECIMALS = 6
_FRACTION = re.compile(r"0?\.(\d+)")
_OBJECTIVE_HINT = (
    f"must be a fraction between 0 and 1 with at most {MAX_DECIMALS} decimals, e.g. 0.999 for 99.9%"
)

Key = tuple[str, str, datetime]
Value = tuple[float, str]


@dataclass(frozen=True)
class ObjectiveRow:
    """One objective period as given: ``service`` in ``environment`` aims at ``objective``.

    From ``valid_from`` on, counting availability incidents of ``min_severity`` or worse.

    Attributes:
        service: The service, as events name it.
        environment: The environment, as events name it.
        objective: The availability objective, 0 < objective < 1.
        min_severity: The least severe severity counted as downtime.
        valid_from: Start of the period, UTC, whole milliseconds.
        origin: Where it was given, e.g. ``objectives.yaml:7`` or ``rows[3]``.
    """

    service: str
    environment: str
    objective: float
    min_severity: str
    valid_from: datetime
    origin: str

    @property
    def key(self) -> Key:
        """Return ``(service, environment, valid_from)``: one period has one objective."""
        return self.service, self.environment, self.valid_from

    @property
    def value(self) -> Value:
        """Return what is stored for the key: ``(objective, min_severity)``."""
        return self.objective, self.min_severity


@dataclass(frozen=True)
class Parsed:
    """What a parser read: the valid rows and the problems (a load needs no problem)."""

    rows: tuple[ObjectiveRow, ...] = ()
    problems: tuple[Problem, ...] = ()


def parse_objective(text: str) -> float:
    """Return the objective written as ``text``; ``ValueError`` says why it is not one."""
    match = _FRACTION.fullmatch(text.strip())
    if match is None or len(match.group(1)) > MAX_DECIMALS or Decimal(text) <= 0:
        raise ValueError(_OBJECTIVE_HINT)
    return float(text)


def check_row(given: Mapping[str, Given], where: str) -> ObjectiveRow | list[Problem]:
    """Validate the fields of one row given at ``where``.

    Args:
        given: The fields as written, by name; absent fields are simply missing.
        where: Where the row starts (problems without a field of their own name it).

    Returns:
        The row, or every problem found (unknown fields, a missing or invalid
        required field, an invalid ``min_severity`` or ``valid_from``). Never raises.
    """
    problems = unknown_fields(given, FIELDS)
    values: dict[str, str] = {}
    for name in REQUIRED:
        field = given.get(name)
        if field is None or (not field.text and field.error is None):
            problems.append(Problem(field.where if field else where, f"{name} is missing"))
            continue
        reason = field.error or (None if name == "objective" else check_name(field.text or ""))
        if reason:
            problems.append(Problem(field.where, f"{name}: {reason}"))
        else:
            values[name] = field.text or ""
    objective = 0.0
    if "objective" in values:
        try:
            objective = parse_objective(values["objective"])
        except ValueError as exc:
            problems.append(Problem(given["objective"].where, f"objective: {exc}"))
    severity = DEFAULT_MIN_SEVERITY
    field = given.get("min_severity")
    if field is not None and (field.error or field.text is not None):
        if field.error or field.text not in SEVERITIES:
            reason = field.error or f"must be one of {', '.join(SEVERITIES)}"
            problems.append(Problem(field.where, f"min_severity: {reason}"))
        else:
            severity = field.text or DEFAULT_MIN_SEVERITY
    valid_from = check_start(given, problems)
    if problems:
        return problems
    return ObjectiveRow(
        values["service"], values["environment"], objective, severity, valid_from, where
    )


def describe(value: Value) -> str:
    """Return ``0.999 (high or worse)``, for messages."""
    return f"{value[0]:g} ({value[1]} or worse)"


def _conflict(kept: ObjectiveRow, row: ObjectiveRow) -> str:
    return (
        f"{row.service} in {row.environment} {describe_start(row.valid_from)} has objective "
        f"{describe(kept.value)} at {kept.origin}, here {describe(row.value)}: give one "
        "objective per service, environment and valid_from"
    )


def check_conflicts(rows: Iterable[ObjectiveRow]) -> Parsed:
    """Return the rows with repeats dropped, and a problem for each conflicting repeat.

    A (service, environment, valid_from) given again with the same objective
    and min_severity is dropped quietly (the first one is kept); given again
    with others it is a problem at the repeat, naming where the first one was.
    """
    return Parsed(*drop_repeats(rows, _conflict))
