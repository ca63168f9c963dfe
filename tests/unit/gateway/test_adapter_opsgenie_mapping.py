"""Opsgenie adapter: documented webhook payloads in, exact ticket or alert events out.

Fixtures are Opsgenie's documented action data (as kept by Zulip's tests), a
captured payload of a public project, and a lifecycle derived from it
(tests/fixtures/opsgenie/SOURCES.md); expected events are worked out by hand
from the fixture text. docs/sources/opsgenie.md states the mapping.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from streams.gateway.adapters.opsgenie import OpsgenieConfig, convert, event_id
from tests.support.observability_payloads import only_alert, only_ticket
from tests.support.observability_payloads import opsgenie as load

ALERT_ID = "f3efa74b-29cc-4a4f-9bb7-804d7c1be544-1639476708514"
MESSAGE = (
    "[Prometheus]: [FIRING:1]  (NonCompletedDeletions lykon-service-0.8.3 app http-probe "
    "10.0.3.129:9090 gdpr-deleter-srv gdpr gdpr-del"
)
TEAM = "a6da4929-aa71-41bc-ac30-ac7ae9519034"  # alert.teams of the capture: team ids
CONFIG = OpsgenieConfig(tag_prefix="service=")  # the capture tags "service=gdpr-deleter-srv"
TICKET = {
    "type": "ticket",
    "source": "opsgenie",
    "service": "gdpr-deleter-srv",
    "environment": "production",
    "ticket_id": ALERT_ID,
    "title": MESSAGE,
    "severity": "critical",  # priority P1
}


@pytest.mark.parametrize(
    ("name", "action", "ms", "occurred_at", "status"),
    [
        ("derived_create.json", "create", 1639476708514, "2021-12-14T10:11:48.514Z", "opened"),
        ("derived_acknowledge.json", "acknowledge", 1639477012345,
         "2021-12-14T10:16:52.345Z", "acknowledged"),  # updatedAt ns ...012345678901 floored
        ("derived_close.json", "close", 1639521280284, "2021-12-14T22:34:40.284Z", "resolved"),
    ],
)  # fmt: skip
def test_lifecycle_becomes_ticket_events(
    name: str, action: str, ms: int, occurred_at: str, status: str
) -> None:
    event = only_ticket(convert(load(name), CONFIG))
    assert event == {
        **TICKET,
        "event_id": f"opsgenie-{ALERT_ID}-{action}-{ms}",
        "occurred_at": occurred_at,
        "status": status,
    }


def test_alerts_mode_create_and_close_are_firing_and_resolved() -> None:
    config = OpsgenieConfig(mode="alerts", tag_prefix="service=")
    firing = only_alert(convert(load("derived_create.json"), config))
    assert firing["event_id"] == f"opsgenie-{ALERT_ID}-create-1639476708514"  # as in tickets mode
    assert (firing["status"], firing["severity"]) == ("firing", "critical")
    assert firing["name"] == MESSAGE[:128]
    assert firing["starts_at"] == firing["occurred_at"] == "2021-12-14T10:11:48.514Z"
    assert firing["summary"].startswith("There are 1 non-completed deletions in crm-srv")
    assert firing["labels"] == {
        "alias": "94d30522a04f65515397ec16b26d4e0fee5946671e0c985ac07aca345aba1968",
        "tinyId": "444",
        "source": "http://kube-prometheus-kube-prome-alertmanager.monitoring:9093/#/alerts?receiver=opsgenie",
        "username": "italo.vietro@lykon.com",
        "priority": "P1",
        "tags": "service=gdpr-deleter-srv",
    }  # fmt: skip
    resolved = only_alert(convert(load("derived_close.json"), config))
    assert (resolved["status"], resolved["occurred_at"]) == ("resolved", "2021-12-14T22:34:40.284Z")
    assert resolved["starts_at"] == "2021-12-14T10:11:48.514Z"  # alert.createdAt
    assert resolved["summary"] == MESSAGE  # no description outside Create


@pytest.mark.parametrize(
    ("name", "mode"),
    [
        ("watchops_addnote.json", "tickets"),
        ("zulip_addnote.json", "tickets"),
        ("zulip_unacknowledge.json", "tickets"),
        ("derived_acknowledge.json", "alerts"),
        ("watchops_addnote.json", "alerts"),
    ],
)
def test_other_actions_are_ignored(name: str, mode: str) -> None:
    converted = convert(load(name), OpsgenieConfig(mode=mode, tag_prefix="service="))
    assert converted.events == []
    assert converted.ignored is not None
    assert repr(load(name)["action"]) in converted.ignored


def test_documented_examples_with_a_default_service() -> None:
    config = OpsgenieConfig(default_service="payments")
    ack = only_ticket(convert(load("zulip_acknowledge.json"), config))
    assert ack == {
        "event_id": "opsgenie-052652ac-5d1c-464a-812a-7dd18bbfba8c-acknowledge-1420452224764",
        "type": "ticket",
        "source": "opsgenie",
        "service": "payments",  # tags tag1, tag2: no service tag
        "environment": "production",
        "occurred_at": "2015-01-05T10:03:44.764Z",  # updatedAt 1420452224764002246 ns
        "ticket_id": "052652ac-5d1c-464a-812a-7dd18bbfba8c",
        "status": "acknowledged",
        "severity": None,  # this payload carries no priority
        "title": "test alert",
    }
    close = only_ticket(convert(load("zulip_close.json"), config))
    assert close["occurred_at"] == "2015-01-05T10:06:14.669Z"
    create = only_ticket(convert(load("zulip_create.json"), config))
    assert (create["severity"], create["occurred_at"]) == ("medium", "2017-08-14T11:25:56.288Z")


def test_close_status_can_be_closed() -> None:
    config = OpsgenieConfig(tag_prefix="service=", close_status="closed")
    assert only_ticket(convert(load("derived_close.json"), config))["status"] == "closed"


# --- service ------------------------------------------------------------------------------


def test_a_service_tag_wins_over_the_team_map() -> None:
    config = OpsgenieConfig(tag_prefix="SERVICE=", team_services={TEAM.upper(): "crm"})
    event = only_ticket(convert(load("derived_create.json"), config))
    assert event["service"] == "gdpr-deleter-srv"


def test_the_team_map_names_the_service_without_a_tag() -> None:
    config = OpsgenieConfig(team_services={TEAM: "crm"}, default_service="other")
    assert only_ticket(convert(load("derived_create.json"), config))["service"] == "crm"


def test_the_default_service_comes_last() -> None:
    config = OpsgenieConfig(team_services={"another-team": "crm"}, default_service="other")
    assert only_ticket(convert(load("derived_create.json"), config))["service"] == "other"


# --- priority -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("priority", "severity"),
    [("P1", "critical"), ("p2", "high"), ("P3", "medium"), ("P4", "low"), ("P5", "low"),
     (1, "critical"), (3, "medium"), (5, "low")],
)  # fmt: skip
def test_priority_maps_to_severity(priority: object, severity: str) -> None:
    payload = load("derived_create.json")
    payload["alert"]["priority"] = priority
    assert only_ticket(convert(payload, CONFIG))["severity"] == severity
    alerts = OpsgenieConfig(mode="alerts", tag_prefix="service=")
    assert only_alert(convert(payload, alerts))["severity"] == severity


def test_an_alert_without_priority_gets_opsgenies_default_p3() -> None:
    payload = load("derived_create.json")
    del payload["alert"]["priority"]
    config = OpsgenieConfig(mode="alerts", tag_prefix="service=")
    assert only_alert(convert(payload, config))["severity"] == "medium"
    assert only_ticket(convert(payload, CONFIG))["severity"] is None


# --- ids ----------------------------------------------------------------------------------


def test_a_redelivery_and_a_create_resent_for_a_new_team_keep_their_ids() -> None:
    first = convert(load("derived_create.json"), CONFIG).events
    resent = load("derived_create.json")
    resent["alert"]["updatedAt"] = 1639477500000000000  # later: a team was added
    resent["alert"]["teams"].append("b7eb5a3a-0000-4000-8000-000000000001")
    assert convert(load("derived_create.json"), CONFIG).events == first
    assert only_ticket(convert(resent, CONFIG))["event_id"] == first[0]["event_id"]


def test_event_id_is_the_same_from_milliseconds_and_from_a_datetime() -> None:
    at = datetime(2021, 12, 14, 10, 16, 52, 345678, tzinfo=UTC)
    assert event_id(ALERT_ID, "Acknowledge", at) == event_id(ALERT_ID, "acknowledge", 1639477012345)
    with pytest.raises(ValueError, match="naive"):
        event_id(ALERT_ID, "Close", datetime(2021, 12, 14))  # noqa: DTZ001
    with pytest.raises(ValueError, match="blank"):
        event_id(" ", "Close", 1)


def test_an_imported_log_entry_and_its_webhook_share_the_id() -> None:
    """The REST API's alert log entry (Opsgenie's List Alert Logs example, SOURCES.md).

    ``{"log": "Alert acknowledged via web", "createdAt": "2017-04-12T12:27:52.838Z",
    "offset": "1492000072838_1492000072838234593"}``: its ``createdAt`` is the
    nanosecond half of ``offset`` floored, which is what the webhook's
    ``updatedAt`` of the same acknowledgement gives.
    """
    logged = datetime.fromisoformat("2017-04-12T12:27:52.838Z")
    payload = copy.deepcopy(load("derived_acknowledge.json"))
    payload["alert"]["updatedAt"] = 1492000072838234593
    live = only_ticket(convert(payload, CONFIG))
    assert live["event_id"] == event_id(ALERT_ID, "Acknowledge", logged)
    # Another documented entry, "1492000066378_1492000066379000127" at 46.379Z: the
    # millisecond half of the offset is one less; only createdAt matches the webhook.
    assert event_id(ALERT_ID, "Close", datetime.fromisoformat("2017-04-12T12:27:46.379Z")) == (
        event_id(ALERT_ID, "Close", 1492000066379000127 // 1_000_000)
    )
