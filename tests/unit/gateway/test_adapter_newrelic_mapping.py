"""New Relic adapter: workflow notifications (our payload template) in, exact alert events out.

Fixtures are New Relic default-template deliveries captured by Zulip and the
same deliveries rendered with our template (tests/fixtures/newrelic/SOURCES.md);
expected events are worked out by hand. docs/sources/newrelic.md states the mapping.
"""

from __future__ import annotations

import pytest

from streams.gateway.adapters.newrelic import NewRelicConfig, convert
from tests.support.observability_payloads import newrelic as load
from tests.support.observability_payloads import only_alert

CONFIG = NewRelicConfig()
ISSUE = "13bbcdca-f0b6-470d-b0be-b34583c58869"
ISSUE_URL = (
    f"https://radar-api.service.newrelic.com/accounts/4420147/issues/{ISSUE}?notifier=WEBHOOK"
)
TITLE = "PIETER-UBUNTU query result is > 1.0 for 5 minutes on 'Storage on Host Exceeded Threshold'"


def test_an_activated_issue_is_a_firing_alert_at_activated_at() -> None:
    event = only_alert(convert(load("derived_activated.json"), CONFIG))
    assert event == {
        "event_id": f"newrelic-{ISSUE}-firing-1713769949494",
        "type": "alert",
        "source": "newrelic",
        "service": "storage",  # tags.service
        "environment": "production",
        "occurred_at": "2024-04-22T07:12:29.494Z",  # activatedAt, not updatedAt
        "alert_id": ISSUE,
        "name": "Storage on Host Exceeded Threshold",  # alertConditionNames[0]
        "status": "firing",
        "severity": "high",
        "summary": TITLE,
        "labels": {
            "priority": "HIGH",
            "trigger": "STATE_CHANGE",
            "workflowName": "issue workflow",
            "issueUrl": ISSUE_URL,
            "alertPolicyNames": "Golden Signals",
            "alertConditionNames": "Storage on Host Exceeded Threshold",
            "impactedEntities": "PIETER-UBUNTU",
        },
    }


def test_an_acknowledgement_notification_repeats_the_same_firing_event() -> None:
    activated = only_alert(convert(load("derived_activated.json"), CONFIG))
    acknowledged = only_alert(convert(load("derived_acknowledged.json"), CONFIG))
    assert acknowledged["event_id"] == activated["event_id"]  # deduplicated downstream
    assert acknowledged["occurred_at"] == activated["occurred_at"]
    assert acknowledged["labels"]["trigger"] == "USER_ACTION"


def test_a_closed_issue_is_a_resolved_alert_at_closed_at() -> None:
    event = only_alert(convert(load("derived_closed.json"), CONFIG))
    assert event == {
        "event_id": "newrelic-95a9344a-2590-48ce-8d83-07e28b6d22c6-resolved-1713766657383",
        "type": "alert",
        "source": "newrelic",
        "service": "main_app-UBUNTU",  # no service tag: the impacted entity
        "environment": "production",
        "occurred_at": "2024-04-22T06:17:37.383Z",
        "starts_at": "2024-04-22T06:16:30.228Z",  # activatedAt
        "alert_id": "95a9344a-2590-48ce-8d83-07e28b6d22c6",
        "name": "High CPU",
        "status": "resolved",
        "severity": "critical",
        "summary": "main_app-UBUNTU query result is > 2.0 for 1 minutes on 'High CPU'",
        "labels": {
            "priority": "CRITICAL",
            "trigger": "INCIDENT_CLOSED",
            "workflowName": "DBA Team workflow",
            "issueUrl": "https://radar-api.service.newrelic.com/accounts/1/issues/"
            "0ea2df1c-adab-45d2-aae0-042b609d2322?notifier=SLACK",
            "alertPolicyNames": "Golden Signals",
            "alertConditionNames": "High CPU",
            "impactedEntities": "main_app-UBUNTU",
        },
    }


@pytest.mark.parametrize("state", ["CREATED", "ACKNOWLEDGED", "SOMETHING_NEW"])
def test_other_states_are_ignored(state: str) -> None:
    payload = load("derived_activated.json")
    payload["state"] = state
    converted = convert(payload, CONFIG)
    assert (converted.events, converted.ignored) == ([], f"state {state!r} is not converted")


def test_the_created_default_delivery_is_ignored() -> None:
    assert convert(load("zulip_created_default.json"), CONFIG).ignored == (
        "state 'CREATED' is not converted"
    )


# --- service, severity, name ------------------------------------------------------------


def test_the_service_tag_is_configurable_and_entities_come_next() -> None:
    payload = load("derived_activated.json")
    payload["tags"] = {"team": "storage-team", "service": ["", "ignored"]}
    assert only_alert(convert(payload, NewRelicConfig(service_tag="team")))["service"] == (
        "storage-team"
    )
    assert only_alert(convert(payload, CONFIG))["service"] == "ignored"  # first non-blank
    del payload["tags"]
    assert only_alert(convert(payload, CONFIG))["service"] == "PIETER-UBUNTU"
    payload["impactedEntities"] = []
    assert only_alert(convert(payload, NewRelicConfig(default_service="infra")))["service"] == (
        "infra"
    )


@pytest.mark.parametrize(
    ("priority", "severity"),
    [("CRITICAL", "critical"), ("HIGH", "high"), ("MEDIUM", "medium"), ("low", "low"),
     (None, "medium")],
)  # fmt: skip
def test_priority_maps_to_severity(priority: str | None, severity: str) -> None:
    payload = load("derived_activated.json")
    payload["priority"] = priority
    assert only_alert(convert(payload, CONFIG))["severity"] == severity


def test_the_title_names_an_alert_without_condition_names() -> None:
    payload = load("derived_activated.json")
    payload["alertConditionNames"] = []
    assert only_alert(convert(payload, CONFIG))["name"] == TITLE[:128]


def test_a_redelivery_gives_the_same_event() -> None:
    assert convert(load("derived_closed.json"), CONFIG) == convert(
        load("derived_closed.json"), CONFIG
    )
