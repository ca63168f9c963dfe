"""CDEvents v0.4 to events: every spec example (v0.4.0 and v0.4.1), checked by hand.

The spec's examples (tests/fixtures/cdevents/, SOURCES.md) arrive in binary
mode, as the CDEvents binding's own example does; the content modes
themselves are tested in test_adapter_cdevents_cloudevents.py.
"""

from __future__ import annotations

import hashlib

import pytest

from schemas.events import AlertEvent, DeployEvent, TicketEvent
from streams.gateway.adapters.cdevents_config import CDEventsConfig
from tests.support.cdevents_payloads import VERSIONS, binary, convert, load, only_event

INCIDENT_SOURCE = "/monitoring/prod1"
INCIDENT_ID = "F4BD2B55-B6F6-4F44-AF72-BD2D0E7A8708"
SERVICE_ID = "271069a8-fc18-44f1-b38f-9d70a1695819"
PURL = "pkg:oci/myapp@sha256%3A0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427"
DIGEST = "sha256:0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427"
TASK_TICKETS = CDEventsConfig(ticket_types=frozenset({"task"}), default_service="security")


def event_id(source: str, context_id: str, kind: str) -> str:
    """The documented id: cdevents- + 32 hex of SHA-256(source \\n id \\n type)."""
    key = f"{source}\n{context_id}\n{kind}".encode()
    return "cdevents-" + hashlib.sha256(key).hexdigest()[:32]


@pytest.mark.parametrize("version", VERSIONS)
def test_incident_detected_is_a_firing_alert(version: str) -> None:
    event = only_event(convert(binary(load("incident_detected", version))), AlertEvent)
    assert event == {
        "event_id": event_id(INCIDENT_SOURCE, INCIDENT_ID, "dev.cdevents.incident.detected.0.2.0"),
        "type": "alert",
        "source": "cdevents",
        "service": "myApp",  # subject.content.service.id
        "environment": "prod1",  # subject.content.environment.id
        "occurred_at": "2022-11-11T13:52:20.079Z",  # context.timestamp
        "alert_id": "incident-123",  # subject.id
        "name": "Response time above threshold of 100ms",
        "status": "firing",
        "severity": "medium",  # no customData.severity: the default
        "labels": {"cdevents_source": INCIDENT_SOURCE, "artifact_id": PURL},
        "summary": "Response time above threshold of 100ms",
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_incident_resolved_resolves_the_alert(version: str) -> None:
    event = only_event(convert(binary(load("incident_resolved", version))), AlertEvent)
    kind = "dev.cdevents.incident.resolved.0.2.0"
    assert event["event_id"] == event_id(INCIDENT_SOURCE, INCIDENT_ID, kind)
    assert (event["alert_id"], event["status"]) == ("incident-123", "resolved")
    assert (event["service"], event["environment"]) == ("myApp", "prod1")
    assert event["occurred_at"] == "2022-11-11T13:52:20.079Z"
    assert event["name"] == "Response time restored below 100ms"


@pytest.mark.parametrize("version", VERSIONS)
def test_incident_resolved_from_a_ticket_source_resolves_the_ticket(version: str) -> None:
    config = CDEventsConfig(ticket_sources=frozenset({"/monitoring/prod1/"}))  # slash ignored
    event = only_event(convert(binary(load("incident_resolved", version)), config), TicketEvent)
    assert (event["ticket_id"], event["status"]) == ("incident-123", "resolved")
    assert (event["title"], event["url"]) == ("Response time restored below 100ms", None)


@pytest.mark.parametrize("version", VERSIONS)
def test_incident_reported_opens_a_ticket(version: str) -> None:
    event = only_event(convert(binary(load("incident_reported", version))), TicketEvent)
    assert event == {
        "event_id": event_id(INCIDENT_SOURCE, INCIDENT_ID, "dev.cdevents.incident.reported.0.2.0"),
        "type": "ticket",
        "source": "cdevents",
        "service": "myApp",
        "environment": "prod1",
        "occurred_at": "2022-11-11T13:52:20.079Z",
        "ticket_id": "incident-123",
        "status": "opened",
        "severity": "medium",  # customData.severity (its priority "critical" is not a severity)
        "title": "Response time above threshold of 100ms",
        "url": "https://my-issues.example/incidents/ticket-345",  # ticketURI
    }


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("name", "kind"),
    [("service_deployed", "release"), ("service_upgraded", "release"),
     ("service_rolledback", "rollback")],
)  # fmt: skip
def test_service_events_are_succeeded_deploys(version: str, name: str, kind: str) -> None:
    cdevent = load(name, version)
    event = only_event(convert(binary(cdevent)), DeployEvent)
    assert event == {
        "event_id": event_id("/event/source/123", SERVICE_ID, cdevent["context"]["type"]),
        "type": "deploy",
        "source": "cdevents",
        "service": "mySubject123",  # subject.id: the service
        "environment": "test123",
        "occurred_at": "2023-03-20T14:27:05.315384Z",  # the contract keeps ms: ...05.315
        "deploy_id": SERVICE_ID,  # context.id: one event per deployment
        "status": "succeeded",
        "kind": kind,
        "version": DIGEST,  # the purl's version, percent-decoded
    }


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("name", "status"), [("ticket_created", "opened"),
                                               ("ticket_closed", "closed")])  # fmt: skip
