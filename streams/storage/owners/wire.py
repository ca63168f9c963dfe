"""Pure: the JSON form of a load, as ``mttr owners`` posts it to a worker's ``/mttr/owners/``.

A load is ``{"source": "file", "rows": [{"service": ..., "team": ...,
"valid_from": "2026-03-15T00:00:00Z"}, ...]}``; ``valid_from`` may be left
out or null (the beginning). The worker checks every row again with the same
``check_row``, so a body sent by anything else gets the same rules, with
positions ``rows[N]`` (from 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from streams.storage.owners.files import FORMAT
from streams.storage.owners.rows import OwnerRow, Parsed, format_time
from streams.storage.rowfiles import parse_body


def to_body(source: str, rows: Sequence[OwnerRow]) -> dict[str, Any]:
    """Return the JSON body loading ``rows`` as ``source``."""
    return {
        "source": source,
        "rows": [
            {"service": r.service, "team": r.team, "valid_from": format_time(r.valid_from)}
            for r in rows
        ],
    }


def from_body(body: object) -> tuple[str, Parsed]:
    """Return the source and the rows of a load body, with every problem found.

    Never raises; a body that is not an object with a valid ``source`` and a
    list ``rows`` is one problem at ``body``, ``source`` or ``rows``.
    """
    source, rows, problems = parse_body(body, FORMAT)
    return source, Parsed(tuple(rows), tuple(problems))
