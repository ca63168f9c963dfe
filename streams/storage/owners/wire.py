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

from streams.storage.owners.rows import (
    Given,
    OwnerRow,
    Parsed,
    Problem,
    check_conflicts,
    check_name,
    check_row,
    format_time,
)

_JSON_KINDS = {bool: "a boolean", int: "a number", float: "a number", list: "a list",
               dict: "an object"}  # fmt: skip


def to_body(source: str, rows: Sequence[OwnerRow]) -> dict[str, Any]:
    """Return the JSON body loading ``rows`` as ``source``."""
    return {
        "source": source,
        "rows": [
            {"service": r.service, "team": r.team, "valid_from": format_time(r.valid_from)}
            for r in rows
        ],
    }


def _given(value: object, where: str) -> Given:
    if value is None or isinstance(value, str):
        return Given(value, where)
    return Given(None, where, f"must be a string, not {_JSON_KINDS.get(type(value), 'that')}")


def from_body(body: object) -> tuple[str, Parsed]:
    """Return the source and the rows of a load body, with every problem found.

    Never raises; a body that is not an object with a valid ``source`` and a
    list ``rows`` is one problem at ``body``, ``source`` or ``rows``.
    """
    if not isinstance(body, dict):
        return "", Parsed(problems=(Problem("body", "must be a JSON object with source and rows"),))
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
        problems.append(
            Problem("rows", "must be a list of objects with service, team and optional valid_from")
        )
        return source, Parsed(problems=tuple(problems))
    rows: list[OwnerRow] = []
    for index, item in enumerate(items):
        where = f"rows[{index}]"
        if not isinstance(item, dict):
            problems.append(
                Problem(where, "must be an object with service, team and optional valid_from")
            )
            continue
        result = check_row({str(k): _given(v, where) for k, v in item.items()}, where)
        if isinstance(result, OwnerRow):
            rows.append(result)
        else:
            problems += result
    checked = check_conflicts(rows)
    return source, Parsed(checked.rows, (*problems, *checked.problems))
