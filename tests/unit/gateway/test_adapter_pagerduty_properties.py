"""PagerDuty adapter, property: any value at any path the adapter reads gives a valid
event, an ignore or a ``PayloadError``, never another exception.

README.md, "Webhooks: ``mttr gateway``", and streams/gateway/adapters/pagerduty.py.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.pagerduty import convert
from tests.support.pagerduty_payloads import CONFIG, load
from tests.support.strategies import JSON

# --- robustness -------------------------------------------------------------------------

PATHS = [
    ("event",),
    ("event", "id"),
    ("event", "event_type"),
    ("event", "occurred_at"),
    ("event", "data"),
    ("event", "data", "type"),
    ("event", "data", "id"),
    ("event", "data", "title"),
    ("event", "data", "html_url"),
    ("event", "data", "service"),
    ("event", "data", "service", "id"),
    ("event", "data", "service", "summary"),
    ("event", "data", "priority"),
    ("event", "data", "urgency"),
]


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from(PATHS), value=JSON)
def test_any_value_anywhere_is_converted_ignored_or_a_payload_error(
    path: tuple[str, ...], value: Any
) -> None:
    payload: Any = load("derived_incident_triggered.json")
    target = payload
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    try:
        converted = convert(payload, CONFIG)
    except PayloadError:
        return
    for event in converted.events:
        EVENT_ADAPTER.validate_python(event)
