"""Opsgenie adapter: malformed payloads and wrong settings fail precisely.

A payload that is not an Opsgenie alert action is a ``PayloadError`` naming
the JSON path (HTTP 400); a wrong setting is a ``ValueError`` at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.opsgenie import OpsgenieAdapter, OpsgenieConfig, convert
from tests.support.observability_payloads import body
from tests.support.observability_payloads import opsgenie as load

CONFIG = OpsgenieConfig(tag_prefix="service=")


def edited(name: str, edit: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    payload = load(name)
    edit(payload)
    return payload


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "body: expected a JSON object, got list"),
        ({}, "action: missing"),
        ({"action": 7}, "action: expected str, got int"),
        (edited("derived_create.json", lambda p: p["alert"].pop("alertId")),
         "alert.alertId: missing"),
        (edited("derived_create.json", lambda p: p["alert"].update(alertId=" ")),
         "alert.alertId: must not be blank"),
        (edited("derived_create.json", lambda p: p["alert"].pop("createdAt")),
         "alert.createdAt: missing"),
        (edited("derived_create.json", lambda p: p["alert"].update(createdAt="1639476708514")),
         "alert.createdAt: expected int, got str"),
        (edited("derived_close.json", lambda p: p["alert"].pop("updatedAt")),
         "alert.updatedAt: missing"),
        (edited("derived_close.json", lambda p: p["alert"].update(updatedAt=1639521280284000)),
         "alert.updatedAt: 1639521280284000 is neither epoch milliseconds nor nanoseconds"),
        (edited("derived_create.json", lambda p: p["alert"].update(createdAt=-1)),
         "alert.createdAt: -1 ms is outside 1970-01-01 .. 2100-01-01"),
        (edited("derived_create.json", lambda p: p["alert"].update(priority="P9")),
         "alert.priority: 'P9' is not one of P1, P2, P3, P4, P5"),
        (edited("derived_create.json", lambda p: p["alert"].update(tags="service=x")),
         "alert.tags: expected list, got str"),
        (edited("derived_create.json", lambda p: p["alert"].update(tags=[1])),
         "alert.tags.0: expected str, got int"),
        (edited("derived_create.json", lambda p: p["alert"].pop("message")),
         "alert.message: missing"),
    ],
)  # fmt: skip
def test_malformed_payloads_name_the_path(payload: Any, message: str) -> None:
    with pytest.raises(PayloadError) as raised:
        convert(payload, CONFIG)
    assert str(raised.value) == message


def test_an_alert_needs_a_message_for_its_name() -> None:
    payload = edited("derived_create.json", lambda p: p["alert"].update(message=" "))
    assert convert(payload, CONFIG).events[0]["title"] == " "  # a ticket title may be blank
    with pytest.raises(PayloadError, match=r"^alert\.message: must not be blank$"):
        convert(payload, OpsgenieConfig(mode="alerts", tag_prefix="service="))


def test_no_service_names_every_place_looked() -> None:
    with pytest.raises(PayloadError, match=r"no tag starting with 'service:' in alert\.tags"):
        convert(load("derived_create.json"), OpsgenieConfig())


def test_the_adapter_parses_the_raw_body() -> None:
    adapter = OpsgenieAdapter(CONFIG)
    converted = adapter.convert(body("opsgenie", "derived_create.json"), {})
    assert [e["status"] for e in converted.events] == ["opened"]
    with pytest.raises(PayloadError, match="body is not valid JSON"):
        adapter.convert(b"{not json", {})
    assert OpsgenieAdapter.token_auth is True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "incidents"}, "mode: 'incidents' is not one of"),
        ({"close_status": "mitigated"}, "close_status: 'mitigated' is not one of"),
        ({"tag_prefix": " "}, "tag_prefix must not be empty"),
        ({"team_services": {"t": ""}}, "invalid service/environment name ''"),
        ({"environment": "a\nb"}, "invalid service/environment name"),
    ],
)
def test_wrong_settings_fail_at_start_up(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OpsgenieConfig(**kwargs)
