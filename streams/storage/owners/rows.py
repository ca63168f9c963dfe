"""Pure: the one validation of an ownership row, of a source name and of conflicts.

Every way of giving ownership (a YAML or CSV file, Backstage documents, the
JSON a worker receives) ends here, so the rules and their wording are the
same everywhere: ``service`` and ``team`` follow the event contract's name
rule (1-128 printable characters, not blank), ``valid_from`` is an RFC 3339
timestamp with a UTC offset, stored as UTC milliseconds, or absent (the
beginning, 1970-01-01T00:00:00Z).

What every reference table's rows share lives here too, as the ownership
package came first: ``Problem``, ``Given``, the ``Keyed`` and ``Checked``
shapes, the unknown-field and ``valid_from`` checks and ``drop_repeats``
(the availability objectives' ``rows.py`` uses them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from pydantic import TypeAdapter, ValidationError

from schemas.events import MIN_TIME, Name, Timestamp

FIELDS: tuple[str, ...] = ("service", "team", "valid_from")
"""The fields of an ownership row, in the column order of the CSV format."""
BEGINNING: datetime = MIN_TIME
"""The ``valid_from`` of a row given without one: 1970-01-01T00:00:00Z."""
UNOWNED = ""
"""The team stored for a service nobody owned at the time."""
UNOWNED_LABEL = "(unowned)"
"""How ``UNOWNED`` is shown."""

_NAME: TypeAdapter[str] = TypeAdapter(Name)
_TIME: TypeAdapter[datetime] = TypeAdapter(Timestamp)


class Keyed(Protocol):
    """A row of a reference table: its ``key`` (one per period) and the ``value`` stored for it."""

    @property
    def key(self) -> Any:
        """What one period is, e.g. ``(service, valid_from)``."""

    @property
    def value(self) -> Any:
        """What is stored for the key, e.g. the team."""

    @property
    def origin(self) -> str:
        """Where the row was given, e.g. ``owners.yaml:7``."""


RowT = TypeVar("RowT", bound=Keyed)
R_co = TypeVar("R_co", covariant=True)


@dataclass(frozen=True)
class OwnerRow:
    """One ownership period as given: ``team`` owns ``service`` from ``valid_from`` on.

    Attributes:
        service: The service, as events name it.
        team: The owning team (never ``UNOWNED``).
        valid_from: Start of the period, UTC, whole milliseconds.
        origin: Where it was given, e.g. ``owners.yaml:7`` or ``rows[3]``.
    """

    service: str
    team: str
    valid_from: datetime
    origin: str

    @property
    def key(self) -> tuple[str, datetime]:
        """Return ``(service, valid_from)``: one period has one team."""
        return self.service, self.valid_from

    @property
    def value(self) -> str:
        """Return what is stored for the key: the team."""
        return self.team


@dataclass(frozen=True)
class Problem:
    """Why something given was refused, and where (``FILE:LINE`` or ``rows[N]``)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class Parsed:
    """What a parser read: the valid rows and the problems (a load needs no problem).

    Attributes:
        rows: The valid rows, in the order given.
        problems: Everything refused, in the order found.
        ignored: Documents read but not ownership (Backstage entities of another kind).
    """

    rows: tuple[OwnerRow, ...] = ()
    problems: tuple[Problem, ...] = ()
    ignored: int = 0

    def __add__(self, other: Parsed) -> Parsed:
        return Parsed(
            self.rows + other.rows, self.problems + other.problems, self.ignored + other.ignored
        )


class Checked(Protocol[R_co]):
    """What a table's conflict check (and its ``Parsed``) holds: rows and problems."""

    @property
    def rows(self) -> Sequence[R_co]:
        """The valid rows."""

    @property
    def problems(self) -> Sequence[Problem]:
        """Everything refused."""


@dataclass(frozen=True)
class Given:
    """One field as written: its text (None when empty or null) and where it was.

    ``error`` replaces the text's own checks when the reader already knows the
    value is unusable (e.g. a YAML number where a name belongs).
    """

    text: str | None
    where: str
    error: str | None = None


def team_label(team: str) -> str:
    """Return ``team`` for display: ``(unowned)`` for ``UNOWNED``."""
    return team or UNOWNED_LABEL


def format_time(moment: datetime) -> str:
    """Return ``moment`` (UTC) as RFC 3339 with ``Z``, milliseconds only when not zero."""
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.isoformat(timespec=spec).replace("+00:00", "Z")