def test_ticket_events_of_an_incident_type(version: str, name: str, status: str) -> None:
    cdevent = load(name, version)
    event = only_event(convert(binary(cdevent), TASK_TICKETS), TicketEvent)
    assert event == {
        "event_id": event_id("/ticketing/system", INCIDENT_ID, cdevent["context"]["type"]),
        "type": "ticket",
        "source": "cdevents",
        "service": "security",  # no service: label, group not mapped: the default service
        "environment": "production",
        "occurred_at": "2022-11-11T13:52:20.079Z",
        "ticket_id": "ticket-123",
        "status": status,
        "severity": "high",  # priority
        "title": "New CVE-123 detected",
        "url": "https://example.issues.com/ticket123",
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_ticket_updated_takes_its_status_from_custom_data(version: str) -> None:
    cdevent = load("ticket_updated", version)
    ignored = convert(binary(cdevent), TASK_TICKETS).ignored
    assert ignored == "ticket.updated of 'ticket-123' carries no customData.status"
    cdevent["customData"] = {"status": "In Progress"}
    event = only_event(convert(binary(cdevent), TASK_TICKETS), TicketEvent)
    assert (event["ticket_id"], event["status"], event["severity"]) == (
        "ticket-123",
        "acknowledged",
        "high",
    )
    cdevent["customData"] = {"status": "Waiting for customer"}
    assert convert(binary(cdevent), TASK_TICKETS).ignored == (
        "ticket.updated of 'ticket-123': status 'Waiting for customer' is not in the status map"
    )


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", ["ticket_created", "ticket_updated", "ticket_closed"])
def test_tickets_of_other_types_are_ignored(version: str, name: str) -> None:
    converted = convert(binary(load(name, version)))  # default: only ticketType incident
    assert converted.events == []
    assert converted.ignored == "ticket 'ticket-123': ticketType 'task' is not one of: incident"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("change_merged", "change.merged of 'mySubject123' names no commit (send "
                          "customData.commitSha, or the full commit id as subject.id)"),
        ("service_removed", "CDEvents type service.removed is not converted"),
        ("pipelinerun_finished", "CDEvents type pipelinerun.finished is not converted"),
        ("taskrun_started", "CDEvents type taskrun.started is not converted"),
    ],
)  # fmt: skip
def test_other_types_are_ignored(version: str, name: str, reason: str) -> None:
    converted = convert(binary(load(name, version)))
    assert (converted.events, converted.ignored) == ([], reason)


def test_renames_services_and_environments_in_any_case() -> None:
    config = CDEventsConfig(
        services={"MYAPP": "checkout", "mysubject123": "payments"},
        environments={"PROD1": "production", "test123": "staging"},
    )
    alert = only_event(convert(binary(load("incident_detected")), config), AlertEvent)
    deploy = only_event(convert(binary(load("service_deployed")), config), DeployEvent)
    assert (alert["service"], alert["environment"]) == ("checkout", "production")
    assert (deploy["service"], deploy["environment"]) == ("payments", "staging")


def test_incident_without_a_service_is_named_by_its_artifact() -> None:
    cdevent = load("incident_detected")
    del cdevent["subject"]["content"]["service"]
    event = only_event(convert(binary(cdevent)), AlertEvent)
    assert event["service"] == "myapp"  # pkg:oci/myapp@...
    del cdevent["subject"]["content"]["artifactId"]
    with pytest.raises(ValueError, match=r"^subject\.content\.service: missing, and no"):
        convert(binary(cdevent))


def test_severity_from_custom_data_through_the_map() -> None:
    cdevent = load("incident_detected")
    for given, severity in [("CRITICAL", "critical"), ("warning", "medium"), ("P2", "high"),
                            ("unheard-of", "medium")]:  # fmt: skip
        cdevent["customData"] = {"severity": given}
        assert only_event(convert(binary(cdevent)), AlertEvent)["severity"] == severity


def test_ticket_service_from_a_label_then_a_mapped_group() -> None:
    cdevent = load("ticket_created")
    config = CDEventsConfig(ticket_types=frozenset({"TASK"}), services={"security": "sec-team"})
    assert only_event(convert(binary(cdevent), config), TicketEvent)["service"] == "sec-team"
    cdevent["subject"]["content"]["labels"] = ["bug", "Service:portal"]
    assert only_event(convert(binary(cdevent), config), TicketEvent)["service"] == "portal"
    cdevent["subject"]["content"]["labels"] = ["bug"]
    cdevent["subject"]["content"]["group"] = "backend"  # not in the map, no default
    with pytest.raises(ValueError, match=r"^subject\.content: no service \(no label starting"):
        convert(binary(cdevent), config)


def test_every_ticket_type_when_none_is_configured() -> None:
    config = CDEventsConfig(ticket_types=frozenset(), default_service="portal")
    cdevent = load("ticket_created")
    del cdevent["subject"]["content"]["ticketType"]
    assert only_event(convert(binary(cdevent), config), TicketEvent)["status"] == "opened"


def test_deploy_version_of_a_bare_artifact_id() -> None:
    cdevent = load("service_deployed")
    cdevent["subject"]["content"]["artifactId"] = "six-1.14.0-py2.py3-none-any.whl"  # spec example
    assert only_event(convert(binary(cdevent)), DeployEvent)["version"] == (
        "six-1.14.0-py2.py3-none-any.whl"
    )
    cdevent["subject"]["content"]["artifactId"] = "pkg:golang/mygit.com/myorg/myapp"  # no version
    assert only_event(convert(binary(cdevent)), DeployEvent)["version"] is None
