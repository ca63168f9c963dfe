"""Pure: the YAML and CSV files of the reference tables, as records with their lines.

Ownership periods (``storage/owners/``) and availability objectives
(``storage/objectives/``) are loaded from files of the same two shapes:

* YAML: one document, a list of mappings, one row each;
* CSV: a header line naming the columns (in any order, optional ones may be
  left out), then one row per line; blank lines are skipped.

and the JSON a worker's page receives: ``{"source": ..., "rows": [{...}]}``.

A :class:`RowFormat` names a table's fields, its one row check and its
conflict check; the parsers here turn a file (or a JSON body) into the
checked rows without repeats and every problem at its ``FILE:LINE``
(``rows[N]``), and never raise. The values they share,
:class:`~streams.storage.owners.rows.Given` and
:class:`~streams.storage.owners.rows.Problem`, and the YAML nodes
(``owners/yaml_nodes.py``) are those of the ownership package, which came first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from yaml.nodes import MappingNode, SequenceNode

from streams.storage.owners import yaml_nodes
from streams.storage.owners.rows import Checked, Given, Problem, check_name

R = TypeVar("R")
P = TypeVar("P")
YAML_SUFFIXES = (".yaml", ".yml")
CSV_SUFFIXES = (".csv",)
Found = tuple[tuple[R, ...], tuple[Problem, ...]]
"""What a parse gives: the valid rows without repeats and every problem."""


@dataclass(frozen=True)
class RowFormat(Generic[R]):
    """A table's file format: its fields and its row check.

    Attributes:
        fields: Every field, in the column order of the CSV format.
        required: The columns a CSV header must name.
        texts: Fields read as the text written in YAML (timestamps, numbers);
            any other field must be a YAML string (``team: 42`` asks for quotes).
        contents: What a row holds, for messages, e.g. ``service, team and
            optional valid_from``.
        check: The one validation of a row: the fields given at a place (a
            missing field is simply absent) to the row or its problems.
        conflicts: The rows without repeats of a key, and a problem for
            each repeat with another value (the table's ``check_conflicts``).
        numbers: Fields a JSON body may give as a number (read as its
            shortest text, ``0.999``) as well as a string.
    """

    fields: tuple[str, ...]
    required: tuple[str, ...]
    texts: tuple[str, ...]
    contents: str
    check: Callable[[Mapping[str, Given], str], R | list[Problem]]
    conflicts: Callable[[Iterable[R]], Checked[R]]
    numbers: tuple[str, ...] = ()

    @property
    def shape(self) -> str:
        """Return what a YAML file must be, for messages."""
        return f"a YAML list of mappings with {self.contents}"


def line_of(problem: Problem) -> int:
    """Return the line a problem names (0 for none), to sort problems in line order."""
    line = problem.where.rpartition(":")[2]
    return int(line) if line.isdigit() else 0


def parse_file(path: Path, fmt: RowFormat[R]) -> Found[R]:
    """Read and parse a file of ``fmt``; its format comes from the suffix (.yaml/.yml/.csv).

    Returns the rows (repeats of a key with the same value dropped) and the
    problems in line order, each as ``FILE:LINE: reason``. Never raises.
    """
    suffix = path.suffix.lower()
    if suffix not in YAML_SUFFIXES + CSV_SUFFIXES:
        return (), (Problem(str(path), "unknown format: name it .yaml, .yml or .csv"),)
    text, problem = read_text(path)
    if text is None:
        return (), (problem,) if problem else ()
    parse = parse_csv if suffix in CSV_SUFFIXES else parse_yaml
    return finish(parse(text, str(path), fmt), fmt)


def parsers(
    fmt: RowFormat[R], parsed: Callable[[tuple[R, ...], tuple[Problem, ...]], P]
) -> tuple[Callable[[Path], P], Callable[[str, str], P], Callable[[str, str], P]]:
    """Return a table's parsers, giving its ``Parsed``: of a file, of YAML text, of CSV text.

    They are ``parse_file``, and ``parse_yaml`` or ``parse_csv`` then
    ``finish``, for ``fmt``; the text parsers take the text and the name
    that prefixes every position. None raises.
    """
    return (
        lambda path: parsed(*parse_file(path, fmt)),
        lambda text, name: parsed(*finish(parse_yaml(text, name, fmt), fmt)),
        lambda text, name: parsed(*finish(parse_csv(text, name, fmt), fmt)),
    )


def finish(found: tuple[list[R], list[Problem]], fmt: RowFormat[R]) -> Found[R]:
    """Return the rows of a parse without repeats and every problem, in line order."""
    rows, problems = found
    checked = fmt.conflicts(rows)
    return tuple(checked.rows), tuple(sorted((*problems, *checked.problems), key=line_of))


def read_text(path: Path) -> tuple[str | None, Problem | None]:
    """Return the file's text (UTF-8, a byte order mark dropped), or why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        return None, Problem(f"{path}:{line}", "not UTF-8 text")
    except OSError as exc:
        return None, Problem(str(path), f"cannot be read: {exc.strerror or exc}")


def parse_yaml(text: str, name: str, fmt: RowFormat[R]) -> tuple[list[R], list[Problem]]:
    """Return the rows of a YAML file and its problems; ``name`` prefixes every position.

    A file with no content at all is a problem; ``[]`` is no rows.
    """
    documents, problem = yaml_nodes.documents(text, name)
    if problem is not None:
        return [], [problem]
    if len(documents) > 1:
        second = documents[1]
        at = yaml_nodes.where(name, second) if second is not None else name
        return [], [Problem(at, f"a second YAML document: the file must be {fmt.shape}")]
    root = documents[0] if documents else None
    if root is None or yaml_nodes.is_empty(root):
        return [], [Problem(name, f"empty: the file must be {fmt.shape} ([] for none)")]
    if not isinstance(root, SequenceNode):
        message = f"the file must be {fmt.shape}, not {yaml_nodes.kind(root)}"
        return [], [Problem(yaml_nodes.where(name, root), message)]
    rows: list[R] = []
    problems: list[Problem] = []
    for item in root.value:
        at = yaml_nodes.where(name, item)
        if not isinstance(item, MappingNode):
            problems.append(
                Problem(
                    at,
                    f"each item must be a mapping with {fmt.contents}, not {yaml_nodes.kind(item)}",
                )
            )
            continue
        entries, found = yaml_nodes.mapping(item, name)
        given = {
            key: yaml_nodes.field(value, name, names_only=key not in fmt.texts)
            for key, (_, value) in entries.items()
        }
        result = fmt.check(given, at)
        problems += found
        if isinstance(result, list):
            problems += result
        elif not found:
            rows.append(result)
    return rows, problems


def parse_csv(text: str, name: str, fmt: RowFormat[R]) -> tuple[list[R], list[Problem]]:
    """Return the rows of a CSV file and its problems; ``name`` prefixes every position.

    A file without a header line is a problem; a header alone is no rows. A
    line CSV cannot read ends the parse with no rows.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[R] = []
    problems: list[Problem] = []
    line = 1
    try:
        for record in reader:
            at, line = f"{name}:{line}", reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [cell.strip() for cell in record]
                header_problems = _check_header(header, at, fmt)
                if header_problems:
                    return [], header_problems
                continue
            if len(record) != len(header):
                problems.append(
                    Problem(
                        at,
                        f"{len(record)} fields, the header has {len(header)} ({','.join(header)})",
                    )
                )
                continue
            given = {
                column: Given(cell.strip() or None, at)
                for column, cell in zip(header, record, strict=True)
            }
            result = fmt.check(given, at)
            if isinstance(result, list):
                problems += result
            else:
                rows.append(result)
    except csv.Error as exc:
        problems.append(Problem(f"{name}:{reader.line_num}", f"not valid CSV: {exc}"))
        return [], problems
    if header is None:
        return [], [Problem(name, f"empty: the file needs the header line {','.join(fmt.fields)}")]
    return rows, problems


def _check_header(header: list[str], at: str, fmt: RowFormat[R]) -> list[Problem]:
    """Return the problems of a CSV header: unknown, repeated or missing columns."""
    problems = [
        Problem(at, f"unknown column {column!r} (expected {','.join(fmt.fields)})")
        for column in header
        if column not in fmt.fields
    ]
    problems += [
        Problem(at, f"column {column!r} is given twice")
        for column in fmt.fields
        if header.count(column) > 1
    ]
    problems += [
        Problem(at, f"the header has no {column!r} column")
        for column in fmt.required
        if column not in header
    ]
    return problems


_JSON_KINDS = {bool: "a boolean", int: "a number", float: "a number", list: "a list",
               dict: "an object"}  # fmt: skip


def _given(value: object, where: str, number: bool) -> Given:
    if value is None or isinstance(value, str):
        return Given(value, where)
    if number and isinstance(value, int | float) and not isinstance(value, bool):
        return Given(repr(value), where)
    return Given(None, where, f"must be a string, not {_JSON_KINDS.get(type(value), 'that')}")


def parse_body(body: object, fmt: RowFormat[R]) -> tuple[str, list[R], list[Problem]]:
    """Return the source, the rows (without repeats) and every problem of a load's JSON body.

    Positions are ``body``, ``source``, ``rows`` or ``rows[N]`` (from 0). A
    field of ``fmt.numbers`` may be a JSON number (its shortest form, ``0.999``)
    as well as a string; any other must be a string. Conflicting repeats come
    last. Never raises.
    """
    if not isinstance(body, dict):
        return "", [], [Problem("body", "must be a JSON object with source and rows")]
    problems = [
        Problem(str(key), "unknown field (expected source and rows)")
        for key in body
        if key not in ("source", "rows")
    ]
    source = body.get("source")
    if not isinstance(source, str):
        problems.append(Problem("source", "must be a string, e.g. file"))
        source = ""
    elif reason := check_name(source):
        problems.append(Problem("source", reason))
    items = body.get("rows")
    if not isinstance(items, list):
        problems.append(Problem("rows", f"must be a list of objects with {fmt.contents}"))
        return source, [], problems
    rows: list[R] = []
    for index, item in enumerate(items):
        where = f"rows[{index}]"
        if not isinstance(item, dict):
            problems.append(Problem(where, f"must be an object with {fmt.contents}"))
            continue
        given = {str(k): _given(v, where, str(k) in fmt.numbers) for k, v in item.items()}
        result = fmt.check(given, where)
        if isinstance(result, list):
            problems += result
        else:
            rows.append(result)
    checked = fmt.conflicts(rows)
    return source, list(checked.rows), [*problems, *checked.problems]
