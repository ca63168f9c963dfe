"""Jira adapter, property: any value at any path the adapter reads gives a valid event,
an ignore or a ``PayloadError``, never another exception.

README.md, "Webhooks: ``mttr gateway``", and streams/gateway/adapters/jira.py.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.jira import convert
from tests.support.jira_payloads import CONFIG, load
from tests.support.strategies import JSON

# --- robustness -------------------------------------------------------------------------

PATHS = [
    ("webhookEvent",),
    ("timestamp",),
    ("issue",),
    ("issue", "id"),
    ("issue", "key"),
    ("issue", "self"),
    ("issue", "fields"),
    ("issue", "fields", "status"),
    ("issue", "fields", "status", "name"),
    ("issue", "fields", "priority"),
    ("issue", "fields", "labels"),
    ("issue", "fields", "summary"),
    ("changelog",),
    ("changelog", "items"),
]


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from(PATHS), value=JSON)
def test_any_value_anywhere_is_converted_ignored_or_a_payload_error(
    path: tuple[str, ...], value: Any
) -> None:
    payload: Any = load("derived_issue_updated_status.json")
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
