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

from pathlib import Path

from streams.storage import rowfiles
from streams.storage.owners.rows import (
    FIELDS,
    OwnerRow,
    Parsed,
    Problem,
    check_conflicts,
    check_row,
)
from streams.storage.rowfiles import read_text

YAML_SUFFIXES = (".yaml", ".yml")
CSV_SUFFIXES = (".csv",)
FORMAT: rowfiles.RowFormat[OwnerRow] = rowfiles.RowFormat(
    fields=FIELDS,
    required=("service", "team"),
    texts=("valid_from",),
    contents="service, team and optional valid_from",
    check=check_row,
)
"""The ownership file format (``rowfiles``): its fields and its row check."""


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


def _finish(found: tuple[list[OwnerRow], list[Problem]]) -> Parsed:
    """Return the rows without repeats and every problem, in line order."""
    rows, problems = found
    checked = check_conflicts(rows)
    return Parsed(checked.rows, tuple(sorted((*problems, *checked.problems), key=rowfiles.line_of)))


def parse_yaml(text: str, name: str) -> Parsed:
    """Parse the YAML format (module docstring); ``name`` prefixes every position."""
    return _finish(rowfiles.parse_yaml(text, name, FORMAT))


def parse_csv(text: str, name: str) -> Parsed:
    """Parse the CSV format (module docstring); ``name`` prefixes every position."""
    return _finish(rowfiles.parse_csv(text, name, FORMAT))
