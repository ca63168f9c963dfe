"""The Opsgenie, New Relic and Splunk webhook fixtures of the adapter and gateway tests.

``opsgenie``, ``newrelic`` and ``splunk`` read a payload of
tests/fixtures/<source>/ (see each folder's SOURCES.md) as a dict; ``body``
reads it as the raw bytes a sender posts. ``only_alert``/``only_ticket``
check a conversion gave exactly one valid event of that type.
Used by tests/unit/gateway/test_adapter_{opsgenie,newrelic,splunk}_*.py and
test_gateway_{opsgenie,newrelic,splunk}.py.
"""

from __future__ import annotations

from typing import Any

from schemas.events import AlertEvent, TicketEvent
from streams.gateway.adapters.base import Converted
from tests.support import adapter_checks, paths

opsgenie = adapter_checks.fixture_loader("opsgenie")
newrelic = adapter_checks.fixture_loader("newrelic")
splunk = adapter_checks.fixture_loader("splunk")


def body(source: str, name: str) -> bytes:
    """Return tests/fixtures/SOURCE/NAME exactly as stored (the bytes a sender posts)."""
    return (paths.FIXTURES / source / name).read_bytes()


def only_alert(converted: Converted) -> dict[str, Any]:
    """Return the one alert event of ``converted`` (see ``adapter_checks.only_event``)."""
    return adapter_checks.only_event(converted, AlertEvent)


def only_ticket(converted: Converted) -> dict[str, Any]:
    """Return the one ticket event of ``converted`` (see ``adapter_checks.only_event``)."""
    return adapter_checks.only_event(converted, TicketEvent)
