"""The PagerDuty webhook fixtures for the adapter tests, and their checks.

``load()`` reads a payload of tests/fixtures/pagerduty/ (the v3 webhook
documentation examples and variants derived from them, see SOURCES.md);
``only_event()`` checks a conversion gave exactly one valid ticket event;
``CONFIG`` is the default config. Used by tests/unit/gateway/test_adapter_pagerduty_*.py.
"""

from __future__ import annotations

from typing import Any

from schemas.events import TicketEvent
from streams.gateway.adapters.base import Converted
from streams.gateway.adapters.pagerduty import PagerDutyConfig
from tests.support import adapter_checks, paths

FIXTURES = paths.FIXTURES / "pagerduty"
CONFIG = PagerDutyConfig()
load = adapter_checks.fixture_loader("pagerduty")


def only_event(converted: Converted) -> dict[str, Any]:
    """Return the one ticket event of ``converted`` (see ``adapter_checks.only_event``)."""
    return adapter_checks.only_event(converted, TicketEvent)
