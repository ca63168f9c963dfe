"""Checks shared by the adapter tests: fixture payloads and the one-event check.

``fixture_loader(folder)`` returns a reader of the JSON payloads in
tests/fixtures/FOLDER/; ``only_event(converted, kind)`` checks a conversion
gave exactly one valid event of the given contract type and returns it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters.base import Converted
from tests.support import paths


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
