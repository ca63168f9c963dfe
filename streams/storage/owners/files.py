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

from streams.storage import rowfiles
from streams.storage.owners.rows import FIELDS, OwnerRow, Parsed, check_conflicts, check_row

FORMAT: rowfiles.RowFormat[OwnerRow] = rowfiles.RowFormat(
    fields=FIELDS,
    required=("service", "team"),
    texts=("valid_from",),
    contents="service, team and optional valid_from",
    check=check_row,
    conflicts=check_conflicts,
)
"""The ownership file format (``rowfiles``): its fields and its row check."""


parse_owner_file, parse_yaml, parse_csv = rowfiles.parsers(FORMAT, Parsed)
"""Parse an ownership file (its format from the suffix: .yaml/.yml/.csv), or YAML or CSV text.

Each returns the rows (repeats of one key with the same value dropped) and
the problems in line order, each as ``FILE:LINE: reason``, and never raises.
"""
