"""Reading a webhook payload: parse the body, fetch typed fields by path, check events.

Every helper raises ``PayloadError`` whose message starts with the JSON path
of the problem (``alerts.0.startsAt: missing``), which the gateway answers
as HTTP 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from pydantic import ValidationError

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters.base import PayloadError


def parse_json(body: bytes) -> Any:
    """Parse a request body; ``PayloadError`` with the parser's message."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        msg = f"body is not valid JSON: {exc}"
        raise PayloadError(msg) from None


def require(payload: Any, path: str, kind: type | tuple[type, ...] = str) -> Any:
    """Return ``payload`` at dotted ``path`` (``a.b.0.c``); ``PayloadError`` if missing/mistyped.

    Example: ``require(body, "deployment_status.state")``.
    """
    current = payload
    walked: list[str] = []
    for part in path.split("."):
        walked.append(part)
        if isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        elif isinstance(current, dict) and part in current:
            current = current[part]
        else:
            msg = f"{'.'.join(walked)}: missing"
            raise PayloadError(msg)
    if not isinstance(current, kind) or isinstance(current, bool) and kind is not bool:
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        msg = f"{path}: expected {names}, got {type(current).__name__}"
        raise PayloadError(msg)
    return current


def optional_str(payload: Any, path: str) -> str | None:
    """Return the string at dotted ``path`` or None when absent/null; ``PayloadError`` otherwise."""
    parent_path, _, leaf = path.rpartition(".")
    parent = require(payload, parent_path, dict) if parent_path else payload
    if not isinstance(parent, dict):
        msg = f"body: expected a JSON object, got {type(parent).__name__}"
        raise PayloadError(msg)
    value = parent.get(leaf)
    if value is None or isinstance(value, str):
        return value
    msg = f"{path}: expected str, got {type(value).__name__}"
    raise PayloadError(msg)


def checked(event: dict[str, Any], paths: Mapping[str, str]) -> dict[str, Any]:
    """Return ``event`` if the contract accepts it; else ``PayloadError`` naming the payload path.

    ``paths`` maps an event field to the source's JSON path it came from, so
    the error says e.g. ``deployment.sha: String should match ...``.
    """
    try:
        EVENT_ADAPTER.validate_python(event)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False, include_input=False):
            where = str(error["loc"][1]) if len(error["loc"]) > 1 else ""
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{paths.get(where, where)}: {message}")
        msg = "; ".join(dict.fromkeys(problems))  # two fields from one path: said once
        raise PayloadError(msg) from None
    return event
