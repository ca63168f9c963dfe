"""Opsgenie adapter, properties: any value at any path read gives a valid event, an ignore
or a ``PayloadError``; and the event id's milliseconds are the event's own time.

streams/gateway/adapters/opsgenie.py and docs/sources/opsgenie.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.opsgenie import OpsgenieConfig, convert, event_id
from tests.support.observability_payloads import opsgenie as load
from tests.support.strategies import JSON

PATHS = [("action",), ("alert",)] + [
    ("alert", key)
    for key in ("alertId", "message", "tags", "teams", "priority", "createdAt", "updatedAt",
                "description", "alias", "entity", "tinyId")
]  # fmt: skip
CONFIGS = st.sampled_from(
    [
        OpsgenieConfig(tag_prefix="service="),
        OpsgenieConfig(mode="alerts", tag_prefix="service="),
        OpsgenieConfig(default_service="fallback"),
    ]
)
NAMES = st.sampled_from(["derived_create.json", "derived_acknowledge.json", "derived_close.json"])
MAX_MS = 4102444800000  # 2100-01-01


@settings(max_examples=300, deadline=None)
@given(name=NAMES, config=CONFIGS, path=st.sampled_from(PATHS), value=JSON)
def test_any_value_anywhere_is_converted_ignored_or_a_payload_error(
    name: str, config: OpsgenieConfig, path: tuple[str, ...], value: Any
) -> None:
    payload: Any = load(name)
    target = payload
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    try:
        converted = convert(payload, config)
    except PayloadError:
        return
    for event in converted.events:
        EVENT_ADAPTER.validate_python(event)


@settings(max_examples=200, deadline=None)
@given(
    name=NAMES,
    ms=st.integers(0, MAX_MS - 1),
    ns_rest=st.integers(0, 999_999),
    config=CONFIGS,
)
def test_the_id_carries_the_millisecond_of_occurred_at(
    name: str, ms: int, ns_rest: int, config: OpsgenieConfig
) -> None:
    payload = load(name)
    payload["alert"]["createdAt"] = ms
    payload["alert"]["updatedAt"] = ms * 1_000_000 + ns_rest if ms >= 10**11 else ms
    converted = convert(payload, config)
    for event in converted.events:
        occurred = datetime.fromisoformat(event["occurred_at"])
        assert event["event_id"] == event_id(
            payload["alert"]["alertId"], payload["action"], occurred
        )
        assert event["event_id"].endswith(f"-{ms}")
