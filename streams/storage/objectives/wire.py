"""Pure: the JSON form of a load, as ``mttr objectives`` posts it to ``/mttr/objectives/``.

A load is ``{"source": "file", "rows": [{"service": ..., "environment": ...,
"objective": 0.999, "min_severity": "high", "valid_from":
"2026-07-01T00:00:00Z"}, ...]}``; ``objective`` may be a number or a string,
``valid_from`` and ``min_severity`` may be left out or null. The worker
checks every row again with the same ``check_row``
(``storage/rowfiles.parse_body``), so a body sent by anything else gets the
same rules, with positions ``rows[N]`` (from 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from streams.storage.objectives.files import FORMAT
from streams.storage.objectives.rows import MAX_DECIMALS, ObjectiveRow, Parsed
from streams.storage.owners.rows import format_time
from streams.storage.rowfiles import parse_body


def to_body(source: str, rows: Sequence[ObjectiveRow]) -> dict[str, Any]:
    """Return the JSON body loading ``rows`` as ``source`` (``objective`` as a decimal string)."""
    return {
        "source": source,
        "rows": [
            {
                "service": r.service,
                "environment": r.environment,
                "objective": f"{r.objective:.{MAX_DECIMALS}f}".rstrip("0"),
                "min_severity": r.min_severity,
                "valid_from": format_time(r.valid_from),
            }
            for r in rows
        ],
    }


def from_body(body: object) -> tuple[str, Parsed]:
    """Return the source and the rows of a load body, with every problem found. Never raises."""
    source, rows, problems = parse_body(body, FORMAT)
    return source, Parsed(tuple(rows), tuple(problems))
