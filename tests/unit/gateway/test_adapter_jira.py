"""Jira adapter: documented payloads in, exact ticket events out; signatures; precise errors.

Fixtures are the Jira Cloud documentation example and labelled variants
derived from it (tests/fixtures/jira/SOURCES.md). Expected events are worked
out by hand from the fixture text, not from the code.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.events import EVENT_ADAPTER, TicketEvent
from streams.gateway.adapters.base import Converted, PayloadError, SignatureError
from streams.gateway.adapters.jira import (
    DEFAULT_PRIORITY_MAP,
    DEFAULT_STATUS_MAP,
    JiraConfig,
    convert,
    verify_signature,
)
from tests.support import paths

FIXTURES = paths.FIXTURES / "jira"
CONFIG = JiraConfig()
# The signing example of the Jira Cloud webhook docs (SOURCES.md).
DOC_SECRET = "It's a Secret to Everybody"
DOC_BODY = b"Hello World!"
DOC_HEADER = "sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def only_event(converted: Converted) -> dict[str, Any]:
    assert converted.ignored is None
    assert len(converted.events) == 1
    event = converted.events[0]
    assert isinstance(EVENT_ADAPTER.validate_python(event), TicketEvent)
    return event


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- the fixtures -----------------------------------------------------------------------


def test_documented_update_without_transition_is_ignored() -> None:
    # The docs example changes summary and issue type only: no status item.
    assert convert(load("issue_updated.json"), CONFIG) == Converted(
        ignored="jira:issue_updated without a status change"
    )


def test_created_issue_becomes_an_opened_ticket() -> None:
    event = only_event(convert(load("derived_issue_created.json"), CONFIG))
    assert event == {
        "event_id": "jira-99291-1606479836302-opened",
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
        "event_id": "jira-99291-1606480436302-acknowledged",
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


# --- invalid payloads name the path -----------------------------------------------------


def broken(edit: Any, name: str = "derived_issue_updated_status.json") -> dict[str, Any]:
    payload = load(name)
    edit(payload)
    return payload


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "body: expected a JSON object, got list"),
        ({}, "webhookEvent: missing"),
        (broken(lambda p: p.pop("timestamp")), "timestamp: missing"),
        (broken(lambda p: p.update(timestamp="1606480436302")), "timestamp: expected int, got str"),
        (broken(lambda p: p.update(timestamp=1.5)), "timestamp: expected int, got float"),
        (
            broken(lambda p: p.update(timestamp=4102444800000)),
            "timestamp: 4102444800000 ms is outside 1970-01-01 .. 2100-01-01",
        ),
        (
            broken(lambda p: p.update(timestamp=10**20)),
            "timestamp: 100000000000000000000 ms is outside 1970-01-01 .. 2100-01-01",
        ),
        (
            broken(lambda p: p.update(timestamp=-1)),
            "timestamp: -1 ms is outside 1970-01-01 .. 2100-01-01",
        ),
        (broken(lambda p: p.pop("issue")), "issue: missing"),
        (broken(lambda p: p["issue"].pop("key")), "issue.key: missing"),
        (broken(lambda p: p["issue"].update(id="")), "issue.id: must not be blank"),
        (broken(lambda p: p["issue"].update(id=None)), "issue.id: expected str/int, got NoneType"),
        (broken(lambda p: p["issue"].update(fields=[])), "issue.fields: expected dict, got list"),
        (
            broken(lambda p: p["changelog"].update(items={})),
            "changelog.items: expected list, got dict",
        ),
        (
            broken(lambda p: p["changelog"]["items"].insert(0, "status")),
            "changelog.items.0: expected dict, got str",
        ),
        (broken(lambda p: p["issue"]["fields"].pop("status")), "issue.fields.status: missing"),
        (
            broken(lambda p: p["issue"]["fields"]["status"].update(name=3)),
            "issue.fields.status.name: expected str, got int",
        ),
        (
            broken(lambda p: p["issue"]["fields"].update(priority=2)),
            "issue.fields.priority: expected object or str, got int",
        ),
        (
            broken(lambda p: p["issue"]["fields"]["priority"].pop("name")),
            "issue.fields.priority.name: missing",
        ),
        (
            broken(lambda p: p["issue"]["fields"].update(summary=["x"])),
            "issue.fields.summary: expected str, got list",
        ),
        (
            broken(lambda p: p["issue"]["fields"].update(labels="service:checkout")),
            "issue.fields.labels: expected list, got str",
        ),
        (
            broken(lambda p: p["issue"]["fields"].update(labels=[7])),
            "issue.fields.labels.0: expected str, got int",
        ),
        (
            broken(
                lambda p: p["issue"]["fields"]["components"][0].pop("name"),
                "derived_issue_created.json",
            ),
            "issue.fields.components.0.name: missing",
        ),
        (
            broken(lambda p: p["issue"].update(key="JRA-1\n2")),
            "issue.key: must not contain control characters or line breaks",
        ),
        (
            broken(lambda p: p["issue"]["fields"].update(labels=["service:" + "x" * 129])),
            "issue.fields.labels.0: String should have at most 128 characters",
        ),
    ],
)
def test_invalid_payloads_name_the_json_path(payload: Any, message: str) -> None:
    with pytest.raises(PayloadError) as info:
        convert(payload, CONFIG)
    assert str(info.value) == message


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
    second = only_event(convert(later, CONFIG))
    assert first["ticket_id"] == second["ticket_id"]
    assert first["event_id"] != second["event_id"]
    assert second["occurred_at"] == "2020-11-27T12:34:56.302Z"


# --- signature --------------------------------------------------------------------------


def test_documented_signature_example_verifies() -> None:
    verify_signature(DOC_BODY, DOC_HEADER, [DOC_SECRET])
    verify_signature(DOC_BODY, DOC_HEADER, DOC_SECRET)  # one secret as a plain string
    verify_signature(DOC_BODY, DOC_HEADER.upper().replace("SHA256=", "sha256="), [DOC_SECRET])


def test_signature_over_a_fixture_body() -> None:
    body = (FIXTURES / "derived_issue_updated_status.json").read_bytes()
    verify_signature(body, sign(body, "s3cret"), ["old-secret", "s3cret"])


@pytest.mark.parametrize(
    ("header", "secrets", "message"),
    [
        (None, [DOC_SECRET], "X-Hub-Signature header is missing"),
        ("  ", [DOC_SECRET], "X-Hub-Signature header is missing"),
        ("a4771c39fbe9", [DOC_SECRET], "X-Hub-Signature: expected 'sha256=<hex>'"),
        ("sha256=", [DOC_SECRET], "X-Hub-Signature: expected 'sha256=<hex>'"),
        (
            "sha1=a4771c39fbe90f317c7824e83ddef3caae9cb3d9",
            [DOC_SECRET],
            "X-Hub-Signature: unsupported method 'sha1' (expected sha256)",
        ),
        (
            DOC_HEADER,
            ["It's a secret to everybody"],
            "X-Hub-Signature: signature does not match the body",
        ),
        (DOC_HEADER + "00", [DOC_SECRET], "X-Hub-Signature: signature does not match the body"),
        ("sha256=ä", [DOC_SECRET], "X-Hub-Signature: signature does not match the body"),
        (DOC_HEADER, [], "no Jira webhook secret is configured"),
        (DOC_HEADER, [""], "no Jira webhook secret is configured"),
        (DOC_HEADER, "", "no Jira webhook secret is configured"),
    ],
)
def test_bad_signatures_are_rejected(header: str | None, secrets: Any, message: str) -> None:
    with pytest.raises(SignatureError) as info:
        verify_signature(DOC_BODY, header, secrets)
    assert str(info.value) == message


def test_a_signature_of_another_body_is_rejected() -> None:
    signed = (FIXTURES / "derived_issue_created.json").read_bytes()
    replayed = (FIXTURES / "derived_issue_updated_status.json").read_bytes()
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(replayed, sign(signed, "s3cret"), ["s3cret"])


def test_a_plain_string_secret_is_not_split_into_characters() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(DOC_BODY, sign(DOC_BODY, "I"), DOC_SECRET)


# --- configuration ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status_map": {"Done": "finished"}}, r"status_map\['Done'\]: 'finished' is not one of"),
        ({"priority_map": {"P1": "sev1"}}, r"priority_map\['P1'\]: 'sev1' is not one of"),
        ({"service_from": ("components", "teams")}, r"service_from: unknown \['teams'\]"),
        ({"label_prefix": ""}, "label_prefix must not be empty"),
        ({"default_service": " "}, r"invalid service/environment name ' '"),
        ({"environment": "prod\n"}, r"invalid service/environment name 'prod\\n'"),
        ({"component_map": {"UI": ""}}, r"invalid service/environment name ''"),
    ],
)
def test_invalid_configuration_fails_at_start_up(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        JiraConfig(**kwargs)


def test_environment_is_configurable() -> None:
    config = JiraConfig(environment="staging")
    assert (
        only_event(convert(load("derived_issue_created.json"), config))["environment"] == "staging"
    )


# --- robustness -------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
PATHS = [
    ("webhookEvent",),
    ("timestamp",),
    ("issue",),
    ("issue", "id"),
    ("issue", "key"),
    ("issue", "self"),
    ("issue", "fields"),
    ("issue", "fields", "status"),
    ("issue", "fields", "status", "name"),
    ("issue", "fields", "priority"),
    ("issue", "fields", "labels"),
    ("issue", "fields", "summary"),
    ("changelog",),
    ("changelog", "items"),
]


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from(PATHS), value=JSON)
def test_any_value_anywhere_is_converted_ignored_or_a_payload_error(
    path: tuple[str, ...], value: Any
) -> None:
    payload: Any = load("derived_issue_updated_status.json")
    target = payload
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    try:
        converted = convert(payload, CONFIG)
    except PayloadError:
        return
    for event in converted.events:
        EVENT_ADAPTER.validate_python(event)
