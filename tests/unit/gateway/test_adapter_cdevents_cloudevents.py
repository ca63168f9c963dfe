"""The CloudEvents side of the CDEvents source: content modes, attributes, versions, errors."""

from __future__ import annotations

import pytest

from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.cdevents import CDEventsAdapter
from tests.support.cdevents_payloads import (
    STRUCTURED,
    batch,
    binary,
    convert,
    envelope,
    load,
    structured,
)

DETECTED = load("incident_detected")


def test_the_source_authenticates_with_the_gateway_token() -> None:
    assert CDEventsAdapter.token_auth is True
    assert CDEventsAdapter.name == "cdevents"


@pytest.mark.parametrize(
    "name",
    ["incident_detected", "incident_reported", "incident_resolved", "service_deployed",
     "service_upgraded", "service_rolledback", "change_merged", "taskrun_started"],
)  # fmt: skip
def test_binary_structured_and_batch_give_the_same_result(name: str) -> None:
    cdevent = load(name)
    results = [convert(binary(cdevent)), convert(structured(cdevent))]
    from_batch = convert(batch([envelope(cdevent)]))
    assert results[0] == results[1]
    assert from_batch.events == results[0].events
    if results[0].ignored is not None:
        assert from_batch.ignored == f"0: {results[0].ignored}"


def test_a_redelivery_gets_the_same_event_ids() -> None:
    first = convert(binary(DETECTED)).events
    assert convert(binary(DETECTED)).events == first
    other = load("incident_detected")
    other["context"]["id"] = "another-delivery-id"
    (event,) = convert(binary(other, id="another-delivery-id")).events
    assert event["event_id"] != first[0]["event_id"]
    assert event["alert_id"] == first[0]["alert_id"]


def test_headers_are_read_in_any_case() -> None:
    body, headers = binary(DETECTED)
    upper = {name.upper(): value for name, value in headers.items()}
    assert CDEventsAdapter().convert(body, upper) == convert((body, headers))


def test_a_batch_keeps_good_items_and_names_bad_ones() -> None:
    wrong = load("service_deployed")
    del wrong["subject"]["content"]["environment"]
    body = batch([
        envelope(DETECTED),
        envelope(load("taskrun_started")),  # ignored: left out
        envelope(DETECTED, specversion="0.3"),
        envelope(wrong),
        "not an object",
        envelope(load("service_rolledback")),
    ])  # fmt: skip
    converted = convert(body)
    assert [e["type"] for e in converted.events] == ["alert", "deploy"]
    assert converted.rejected == [
        "2.specversion: expected '1.0' (CloudEvents 1.0), got '0.3'",
        "4: expected dict, got str",
        "3.data.subject.content.environment: missing",
    ]


