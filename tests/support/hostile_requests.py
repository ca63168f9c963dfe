"""Hostile request bodies for every gateway route, and the checks every answer must pass.

Bodies: ``NOT_JSON``, ``INVALID_UTF8``, ``NOT_OBJECTS`` (a JSON array, number,
string, boolean and null where an object is expected), ``DEEP_ARRAYS`` and
``DEEP_OBJECTS`` (past the parser's depth limit), ``oversized(limit)``
(one byte over the body limit), ``swapped(payload)`` (every value of a valid
payload replaced by one of another JSON type), and ``leaf_paths`` /
``replaced`` to put any value at one place of a valid payload.

Checks: ``assert_refused(answer, status)``: the status, a JSON body that is
exactly ``{"error": "<non-empty text>"}`` without a traceback or any secret
of tests/support/gateway_routes.py, nothing published. ``assert_sound(answer)``:
what any answer to anything must be (no 5xx, JSON, a refusal publishes
nothing, an acceptance publishes exactly the events it names, each valid).
Used by tests/unit/gateway/test_hostile_routes*.py.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import orjson

from schemas.events import EVENT_ADAPTER
from tests.support.gateway_requests import Answer
from tests.support.gateway_routes import SECRETS

Path = tuple[str | int, ...]

NOT_JSON = b"this is not JSON"
INVALID_UTF8 = b'{"service": "\xff\xfe"}'
NOT_OBJECTS = {
    "array": b"[1, 2]",
    "number": b"42",
    "string": b'"event"',
    "boolean": b"true",
    "null": b"null",
}
DEEP_ARRAYS = b"[" * 5000 + b"]" * 5000
DEEP_OBJECTS = b'{"a":' * 3000 + b"1" + b"}" * 3000
NOT_VALID_JSON = "body is not valid JSON: "
"""How every route's error starts when the body does not parse."""
TRACEBACK_MARKS = ("Traceback", 'File "', "Error(")


def oversized(limit: int) -> bytes:
    """Return a JSON object of ``limit + 1`` bytes (valid JSON: only its size is wrong)."""
    head, tail = b'{"pad": "', b'"}'
    return head + b"x" * (limit + 1 - len(head) - len(tail)) + tail


def swapped(value: Any) -> Any:
    """Return ``value`` with every leaf replaced by a value of another JSON type.

    Strings become numbers, numbers and booleans strings, null an object;
    arrays become objects and objects keep their keys with swapped values
    (an empty object becomes an array).
    """
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return 12345
    if value is None:
        return {"null": True}
    if isinstance(value, list):
        return {"items": [swapped(item) for item in value]}
    if isinstance(value, dict) and value:
        return {key: swapped(item) for key, item in value.items()}
    return ["object"]


def leaf_paths(value: Any, path: Path = ()) -> Iterator[Path]:
    """Yield the path of every value in ``value`` (itself first, then depth first)."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaf_paths(item, (*path, index))


def replaced(value: Any, path: Path, new: Any) -> Any:
    """Return a copy of ``value`` with ``new`` at ``path`` (the whole value for ``()``)."""
    if not path:
        return new
    copied = copy.deepcopy(value)
    parent = copied
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = new
    return copied


def assert_refused(answer: Answer, status: int) -> str:
    """Check a refusal (see the module docstring) and return its error text."""
    assert answer.status == status, (answer.status, answer.text)
    assert isinstance(answer.body, dict) and set(answer.body) == {"error"}, answer.text
    error = answer.body["error"]
    assert isinstance(error, str) and error.strip(), answer.text
    assert not any(mark in error for mark in TRACEBACK_MARKS), error
    assert not any(secret in answer.text for secret in SECRETS), error
    assert answer.published == []
    return error


def assert_sound(answer: Answer) -> None:
    """Check what any answer must be, whatever was sent (see the module docstring)."""
    assert answer.status < 500, (answer.status, answer.text)
    assert isinstance(answer.body, dict), answer.text
    assert not any(secret in answer.text for secret in SECRETS), answer.text
    if answer.status >= 400 or answer.status == 202:
        assert set(answer.body) == {"error" if answer.status >= 400 else "ignored"}, answer.body
        assert answer.published == []
        return
    assert answer.status == 200, answer.text
    assert answer.body["event_ids"] == [event["event_id"] for event in answer.published]
    assert answer.body["accepted"] == len(answer.published) > 0
    for event in answer.published:
        EVENT_ADAPTER.validate_python(orjson.loads(orjson.dumps(event)))
