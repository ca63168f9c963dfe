"""Pure: an availability objectives file (YAML or CSV) to rows, every problem with its line.

YAML: one document, a list of mappings with the keys ``service``,
``environment``, ``objective`` and optional ``valid_from`` (an RFC 3339
string) and ``min_severity``::

    - service: checkout
      environment: prod
      objective: 0.999
    - service: checkout
      environment: prod
      objective: 0.9995
      min_severity: medium
      valid_from: 2026-07-01T00:00:00Z

CSV: a header line ``service,environment,objective,valid_from`` (plus
``min_severity`` if wanted; ``valid_from`` and ``min_severity`` may be left
out, columns in any order), then one row per line; an empty ``valid_from`` is
the beginning, an empty ``min_severity`` is ``high``. Blank lines are skipped.

As for ownership files (``storage/rowfiles.py``): ``[]`` or a CSV header
alone holds no row (loaded, it removes every row of its source); a file with
no content at all is refused.
"""

from __future__ import annotations

from pathlib import Path

from streams.storage import rowfiles
from streams.storage.objectives.rows import (
    FIELDS,
    REQUIRED,
    ObjectiveRow,
    Parsed,
    check_conflicts,
    check_row,
)
from streams.storage.owners.rows import Problem

YAML_SUFFIXES = (".yaml", ".yml")
CSV_SUFFIXES = (".csv",)
FORMAT: rowfiles.RowFormat[ObjectiveRow] = rowfiles.RowFormat(
    fields=FIELDS,
    required=REQUIRED,
    texts=("objective", "valid_from"),
    contents="service, environment, objective and optional valid_from and min_severity",
    check=check_row,
    numbers=("objective",),
)
"""The objectives file format (``rowfiles``): its fields and its row check."""


def parse_objective_file(path: Path) -> Parsed:
    """Read and parse an objectives file; its format comes from the suffix (.yaml/.yml/.csv).

    Returns the rows (repeats of one key with the same objective dropped) and
    the problems, each as ``FILE:LINE: reason``. Never raises.
    """
    suffix = path.suffix.lower()
    if suffix not in YAML_SUFFIXES + CSV_SUFFIXES:
        return Parsed(problems=(Problem(str(path), "unknown format: name it .yaml, .yml or .csv"),))
    text, problem = rowfiles.read_text(path)
    if text is None:
        return Parsed(problems=(problem,) if problem else ())
    return parse_csv(text, str(path)) if suffix in CSV_SUFFIXES else parse_yaml(text, str(path))


def _finish(found: tuple[list[ObjectiveRow], list[Problem]]) -> Parsed:
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
