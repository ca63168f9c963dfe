"""Splunk adapter: payloads that cannot be placed in time or named fail precisely.

A result row without a time is a ``PayloadError`` (HTTP 400): the arrival time
is never used. So is an ad-hoc search (no ``search_name``) and a result without
a service when no default is configured.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.splunk import SplunkAdapter, SplunkConfig, convert
from tests.support.observability_payloads import body
from tests.support.observability_payloads import splunk as load

CONFIG = SplunkConfig()


def edited(edit: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    payload = load("derived_firing.json")
    edit(payload)
    return payload


def test_the_documentation_example_is_an_ad_hoc_search() -> None:
    with pytest.raises(PayloadError) as raised:
        convert(load("docs_example.json"), CONFIG)
    assert (
        str(raised.value) == "search_name: missing or null (an ad-hoc search; save it as an alert)"
    )


def test_a_result_without_time_is_rejected_not_timed_at_arrival() -> None:
    with pytest.raises(PayloadError) as raised:
        convert(edited(lambda p: p["result"].pop("_time")), CONFIG)
    assert str(raised.value) == (
        "result._time: missing; the first result row must carry its time "
        "(keep _time in the search, e.g. stats latest(_time) AS _time)"
    )


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([1], "body: expected a JSON object, got list"),
        (edited(lambda p: p.update(search_name=3)), "search_name: expected str, got int"),
        (edited(lambda p: p.update(search_name=" ")), "search_name: must not be blank"),
        (edited(lambda p: p.pop("result")), "result: missing"),
        (edited(lambda p: p.update(result=[])), "result: expected dict, got list"),
        (edited(lambda p: p["result"].update(_time="yesterday")),
         "result._time: 'yesterday' is neither epoch seconds nor an ISO 8601 time"),
        (edited(lambda p: p["result"].update(_time="2024-04-22T07:12:29")),
         "result._time: '2024-04-22T07:12:29' has no UTC offset (naive times are rejected)"),
        (edited(lambda p: p["result"].update(_time="-1")),
         "result._time: -1000 ms is outside 1970-01-01 .. 2100-01-01"),
        (edited(lambda p: p["result"].update(_time={"s": 1})),
         "result._time: expected a string field value, got dict"),
        (edited(lambda p: p["result"].pop("service")),
         "result.service: missing (no service field, no default service)"),
        (edited(lambda p: p["result"].update(service=True)),
         "result.service: expected a string field value, got bool"),
        (edited(lambda p: p["result"].update(alert_id="a" * 300)),
         # event_id and alert_id both come from result.alert_id: named once
         "result.alert_id: String should have at most 256 characters"),
    ],
)  # fmt: skip
def test_malformed_payloads_name_the_path(payload: Any, message: str) -> None:
    with pytest.raises(PayloadError) as raised:
        convert(payload, CONFIG)
    assert str(raised.value) == message


def test_the_adapter_parses_the_raw_body() -> None:
    adapter = SplunkAdapter(CONFIG)
    converted = adapter.convert(body("splunk", "derived_resolved.json"), {})
    assert [e["status"] for e in converted.events] == ["resolved"]
    with pytest.raises(PayloadError, match="body is not valid JSON"):
        adapter.convert(b"result=1", {})
    assert SplunkAdapter.token_auth is True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"time_field": ""}, "field names must not be empty"),
        ({"status_fields": ("status", " ")}, "field names must not be empty"),
        ({"default_service": "\t"}, "invalid service/environment name"),
    ],
)
def test_wrong_settings_fail_at_start_up(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SplunkConfig(**kwargs)