def describe_start(moment: datetime) -> str:
    """Return ``from the beginning`` or ``from <RFC 3339>``, for messages."""
    return "from the beginning" if moment == BEGINNING else f"from {format_time(moment)}"


def _reason(exc: ValidationError) -> str:
    return "; ".join(
        err["msg"].removeprefix("Value error, ")
        for err in exc.errors(include_url=False, include_input=False)
    )


def parse_time(text: str) -> datetime:
    """Return an RFC 3339 timestamp with offset as UTC milliseconds; ``ValueError`` says why not."""
    try:
        return _TIME.validate_python(text)
    except ValidationError as exc:
        raise ValueError(_reason(exc)) from None


def check_name(text: str) -> str | None:
    """Return why ``text`` is not a valid service, team or source name, or None."""
    try:
        _NAME.validate_python(text)
    except ValidationError as exc:
        return _reason(exc)
    return None


def check_row(
    given: Mapping[str, Given], where: str, labels: Mapping[str, str] | None = None
) -> OwnerRow | list[Problem]:
    """Validate the fields of one row given at ``where``.

    Args:
        given: The fields as written, by name; absent fields are simply missing.
        where: Where the row starts (problems without a field of their own name it).
        labels: How to call a field in messages when its source names it
            otherwise (Backstage: ``service`` is ``metadata.name``).

    Returns:
        The row, or every problem found (unknown fields, a missing or invalid
        ``service`` or ``team``, an invalid ``valid_from``). Never raises.
    """
    problems = unknown_fields(given, FIELDS)
    names: dict[str, str] = {}
    for name in ("service", "team"):
        field, label = given.get(name), (labels or {}).get(name, name)
        if field is None or (not field.text and field.error is None):
            problems.append(Problem(field.where if field else where, f"{label} is missing"))
            continue
        reason = field.error or check_name(field.text or "")
        if reason:
            problems.append(Problem(field.where, f"{label}: {reason}"))
        else:
            names[name] = field.text or ""
    valid_from = check_start(given, problems)
    if problems:
        return problems
    return OwnerRow(names["service"], names["team"], valid_from, where)


def unknown_fields(given: Mapping[str, Given], fields: tuple[str, ...]) -> list[Problem]:
    """Return a problem for each field of ``given`` that is not one of ``fields``."""
    return [
        Problem(field.where, f"unknown field {name!r} (expected {', '.join(fields)})")
        for name, field in given.items()
        if name not in fields
    ]


def check_start(given: Mapping[str, Given], problems: list[Problem]) -> datetime:
    """Return the ``valid_from`` given (``BEGINNING`` when absent); append why it is invalid."""
    start = given.get("valid_from")
    if start is not None and (start.error or start.text is not None):
        try:
            if start.error:
                raise ValueError(start.error)
            return parse_time(start.text or "")
        except ValueError as exc:
            problems.append(Problem(start.where, f"valid_from: {exc}"))
    return BEGINNING


def drop_repeats(
    rows: Iterable[RowT], conflict: Callable[[RowT, RowT], str]
) -> tuple[tuple[RowT, ...], tuple[Problem, ...]]:
    """Return the rows with repeats of a key dropped, and a problem for each conflicting repeat.

    A key given again with the same value is dropped quietly (the first row is
    kept); given again with another value it is a problem at the repeat, worded
    by ``conflict(kept, repeat)``.
    """
    first: dict[Any, RowT] = {}
    problems: list[Problem] = []
    for row in rows:
        kept = first.setdefault(row.key, row)
        if kept.value != row.value:
            problems.append(Problem(row.origin, conflict(kept, row)))
    return tuple(first.values()), tuple(problems)


def _conflict(kept: OwnerRow, row: OwnerRow) -> str:
    return (
        f"{row.service} {describe_start(row.valid_from)} is owned by {kept.team!r} at "
        f"{kept.origin}, here by {row.team!r}: give one team per service and valid_from"
    )


def check_conflicts(rows: Iterable[OwnerRow]) -> Parsed:
    """Return the rows with repeats dropped, and a problem for each conflicting repeat.

    A (service, valid_from) given again with the same team is dropped quietly
    (the first one is kept); given again with another team it is a problem at
    the repeat, naming where the first one was.
    """
    return Parsed(*drop_repeats(rows, _conflict))
