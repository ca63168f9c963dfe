"""New Relic adapter, properties: any value at any field read gives a valid event, an
ignore or a ``PayloadError``; notifications of one active issue share one event id.

streams/gateway/adapters/newrelic.py and docs/sources/newrelic.md.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.newrelic import NewRelicConfig, convert
from tests.support.observability_payloads import newrelic as load
from tests.support.strategies import JSON

FIELDS = [
    "id", "state", "title", "priority", "activatedAt", "closedAt", "tags", "impactedEntities",
    "alertConditionNames", "alertPolicyNames", "trigger", "workflowName", "issueUrl",
]  # fmt: skip
CONFIG = NewRelicConfig()


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(["derived_activated.json", "derived_closed.json"]),
    key=st.sampled_from(FIELDS),
    value=JSON,
)
def test_any_value_anywhere_is_converted_ignored_or_a_payload_error(
    name: str, key: str, value: Any
) -> None:
    payload = load(name)
    payload[key] = value
    try:
        converted = convert(payload, CONFIG)
    except PayloadError:
        return
    for event in converted.events:
        EVENT_ADAPTER.validate_python(event)


@settings(max_examples=100, deadline=None)
@given(
    updated=st.integers(1713769949494, 1713869949494),
    trigger=st.sampled_from(["INCIDENT_ADDED", "USER_ACTION", "PRIORITY_CHANGED", "STATE_CHANGE"]),
    priority=st.sampled_from(["CRITICAL", "HIGH", "MEDIUM", "LOW"]),
)
def test_every_notification_of_an_active_issue_has_the_activation_id(
    updated: int, trigger: str, priority: str
) -> None:
    first = convert(load("derived_activated.json"), CONFIG).events[0]
    again = load("derived_activated.json")
    again.update(updatedAt=updated, trigger=trigger, priority=priority)
    (event,) = convert(again, CONFIG).events
    assert (event["event_id"], event["occurred_at"]) == (first["event_id"], first["occurred_at"])
