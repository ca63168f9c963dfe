"""``mttr import opsgenie``: REST alerts with their logs in, the live webhook events out.

streams/gateway/history/opsgenie.py; fixtures: tests/fixtures/opsgenie/SOURCES.md.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from streams.gateway.adapters.opsgenie import OpsgenieConfig, event_id
from streams.gateway.history.base import Document
from streams.gateway.history.opsgenie import convert
from streams.settings import Settings
from tests.support.engine import run, stable_rows
from tests.support.history_payloads import imported, live_events, load

ALERT = "f3efa74b-29cc-4a4f-9bb7-804d7c1be544-1639476708514"
DOCS_ALERT = "70413a06-38d6-4c85-92b8-5ebc900d42e2"
CONFIG = OpsgenieConfig(tag_prefix="service=")


def ids(events: list[dict[str, Any]]) -> list[str]:
    return [event["event_id"] for event in events]


def alerts() -> list[dict[str, Any]]:
    return copy.deepcopy(load("opsgenie", "history_alerts.json"))


def test_create_and_the_acknowledge_and_close_log_entries_become_the_webhook_events() -> None:
    result = imported("opsgenie")
    assert (result.errors, result.ignored) == ([], 1)  # the "Viewed on [web]" entry
    assert ids(result.events) == [
        f"opsgenie-{ALERT}-create-1639476708514",  # the alert's createdAt
        f"opsgenie-{ALERT}-acknowledge-1639477012345",  # the log entry's createdAt
        f"opsgenie-{ALERT}-close-1639521280284",  # createdAt, not offset's ms half (...283)
    ]
    assert result.events[2] == {
        "event_id": f"opsgenie-{ALERT}-close-1639521280284",
        "type": "ticket",
        "source": "opsgenie",
        "service": "gdpr-deleter-srv",  # tag service=gdpr-deleter-srv
        "environment": "production",
        "occurred_at": "2021-12-14T22:34:40.284Z",
        "status": "resolved",
        "ticket_id": ALERT,
        "title": result.events[0]["title"],
        "severity": "critical",  # P1
    }


def test_the_ids_are_those_of_event_id_for_the_rest_times() -> None:
    alert = alerts()[0]
    acknowledged = alert["logs"][1]
    expected = event_id(alert["id"], "Acknowledge", 1639477012345)
    assert acknowledged["createdAt"] == "2021-12-14T10:16:52.345Z"
    assert expected in ids(imported("opsgenie").events)


def test_the_settings_of_the_live_adapter_apply() -> None:
    settings = Settings(opsgenie_mode="alerts", opsgenie_service_tag_prefix="service=")
    result = imported("opsgenie", settings=settings)
    assert [(e["type"], e["status"]) for e in result.events] == [
        ("alert", "firing"),
        ("alert", "resolved"),
    ]
    assert result.ignored == 2  # the view, and Acknowledge (not converted in alerts mode)
    assert result.events[0]["summary"].startswith("There are 1 non-completed deletions")
    assert result.events[1]["summary"] == alerts()[0]["message"]  # Close has no description
    assert result.events[1]["labels"]["username"] == "italo.vietro@lykon.com"  # log owner


def test_alerts_mode_import_then_live_gives_the_incidents_of_live_only() -> None:
    settings = Settings(opsgenie_mode="alerts", opsgenie_service_tag_prefix="service=")
    live = live_events("opsgenie", settings)
    history = imported("opsgenie", settings=settings).events
    assert ids(history) == ids(live)
    assert stable_rows(run([*history, *live])) == stable_rows(run(live))
    # The REST API does not say who created an alert: Create has no username label.
    assert "username" not in history[0]["labels"]
    assert history[0]["labels"] == {k: v for k, v in live[0]["labels"].items() if k != "username"}
    assert history[1] == live[1]


def test_the_documented_examples_of_alert_and_logs() -> None:
    """The Alert API docs' alert (closed) with the docs' two log entries: no close entry."""
    settings = Settings(opsgenie_default_service="matrix")
    result = imported("opsgenie", "history_docs_alerts.json", settings=settings)
    assert result.events == []
    assert result.errors == [
        "history_docs_alerts.json: data[0]: the alert is closed but its logs hold no "
        "'Alert closed via ...' entry (save every page of its logs: docs/sources/import.md)"
    ]
    answer = copy.deepcopy(load("opsgenie", "history_docs_alerts.json"))
    answer["data"][0]["status"] = "open"
    result = convert([Document("a.json", answer)], OpsgenieConfig(default_service="matrix"))
    assert (result.errors, result.ignored) == ([], 1)
    assert ids(result.events) == [
        f"opsgenie-{DOCS_ALERT}-create-1490128372353",  # 2017-03-21T20:32:52.353Z
        f"opsgenie-{DOCS_ALERT}-acknowledge-1492000072838",  # "Alert acknowledged via web"
    ]
    assert result.events[1]["severity"] == "low"  # P4


def test_one_alert_answer_and_a_bare_alert_list_are_read_alike() -> None:
    one = convert([Document("one.json", {"data": alerts()[0]})], CONFIG)
    many = convert([Document("many.json", alerts())], CONFIG)
    assert one.events == many.events
    assert len(one.events) == 3


def test_an_acknowledge_again_after_an_unacknowledge_is_a_second_acknowledge() -> None:
    alert = alerts()[0]
    again = {**alert["logs"][1], "createdAt": "2021-12-14T11:00:00.001Z"}
    alert["logs"][2:2] = [{**alert["logs"][1], "log": "Alert unacknowledged via web"}, again]
    result = convert([Document("a.json", [alert])], CONFIG)
    assert ids(result.events)[1:3] == [
        f"opsgenie-{ALERT}-acknowledge-1639477012345",
        f"opsgenie-{ALERT}-acknowledge-1639479600001",
    ]
    assert result.ignored == 2  # the view and the unacknowledge


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda a: a.pop("logs"), "a.json: [0].logs: missing (add each alert's logs: "
         "docs/sources/import.md)"),
        (lambda a: a.update(createdAt="yesterday"), "a.json: [0].createdAt: not an ISO 8601 "
         "time with a UTC offset: 'yesterday'"),
        (lambda a: a["logs"][1].update(createdAt=None), "a.json: [0].logs[1].createdAt: missing"),
        (lambda a: a["logs"][2].pop("log"), "a.json: [0].logs[2].log: missing"),
        (lambda a: a.update(priority="P9"), "a.json: [0].priority: 'P9' is not one of P1, P2, "
         "P3, P4, P5"),
        (lambda a: a.update(tags=["team:x"]), "a.json: [0]: no service (no tag starting with "
         "'service=' in [0].tags, no team of [0].teams in the team map, no default service)"),
        (lambda a: a.update(id=" "), "a.json: [0].id: must not be blank"),
    ],
)  # fmt: skip
def test_errors_name_the_file_and_the_item_and_keep_the_rest(edit, message) -> None:  # type: ignore[no-untyped-def]
    bad, good = alerts()[0], alerts()[0]
    edit(bad)
    good["id"] = "other-alert"
    result = convert([Document("a.json", [bad, good])], CONFIG)
    assert result.errors[0] == message
    assert "opsgenie-other-alert-close-1639521280284" in ids(result.events)


def test_a_file_that_holds_no_alerts_is_an_error() -> None:
    result = convert([Document("x.json", {"alerts": []})], CONFIG)
    assert result.errors == [
        "x.json: top level: expected an array of alerts, or an Opsgenie answer whose data is one"
    ]
