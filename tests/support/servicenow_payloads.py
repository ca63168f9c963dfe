"""The ServiceNow incident fixtures for the adapter tests, and their checks.

``load()`` reads a body of tests/fixtures/servicenow/ (the JSON our business
rule posts, built from the incident table's fields, see SOURCES.md);
``only_event()`` checks a conversion gave exactly one valid ticket event.
``CONFIG`` is the default config. Used by tests/unit/gateway/test_adapter_servicenow*.py.
"""

from __future__ import annotations

from typing import Any

from schemas.events import TicketEvent
from streams.gateway.adapters.base import Converted
from streams.gateway.adapters.servicenow import ServiceNowConfig
from tests.support import adapter_checks, paths

FIXTURES = paths.FIXTURES / "servicenow"
CONFIG = ServiceNowConfig()
load = adapter_checks.fixture_loader("servicenow")


def only_event(converted: Converted) -> dict[str, Any]:
    """Return the one ticket event of ``converted`` (see ``adapter_checks.only_event``)."""
    return adapter_checks.only_event(converted, TicketEvent)