def test_a_batch_of_only_ignored_items_is_ignored_and_of_bad_ones_a_400() -> None:
    ignored = convert(batch([envelope(load("change_merged")), envelope(load("taskrun_started"))]))
    assert ignored.ignored == (
        "0: change.merged of 'mySubject123' names no commit (send customData.commitSha, or the "
        "full commit id as subject.id); "
        "1: CDEvents type taskrun.started is not converted"
    )
    with pytest.raises(PayloadError, match=r"^0\.id: missing; 1\.data: missing$"):
        convert(batch([envelope(DETECTED, id=None), envelope(DETECTED, data=None)]))
    with pytest.raises(PayloadError, match="^body: the batch is empty$"):
        convert(batch([]))
    with pytest.raises(PayloadError, match="^body: a CloudEvents batch is a JSON array, got dict$"):
        convert((b"{}", {"Content-Type": "application/cloudevents-batch+json"}))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"specversion": "0.3"}, "ce-specversion header: expected '1.0' (CloudEvents 1.0), "
                                 "got '0.3'"),
        ({"id": None}, "ce-id header: missing"),
        ({"source": " "}, "ce-source header: empty"),
        ({"type": None}, "ce-type header: missing"),
        ({"content_type": "text/plain"}, "Content-Type: expected application/json (the CDEvent), "
                                         "got 'text/plain'"),
        ({"type": "dev.cdevents.incident.detected.0.2.1"},
         "context.type: 'dev.cdevents.incident.detected.0.2.0' differs from ce-type header "
         "'dev.cdevents.incident.detected.0.2.1'"),
        ({"id": "other"}, "context.id: 'F4BD2B55-B6F6-4F44-AF72-BD2D0E7A8708' differs from "
                          "ce-id header 'other'"),
    ],
)  # fmt: skip
def test_malformed_binary_attributes(overrides: dict[str, str | None], message: str) -> None:
    with pytest.raises(PayloadError) as error:
        convert(binary(DETECTED, **overrides))
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"specversion": "0.3"}, "specversion: expected '1.0' (CloudEvents 1.0), got '0.3'"),
        ({"specversion": 1.0}, "specversion: expected str, got float"),
        ({"id": None}, "id: missing"),
        ({"source": ""}, "source: must not be empty"),
        ({"datacontenttype": "application/xml"}, "datacontenttype: expected application/json, "
                                                 "got 'application/xml'"),
        ({"data_base64": "e30="}, "data_base64: a CDEvent is JSON; send it as data"),
        ({"data": None}, "data: missing"),
        ({"data": [1]}, "data: expected dict, got list"),
    ],
)  # fmt: skip
def test_malformed_structured_attributes(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(PayloadError) as error:
        convert(structured(DETECTED, **overrides))
    assert str(error.value) == message


def test_requests_that_are_no_cloudevent() -> None:
    body, _ = binary(DETECTED)
    with pytest.raises(PayloadError, match="^not a CloudEvent: send it in binary mode"):
        convert((body, {"Content-Type": "application/json"}))
    with pytest.raises(PayloadError, match="is not a supported CloudEvents format"):
        convert((body, {"Content-Type": "application/cloudevents+avro"}))
    with pytest.raises(PayloadError, match="^body is not valid JSON"):
        convert((b"{", {"Content-Type": STRUCTURED}))
    with pytest.raises(PayloadError, match="^body: expected a CloudEvent .JSON object., got list"):
        convert((b"[]", {"Content-Type": STRUCTURED}))
    with pytest.raises(PayloadError, match="^body: expected a CDEvent .JSON object., got list$"):
        convert((b"[]", binary(DETECTED)[1]))


def test_an_unknown_major_version_is_refused_clearly() -> None:
    cdevent = load("incident_detected")
    cdevent["context"]["type"] = "dev.cdevents.incident.detected.1.0.0"
    with pytest.raises(PayloadError) as error:
        convert(structured(cdevent))
    assert str(error.value) == (
        "type: major version 1 of incident.detected is not supported; this gateway reads "
        "CDEvents v0.4 (incident.detected 0.2.0, any 0.x.y)"
    )


@pytest.mark.parametrize("version", ["0.1.0", "0.2.0", "0.2.7", "0.3.0", "0.3.0-draft"])
def test_any_0_x_y_version_is_read(version: str) -> None:
    cdevent = load("incident_detected")
    cdevent["context"]["type"] = f"dev.cdevents.incident.detected.{version}"
    (event,) = convert(structured(cdevent)).events
    assert event["status"] == "firing"


def test_type_strings_that_are_not_cdevents() -> None:
    cdevent = load("incident_detected")
    cdevent["context"]["type"] = "com.github.pull_request.opened"
    assert convert(structured(cdevent)).ignored == (
        "type: 'com.github.pull_request.opened' is not a CDEvents type"
    )
    cdevent["context"]["type"] = "dev.cdevents.incident.detected"
    with pytest.raises(PayloadError, match=r"^type: 'dev.cdevents.incident.detected' is not dev"):
        convert(structured(cdevent))


def test_the_subject_type_must_fit_the_event_type() -> None:
    cdevent = load("incident_detected")
    cdevent["subject"]["type"] = "service"
    with pytest.raises(PayloadError, match=r"^data\.subject\.type: expected 'incident', got"):
        convert(structured(cdevent))


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("context", "timestamp"), "2022-11-11T13:52:20", "data.context.timestamp: timestamp has "
                                                          "no UTC offset"),
        (("subject", "id"), " ", "data.subject.id: must not be blank"),
        (("subject", "content", "environment"), None, "data.subject.content.environment: missing"),
        (("subject", "content", "service", "id"), 7, "data.subject.content.service.id: expected "
                                                     "str, got int"),
    ],
)  # fmt: skip
def test_cdevent_errors_name_the_path(path: tuple[str, ...], value: object, message: str) -> None:
    cdevent = load("incident_detected")
    parent = cdevent
    for part in path[:-1]:
        parent = parent[part]
    if value is None:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    with pytest.raises(PayloadError) as error:
        convert(structured(cdevent))
    assert str(error.value).startswith(message)
