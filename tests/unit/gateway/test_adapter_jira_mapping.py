"""Jira adapter: documented payloads in, exact ticket events out.

The fixtures, status and priority mapping, the service (components, labels,
default), the url, ignored notifications, and ids that are the same for a
resent notification. Fixtures are the Jira Cloud documentation example and
labelled variants derived from it (tests/fixtures/jira/SOURCES.md); expected
events are worked out by hand from the fixture text, not from the code.
README.md, "Webhooks: ``mttr gateway``", and streams/gateway/adapters/jira.py.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.jira import (
    DEFAULT_PRIORITY_MAP,
    DEFAULT_STATUS_MAP,
    JiraConfig,
    convert,
)
from streams.gateway.registry import jira_config
from streams.settings import Settings
from tests.support.jira_payloads import CONFIG, load, only_event

# --- the fixtures -----------------------------------------------------------------------


def test_documented_update_without_transition_is_ignored() -> None:
    # The docs example changes summary and issue type only: no status item.
    assert convert(load("issue_updated.json"), CONFIG) == Converted(
        ignored="jira:issue_updated without a status change"
    )


def test_created_issue_becomes_an_opened_ticket() -> None:
    event = only_event(convert(load("derived_issue_created.json"), CONFIG))
    assert event == {
        "event_id": "jira-99291-created",
        "type": "ticket",
        "source": "jira",
        "service": "checkout",  # the component
        "environment": "production",
        "occurred_at": "2020-11-27T12:23:56.302Z",  # 1606479836302 ms
        "ticket_id": "JRA-20002",
        "status": "opened",  # "To Do"
        "severity": "low",  # "Minor"
        "title": "I feel the need for speed",
        "url": "https://your-domain.atlassian.net/browse/JRA-20002",
    }


def test_status_transition_becomes_a_ticket_event() -> None:
    event = only_event(convert(load("derived_issue_updated_status.json"), CONFIG))
    assert event == {
        "event_id": "jira-99291-changelog-10124",
        "type": "ticket",
        "source": "jira",
        "service": "checkout",  # the "service:checkout" label (no components)
        "environment": "production",
        "occurred_at": "2020-11-27T12:33:56.302Z",  # 1606480436302 ms
        "ticket_id": "JRA-20002",
        "status": "acknowledged",  # "In Progress"
        "severity": "critical",  # "Highest"
        "title": "I feel the need for speed",
        "url": "https://your-domain.atlassian.net/browse/JRA-20002",
    }


def test_contract_normalises_the_time_to_utc_milliseconds() -> None:
    event = only_event(convert(load("derived_issue_updated_status.json"), CONFIG))
    parsed = EVENT_ADAPTER.validate_python(event)
    assert parsed.occurred_at.isoformat() == "2020-11-27T12:33:56.302000+00:00"


# --- status and priority mapping --------------------------------------------------------


def with_status(name: str) -> dict[str, Any]:
    payload = load("derived_issue_updated_status.json")
    payload["issue"]["fields"]["status"]["name"] = name
    return payload


@pytest.mark.parametrize(("jira_status", "expected"), sorted(DEFAULT_STATUS_MAP.items()))
def test_default_status_map(jira_status: str, expected: str) -> None:
    assert only_event(convert(with_status(jira_status), CONFIG))["status"] == expected


@pytest.mark.parametrize("jira_status", ["in progress", "IN PROGRESS", " In Progress "])
def test_status_names_match_case_insensitively(jira_status: str) -> None:
    assert only_event(convert(with_status(jira_status), CONFIG))["status"] == "acknowledged"


def test_unmapped_status_is_ignored_not_rejected() -> None:
    assert convert(with_status("Code Review"), CONFIG) == Converted(
        ignored="Jira status 'Code Review' is not in the status map"
    )


def test_configured_status_map_replaces_the_defaults() -> None:
    config = JiraConfig(status_map={"Triage": "opened", "Fix deployed": "mitigated"})
    assert only_event(convert(with_status("fix DEPLOYED"), config))["status"] == "mitigated"
    assert convert(with_status("In Progress"), config).ignored is not None


def test_postmortem_status_is_off_by_default_and_configurable() -> None:
    """No default Jira status means "review published"; MTTR_JIRA_POSTMORTEM_STATUS names
    one (any case), over the default map (docs/sources/jira.md, "Postmortems")."""
    assert "postmortem" not in DEFAULT_STATUS_MAP.values()
    assert convert(with_status("Postmortem"), CONFIG).ignored is not None
    config = jira_config(Settings(jira_postmortem_status="Postmortem Published"))
    event = only_event(convert(with_status("postmortem PUBLISHED"), config))
    assert event["status"] == "postmortem"
    assert EVENT_ADAPTER.validate_python(event).status == "postmortem"
    assert only_event(convert(with_status("In Progress"), config))["status"] == "acknowledged"
    assert jira_config(Settings(jira_postmortem_status=" ")).status_map == CONFIG.status_map


def with_priority(priority: Any) -> dict[str, Any]:
    payload = load("derived_issue_updated_status.json")
    payload["issue"]["fields"]["priority"] = priority
    return payload


@pytest.mark.parametrize(("name", "expected"), sorted(DEFAULT_PRIORITY_MAP.items()))
def test_default_priority_map(name: str, expected: str) -> None:
    event = only_event(convert(with_priority({"name": name, "id": "9"}), CONFIG))
    assert event["severity"] == expected


@pytest.mark.parametrize(
    ("priority", "expected"),
    [
        ("Blocker", "critical"),  # older payloads: the bare name
        ({"name": "highest"}, "critical"),
        ({"name": "Someday"}, None),  # unmapped: no severity, still converted
        (None, None),
    ],
)
def test_priority_shapes(priority: Any, expected: str | None) -> None:
    assert only_event(convert(with_priority(priority), CONFIG))["severity"] == expected


def test_missing_priority_gives_no_severity() -> None:
    payload = load("derived_issue_updated_status.json")
    del payload["issue"]["fields"]["priority"]
    assert only_event(convert(payload, CONFIG))["severity"] is None


# --- service ----------------------------------------------------------------------------


def issue_with(components: Any = None, labels: Any = None) -> dict[str, Any]:
    payload = load("derived_issue_created.json")
    fields = payload["issue"]["fields"]
    fields.pop("components")
    fields.pop("labels")
    if components is not None:
        fields["components"] = [{"id": str(i), "name": n} for i, n in enumerate(components)]
    if labels is not None:
        fields["labels"] = labels
    return payload


def service_of(payload: dict[str, Any], config: JiraConfig = CONFIG) -> str:
    service: str = only_event(convert(payload, config))["service"]
    return service


def test_first_component_wins_over_labels() -> None:
    payload = issue_with(components=["payments", "api"], labels=["service:checkout"])
    assert service_of(payload) == "payments"


def test_component_map_renames_case_insensitively() -> None:
    config = JiraConfig(component_map={"Payments Backend": "payments"})
    assert service_of(issue_with(components=["payments backend"]), config) == "payments"
    assert service_of(issue_with(components=["Search"]), config) == "Search"


def test_label_with_prefix_names_the_service() -> None:
    payload = issue_with(components=[], labels=["UI", "Service:search", "service:other"])
    assert service_of(payload) == "search"


def test_label_prefix_is_configurable() -> None:
    config = JiraConfig(label_prefix="svc-")
    assert service_of(issue_with(labels=["service:a", "svc-billing"]), config) == "billing"


def test_service_from_labels_only_skips_components() -> None:
    config = JiraConfig(service_from=("labels",))
    payload = issue_with(components=["payments"], labels=["service:checkout"])
    assert service_of(payload, config) == "checkout"


def test_default_service_is_the_fallback() -> None:
    config = JiraConfig(default_service="platform")
    assert service_of(issue_with(labels=["UI", "service:"]), config) == "platform"


def test_no_service_is_a_payload_error() -> None:
    with pytest.raises(PayloadError) as info:
        convert(issue_with(labels=["UI"]), CONFIG)
    assert str(info.value) == (
        "issue.fields: no service could be determined (no component in "
        "issue.fields.components, no label starting with 'service:' in "
        "issue.fields.labels; no default service)"
    )


def test_the_documented_example_has_no_service_without_a_default() -> None:
    # Its labels are UI, dialogue, move: turn it into a transition to see the lookup fail.
    payload = load("issue_updated.json")
    payload["issue"]["fields"]["status"] = {"name": "Done"}
    payload["changelog"]["items"].append({"field": "status", "toString": "Done"})
    with pytest.raises(PayloadError, match=r"^issue\.fields: no service could be determined"):
        convert(payload, CONFIG)
    event = only_event(convert(payload, JiraConfig(default_service="jira")))
    assert (event["service"], event["status"], event["severity"]) == ("jira", "resolved", "low")


# --- url --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("self_url", "expected"),
    [
        (
            "https://jira.example.com/jira/rest/api/2/issue/99291",  # context path
            "https://jira.example.com/jira/browse/JRA-20002",
        ),
        (
            "https://x.atlassian.net/rest/api/3/issue/99291",
            "https://x.atlassian.net/browse/JRA-20002",
        ),
        ("not a url", None),
        (None, None),
    ],
)
def test_browse_url_from_self(self_url: Any, expected: str | None) -> None:
    payload = load("derived_issue_created.json")
    payload["issue"]["self"] = self_url
    assert only_event(convert(payload, CONFIG))["url"] == expected


# --- ignored ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["jira:issue_deleted", "comment_created", "sprint_started", "jira:version_released"]
)
def test_other_webhook_events_are_ignored(kind: str) -> None:
    assert convert({"webhookEvent": kind, "timestamp": 1}, CONFIG) == Converted(
        ignored=f"webhookEvent {kind!r} is not converted"
    )


def test_update_without_changelog_is_ignored() -> None:
    payload = load("derived_issue_updated_status.json")
    del payload["changelog"]
    assert convert(payload, CONFIG).ignored == "jira:issue_updated without a status change"


# --- determinism ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["derived_issue_created.json", "derived_issue_updated_status.json"]
)
def test_a_resent_notification_gets_the_same_ids(name: str) -> None:
    first = convert(load(name), CONFIG)
    again = convert(copy.deepcopy(load(name)), JiraConfig())
    assert first == again


def test_a_later_transition_of_the_same_issue_gets_another_id() -> None:
    first = only_event(convert(load("derived_issue_updated_status.json"), CONFIG))
    later = load("derived_issue_updated_status.json")
    later["timestamp"] += 60_000
    later["changelog"]["id"] += 1  # the change group of the later transition
    second = only_event(convert(later, CONFIG))
    assert first["ticket_id"] == second["ticket_id"]
    assert first["event_id"] != second["event_id"]
    assert second["occurred_at"] == "2020-11-27T12:34:56.302Z"
