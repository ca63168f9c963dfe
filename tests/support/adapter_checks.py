"""Checks shared by the adapter tests: fixture payloads, the one-event and the change checks.

``fixture_loader(folder)`` returns a reader of the JSON payloads in
tests/fixtures/FOLDER/; ``only_event(converted, kind)`` checks a conversion
gave exactly one valid event of the given contract type and returns it;
``changes(converted)`` checks every event of a conversion is a change event the
worker accepts from the ``changes`` topic (``decode``) and returns them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson
from pydantic import BaseModel

from schemas.events import EVENT_ADAPTER, ChangeEvent
from streams.gateway.adapters.base import Converted
from streams.ingest.decode import Decoded, Origin, decode
from tests.support import paths

MAX_BYTES = 1 << 20


def fixture_loader(folder: str) -> Callable[[str], dict[str, Any]]:
    """Return ``load(name)``: the JSON payload tests/fixtures/FOLDER/NAME as a dict."""

    def load(name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((paths.FIXTURES / folder / name).read_text())
        return data

    return load


def only_event(converted: Converted, kind: type[BaseModel]) -> dict[str, Any]:
    """Return the one event of ``converted``; fail unless it is a valid ``kind`` event."""
    assert converted.ignored is None
    assert len(converted.events) == 1
    event = converted.events[0]
    assert isinstance(EVENT_ADAPTER.validate_python(event), kind)
    return event


def changes(converted: Converted) -> list[dict[str, Any]]:
    """Return the events of ``converted``; fail unless each decodes as a change event.

    Each event is decoded as the worker decodes a message of the ``changes``
    topic (``decode(..., expected_type="change")``).
    """
    assert converted.ignored is None
    for event in converted.events:
        decoded = decode(
            orjson.dumps(event),
            Origin("changes", 0, 0),
            expected_type="change",
            max_bytes=MAX_BYTES,
        )
        assert isinstance(decoded, Decoded), decoded
        assert isinstance(decoded.event, ChangeEvent)
    return converted.events
