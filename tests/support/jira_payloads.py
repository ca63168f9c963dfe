"""The Jira webhook fixtures for the adapter tests, and their checks.

``load()`` reads a payload of tests/fixtures/jira/ (the Jira Cloud
documentation example and labelled variants derived from it, see SOURCES.md);
``only_event()`` checks a conversion gave exactly one valid ticket event;
``CONFIG`` is the default config. Used by tests/unit/gateway/test_adapter_jira_*.py.
"""

from __future__ import annotations

import json
from typing import Any

from schemas.events import EVENT_ADAPTER, TicketEvent
from streams.gateway.adapters.base import Converted
from streams.gateway.adapters.jira import JiraConfig
from tests.support import paths

FIXTURES = paths.FIXTURES / "jira"
CONFIG = JiraConfig()


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def only_event(converted: Converted) -> dict[str, Any]:
    assert converted.ignored is None
    assert len(converted.events) == 1
    event = converted.events[0]
    assert isinstance(EVENT_ADAPTER.validate_python(event), TicketEvent)
    return event
