"""Splunk adapter, properties: any value in the payload or the result row gives a valid
event or a ``PayloadError``; epoch seconds and ISO 8601 give the same time and id.

streams/gateway/adapters/splunk.py and docs/sources/splunk.md.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.splunk import SplunkConfig, convert
from tests.support.observability_payloads import splunk as load
from tests.support.strategies import JSON

CONFIG = SplunkConfig()
TOP = ["result", "search_name", "sid", "results_link", "owner", "app"]
ROW = ["_time", "service", "severity", "status", "state", "alert_id", "host", "environment", "_raw"]


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(["derived_firing.json", "derived_resolved.json"]),
    where=st.sampled_from([("top", key) for key in TOP] + [("row", key) for key in ROW]),
    value=JSON,
)
def test_any_value_anywhere_is_converted_or_a_payload_error(
    name: str, where: tuple[str, str], value: Any
) -> None:
    payload = load(name)
    (payload if where[0] == "top" else payload["result"])[where[1]] = value
    try:
        converted = convert(payload, CONFIG)
    except PayloadError:
        return
    (event,) = converted.events
    EVENT_ADAPTER.validate_python(event)


@settings(max_examples=200, deadline=None)
@given(
    ms=st.integers(0, 4102444800000 - 1),
    offset_minutes=st.integers(-14 * 60, 14 * 60),
)
def test_epoch_seconds_and_iso_8601_give_the_same_event(ms: int, offset_minutes: int) -> None:
    instant = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    local = instant.astimezone(timezone(timedelta(minutes=offset_minutes)))
    as_seconds, as_iso = load("derived_firing.json"), load("derived_firing.json")
    as_seconds["result"]["_time"] = f"{ms // 1000}.{ms % 1000:03d}"
    as_iso["result"]["_time"] = local.isoformat(timespec="milliseconds")
    assert convert(as_seconds, CONFIG) == convert(as_iso, CONFIG)
