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

from streams.storage import rowfiles
from streams.storage.objectives.rows import (
    FIELDS,
    REQUIRED,
    ObjectiveRow,
    Parsed,
    check_conflicts,
    check_row,
)

FORMAT: rowfiles.RowFormat[ObjectiveRow] = rowfiles.RowFormat(
    fields=FIELDS,
    required=REQUIRED,
    texts=("objective", "valid_from"),
    contents="service, environment, objective and optional valid_from and min_severity",
    check=check_row,
    conflicts=check_conflicts,
    numbers=("objective",),
)
"""The objectives file format (``rowfiles``): its fields and its row check."""


parse_objective_file, parse_yaml, parse_csv = rowfiles.parsers(FORMAT, Parsed)
"""Parse an objectives file (its format from the suffix: .yaml/.yml/.csv), or YAML or CSV text.

Each returns the rows (repeats of one key with the same value dropped) and
the problems in line order, each as ``FILE:LINE: reason``, and never raises.
"""
