"""CDEvents ``change.merged`` to change events, exactly (contract v1.1).

streams/gateway/adapters/cdevents_change.py; docs/sources/cdevents.md, "Changes".
The spec's own example (tests/fixtures/cdevents/, v0.4.0 and v0.4.1) names no
commit; the cases add ``customData`` or a commit ``subject.id`` to a copy of it.
Every event must be a change the worker accepts on the ``changes`` topic.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.cdevents_config import CDEventsConfig
from streams.settings import Settings
from tests.support.adapter_checks import changes
from tests.support.cdevents_payloads import (
    VERSIONS,
    batch,
    binary,
    convert,
    envelope,
    load,
    structured,
)
from tests.support.gateway_requests import post

SOURCE = "/event/source/123"
CONTEXT_ID = "271069a8-fc18-44f1-b38f-9d70a1695819"
TYPE = "dev.cdevents.change.merged.0.2.0"
MERGED_AT = "2023-03-20T14:27:05.315384Z"  # context.timestamp of the spec's example
SHA = "1a429d2f06fa49d8ece5045ac6471dc8a2276895"  # the spec's example change id


def event_id(kind: str = TYPE) -> str:
    """The documented id: cdevents- + 32 hex of SHA-256(source \\n id \\n type)."""
    return "cdevents-" + hashlib.sha256(f"{SOURCE}\n{CONTEXT_ID}\n{kind}".encode()).hexdigest()[:32]


def merged(version: str = "v0.4.1", **custom: Any) -> dict[str, Any]:
    """The spec's change.merged example, with ``custom`` as its customData when given."""
    cdevent = load("change_merged", version)
    if custom:
        cdevent["customData"] = custom
    return cdevent


@pytest.mark.parametrize("version", VERSIONS)
def test_a_merged_change_with_its_commit_in_custom_data_is_a_change(version: str) -> None:
    cdevent = merged(
        version, commitSha="9FCEB02D", firstCommitAt="2023-03-17T09:00:00+01:00", title="Fix it"
    )
    assert changes(convert(binary(cdevent))) == [
        {
            "event_id": event_id(),
            "type": "change",
            "source": "cdevents",
            "service": "TestOrg",  # the last segment of subject.content.repository.id
            "occurred_at": MERGED_AT,
            "change_id": "mySubject123",  # subject.id
            "commit_sha": "9FCEB02D",
            "first_commit_at": "2023-03-17T09:00:00+01:00",
            "title": "Fix it",
        }
    ]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_full_commit_id_as_subject_id_names_the_commit(version: str) -> None:
    cdevent = merged(version)
    cdevent["subject"]["id"] = SHA
    assert changes(convert(binary(cdevent))) == [
        {
            "event_id": event_id(),
            "type": "change",
            "source": "cdevents",
            "service": "TestOrg",
            "occurred_at": MERGED_AT,  # first_commit_at defaults to it in the contract
            "change_id": SHA,
            "commit_sha": SHA,
        }
    ]


@pytest.mark.parametrize("subject_id", ["mySubject123", "1234", "1a429d2f06fa49d8"])
def test_a_change_naming_no_commit_is_ignored(subject_id: str) -> None:
    cdevent = merged()
    cdevent["subject"]["id"] = subject_id  # a pull request number, a short sha: no commit
    assert convert(binary(cdevent)) == Converted(
        ignored=f"change.merged of {subject_id!r} names no commit (send customData.commitSha, "
        "or the full commit id as subject.id)"
    )
    cdevent["customData"] = "eyJjb21taXRTaGEiOiAiYWJjZCJ9"  # base64 custom data: not read
    assert convert(binary(cdevent)).ignored is not None


def test_the_repository_is_renamed_by_its_id_or_its_name_in_any_case() -> None:
    by_id = CDEventsConfig(services={"testrepo/testorg": "shop"})
    by_name = CDEventsConfig(services={"TESTORG": "shop-api"})
    cdevent = merged(commitSha=SHA)
    assert changes(convert(binary(cdevent), by_id))[0]["service"] == "shop"
    assert changes(convert(binary(cdevent), by_name))[0]["service"] == "shop-api"
    cdevent["subject"]["content"]["repository"]["id"] = "https://git.example/acme/shop.git"
    assert changes(convert(binary(cdevent)))[0]["service"] == "shop"


def test_a_first_commit_after_the_merge_is_cut_to_the_merge() -> None:
    cdevent = merged(commitSha=SHA, firstCommitAt="2023-03-21T00:00:00Z")
    assert changes(convert(binary(cdevent)))[0]["first_commit_at"] == MERGED_AT


def test_every_content_mode_and_a_redelivery_give_the_same_change() -> None:
    cdevent = merged(commitSha=SHA)
    first = convert(binary(cdevent))
    assert convert(structured(cdevent)) == first
    assert convert(binary(merged(commitSha=SHA))) == first  # re-delivered: the same id
    assert convert(batch([envelope(cdevent)])).events == first.events


def test_the_v0_5_type_version_is_read() -> None:
    cdevent = merged(commitSha=SHA)
    cdevent["context"]["type"] = "dev.cdevents.change.merged.0.3.0"
    (event,) = changes(convert(binary(cdevent)))
    assert event["event_id"] == event_id("dev.cdevents.change.merged.0.3.0")


def test_bad_changes_are_payload_errors_naming_the_field() -> None:
    no_repository = merged(commitSha=SHA)
    del no_repository["subject"]["content"]
    with pytest.raises(
        PayloadError,
        match=r"^data\.subject\.content\.repository: missing \(the repository names the service\)$",
    ):
        convert(structured(no_repository))
    with pytest.raises(PayloadError, match=r"^customData\.commitSha: String should match"):
        convert(binary(merged(commitSha="HEAD~1")))
    with pytest.raises(PayloadError, match=r"^customData\.firstCommitAt: timestamp has no UTC"):
        convert(binary(merged(commitSha=SHA, firstCommitAt="2023-03-20 10:00:00")))
    with pytest.raises(PayloadError, match=r"^customData\.commitSha: expected str, got int$"):
        convert(binary(merged(commitSha=1234)))


def test_the_gateway_publishes_the_change() -> None:
    answer = post(Settings(), "/webhooks/cdevents", *binary(merged(commitSha=SHA)))
    assert (answer.status, answer.body) == (200, {"accepted": 1, "event_ids": [event_id()]})
    assert [event["type"] for event in answer.published] == ["change"]
