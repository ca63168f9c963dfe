"""New Relic adapter: payloads our template cannot have produced fail precisely.

The default template of New Relic has no ``activatedAt``/``closedAt``: such a
delivery is a ``PayloadError`` telling which line to add to the template,
never an event at ``updatedAt`` or at arrival.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.newrelic import NewRelicAdapter, NewRelicConfig, convert
from tests.support.observability_payloads import body
from tests.support.observability_payloads import newrelic as load

CONFIG = NewRelicConfig()


def edited(name: str, edit: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    payload = load(name)
    edit(payload)
    return payload


def test_the_default_template_lacks_the_transition_times() -> None:
    with pytest.raises(PayloadError) as activated:
        convert(load("zulip_activated_default.json"), CONFIG)
    assert str(activated.value) == (
        "activatedAt: missing or null; add the 'activatedAt' line of our payload template "
        "to the workflow (docs/sources/newrelic.md)"
    )
    with pytest.raises(PayloadError, match=r"^closedAt: missing or null; add the 'closedAt' line"):
        convert(load("zulip_closed_default.json"), CONFIG)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("[]", "body: expected a JSON object, got list"),
        ({}, "state: missing"),
        (edited("derived_activated.json", lambda p: p.pop("id")), "id: missing"),
        (edited("derived_activated.json", lambda p: p.update(id="")), "id: must not be blank"),
        (edited("derived_activated.json", lambda p: p.update(activatedAt="1713769949494")),
         "activatedAt: expected int, got str"),
        (edited("derived_activated.json", lambda p: p.update(activatedAt=4102444800000)),
         "activatedAt: 4102444800000 ms is outside 1970-01-01 .. 2100-01-01"),
        (edited("derived_activated.json", lambda p: p.pop("title")), "title: missing"),
        (edited("derived_activated.json", lambda p: p.update(priority="P1")),
         "priority: 'P1' is not one of CRITICAL, HIGH, MEDIUM, LOW"),
        (edited("derived_activated.json", lambda p: p.update(tags=["storage"])),
         "tags: expected dict, got list"),
        (edited("derived_activated.json", lambda p: p.update(tags={"service": [1]})),
         "tags.service.0: expected str, got int"),
        (edited("derived_activated.json", lambda p: p.update(impactedEntities=7, tags={})),
         "impactedEntities: expected list of str, got int"),
    ],
)  # fmt: skip
def test_malformed_payloads_name_the_field(payload: Any, message: str) -> None:
    with pytest.raises(PayloadError) as raised:
        convert([] if payload == "[]" else payload, CONFIG)
    assert str(raised.value) == message


def test_no_service_says_where_it_looked() -> None:
    payload = edited("derived_closed.json", lambda p: p.update(impactedEntities=[]))
    with pytest.raises(PayloadError, match=r"^tags\.service: no service \(no such entity tag"):
        convert(payload, CONFIG)


def test_the_adapter_parses_the_raw_body() -> None:
    adapter = NewRelicAdapter(CONFIG)
    assert [
        e["status"] for e in adapter.convert(body("newrelic", "derived_closed.json"), {}).events
    ] == ["resolved"]
    with pytest.raises(PayloadError, match="body is not valid JSON"):
        adapter.convert(b"", {})
    assert NewRelicAdapter.token_auth is True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"service_tag": ""}, "service_tag must not be empty"),
        ({"default_service": "x" * 129}, "invalid service/environment name"),
        ({"environment": " "}, "invalid service/environment name"),
    ],
)
def test_wrong_settings_fail_at_start_up(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        NewRelicConfig(**kwargs)
