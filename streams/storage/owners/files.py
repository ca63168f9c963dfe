"""Pure: an ownership file (YAML or CSV) to rows, every problem with its line.

YAML: one document, a list of mappings with the keys ``service``, ``team``
and optional ``valid_from`` (an RFC 3339 string)::

    - service: checkout
      team: payments
    - service: checkout
      team: storefront
      valid_from: 2026-03-15T00:00:00Z

CSV: a header line ``service,team,valid_from`` (``valid_from`` may be left
out, columns in any order), then one row per line; an empty ``valid_from``
is the beginning. Blank lines are skipped.

An empty YAML list (``[]``) or a CSV file with only its header holds no row:
loaded, it removes every row of its source. A file with no content at all is
refused, so a truncated file never empties a source by accident.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from yaml.nodes import MappingNode, SequenceNode

from streams.storage.owners import yaml_nodes
from streams.storage.owners.rows import (
    FIELDS,
    Given,
    OwnerRow,
    Parsed,
    Problem,
    check_conflicts,
    check_row,
)

YAML_SUFFIXES = (".yaml", ".yml")
CSV_SUFFIXES = (".csv",)
_SHAPE = "a YAML list of mappings with service, team and optional valid_from"


def read_text(path: Path) -> tuple[str | None, Problem | None]:
    """Return the file's text (UTF-8, a byte order mark dropped), or why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        return None, Problem(f"{path}:{line}", "not UTF-8 text")
    except OSError as exc:
        return None, Problem(str(path), f"cannot be read: {exc.strerror or exc}")


def parse_owner_file(path: Path) -> Parsed:
    """Read and parse an ownership file; its format comes from the suffix (.yaml/.yml/.csv).

    Returns the rows (repeats of one service and valid_from with the same team
    dropped) and the problems, each as ``FILE:LINE: reason``. Never raises.
    """
    suffix = path.suffix.lower()
    if suffix not in YAML_SUFFIXES + CSV_SUFFIXES:
        return Parsed(problems=(Problem(str(path), "unknown format: name it .yaml, .yml or .csv"),))
    text, problem = read_text(path)
    if text is None:
        return Parsed(problems=(problem,) if problem else ())
    return parse_csv(text, str(path)) if suffix in CSV_SUFFIXES else parse_yaml(text, str(path))


def _line(problem: Problem) -> int:
    line = problem.where.rpartition(":")[2]
    return int(line) if line.isdigit() else 0


def _finish(rows: list[OwnerRow], problems: list[Problem]) -> Parsed:
    """Return the rows without repeats and every problem, in line order."""
    checked = check_conflicts(rows)
    return Parsed(checked.rows, tuple(sorted((*problems, *checked.problems), key=_line)))


def parse_yaml(text: str, name: str) -> Parsed:
    """Parse the YAML format (module docstring); ``name`` prefixes every position."""
    documents, problem = yaml_nodes.documents(text, name)
    if problem is not None:
        return Parsed(problems=(problem,))
    if len(documents) > 1:
        second = documents[1]
        at = yaml_nodes.where(name, second) if second is not None else name
        return Parsed(problems=(Problem(at, f"a second YAML document: the file must be {_SHAPE}"),))
    root = documents[0] if documents else None
    if root is None or yaml_nodes.is_empty(root):
        return Parsed(problems=(Problem(name, f"empty: the file must be {_SHAPE} ([] for none)"),))
    if not isinstance(root, SequenceNode):
        message = f"the file must be {_SHAPE}, not {yaml_nodes.kind(root)}"
        return Parsed(problems=(Problem(yaml_nodes.where(name, root), message),))
    rows: list[OwnerRow] = []
    problems: list[Problem] = []
    for item in root.value:
        at = yaml_nodes.where(name, item)
        if not isinstance(item, MappingNode):
            problems.append(
                Problem(
                    at,
                    f"each item must be a mapping with service, team and optional "
                    f"valid_from, not {yaml_nodes.kind(item)}",
                )
            )
            continue
        entries, found = yaml_nodes.mapping(item, name)
        given = {
            key: yaml_nodes.field(value, name, names_only=key != "valid_from")
            for key, (_, value) in entries.items()
        }
        result = check_row(given, at)
        problems += found
        if isinstance(result, OwnerRow):
            if not found:
                rows.append(result)
        else:
            problems += result
    return _finish(rows, problems)


def parse_csv(text: str, name: str) -> Parsed:
    """Parse the CSV format (module docstring); ``name`` prefixes every position."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[OwnerRow] = []
    problems: list[Problem] = []
    line = 1
    try:
        for record in reader:
            at, line = f"{name}:{line}", reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [cell.strip() for cell in record]
                header_problems = _check_header(header, at)
                if header_problems:
                    return Parsed(problems=tuple(header_problems))
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
            result = check_row(given, at)
            if isinstance(result, OwnerRow):
                rows.append(result)
            else:
                problems += result
    except csv.Error as exc:
        problems.append(Problem(f"{name}:{reader.line_num}", f"not valid CSV: {exc}"))
        return Parsed(problems=tuple(problems))
    if header is None:
        return Parsed(
            problems=(Problem(name, f"empty: the file needs the header line {','.join(FIELDS)}"),)
        )
    return _finish(rows, problems)


def _check_header(header: list[str], at: str) -> list[Problem]:
    """Return the problems of a CSV header: unknown, repeated or missing columns."""
    problems = [
        Problem(at, f"unknown column {column!r} (expected {','.join(FIELDS)})")
        for column in header
        if column not in FIELDS
    ]
    problems += [
        Problem(at, f"column {column!r} is given twice")
        for column in FIELDS
        if header.count(column) > 1
    ]
    problems += [
        Problem(at, f"the header has no {column!r} column")
        for column in ("service", "team")
        if column not in header
    ]
    return problems
