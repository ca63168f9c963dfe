"""The Jira webhook fixtures for the adapter tests, and their checks.

``load()`` reads a payload of tests/fixtures/jira/ (the Jira Cloud
documentation example and labelled variants derived from it, see SOURCES.md);
``only_event()`` checks a conversion gave exactly one valid ticket event;
``CONFIG`` is the default config. Used by tests/unit/gateway/test_adapter_jira_*.py.
"""

from __future__ import annotations

from typing import Any

from schemas.events import TicketEvent
from streams.gateway.adapters.base import Converted
from streams.gateway.adapters.jira import JiraConfig
from tests.support import adapter_checks, paths

FIXTURES = paths.FIXTURES / "jira"
CONFIG = JiraConfig()
load = adapter_checks.fixture_loader("jira")


def only_event(converted: Converted) -> dict[str, Any]:
    """Return the one ticket event of ``converted`` (see ``adapter_checks.only_event``)."""
    return adapter_checks.only_event(converted, TicketEvent)
