"""GitHub ``push`` and merged ``pull_request`` deliveries to change events, exactly.

streams/gateway/adapters/github_changes.py; docs/sources/github.md, "Changes".
The deliveries are GitHub's published examples (tests/fixtures/github/SOURCES.md)
or copies of them with the fields a case needs changed; every event must be a
change the worker accepts on the ``changes`` topic (``adapter_checks.changes``).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.github import GitHubConfig, convert
from tests.support.adapter_checks import changes
from tests.support.github_payloads import CONFIG, PULL_REQUESTS, load

SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"  # the example push's only commit
SECOND = "9fceb02d0ae598e95dc970b74767f19372d61af8"
MERGE_SHA = "c4295bd74fb0f4fda03689c3df3f2803b658fd85"  # the example pull request's
PUSHED_AT = "2019-05-15T15:20:57.000Z"  # repository.pushed_at 1557933657


def push(**fields: Any) -> dict[str, Any]:
    """GitHub's example push to master, ``fields`` replaced at the top level."""
    payload = load("push.json")
    payload.update(fields)
    return payload


def two_commits() -> dict[str, Any]:
    """The example push with a second, later commit after the first."""
    payload = push()
    later = copy.deepcopy(payload["commits"][0])
    later.update(id=SECOND, timestamp="2019-05-15T17:20:30+02:00", message="Fix typo\n\nbody")
    payload["commits"].append(later)
    payload["after"] = SECOND
    return payload


def merged(**fields: Any) -> dict[str, Any]:
    """The example pull request, merged into master; ``fields`` replace its fields."""
    payload = load("derived_pull_request_merged.json")
    payload["pull_request"].update(fields)
    return payload


# --- push (the default) ------------------------------------------------------------------


def test_a_push_to_the_default_branch_is_a_change_per_commit_landed_at_the_push() -> None:
    assert changes(convert("push", push(), CONFIG)) == [
        {
            "event_id": f"github-push-186853002-{SHA}",
            "type": "change",
            "source": "github",
            "service": "Hello-World",
            "occurred_at": PUSHED_AT,  # repository.pushed_at, not the commit's time
            "change_id": SHA,
            "commit_sha": SHA,
            "first_commit_at": "2019-05-15T15:19:25Z",
            "title": "Initial commit",
        }
    ]


def test_every_commit_of_a_push_lands_at_the_push_with_its_own_first_commit() -> None:
    events = changes(convert("push", two_commits(), CONFIG))
    assert [(e["change_id"], e["commit_sha"], e["occurred_at"]) for e in events] == [
        (SHA, SHA, PUSHED_AT),
        (SECOND, SECOND, PUSHED_AT),
    ]
    assert [e["first_commit_at"] for e in events] == [
        "2019-05-15T15:19:25Z",
        "2019-05-15T17:20:30+02:00",  # 15:20:30Z, before the push at 15:20:57Z
    ]
    assert events[1]["title"] == "Fix typo"
    assert events[1]["event_id"] == f"github-push-186853002-{SECOND}"


def test_a_commit_time_after_the_push_is_cut_to_the_push_time() -> None:
    payload = push()
    payload["commits"][0]["timestamp"] = "2019-05-15T15:30:00Z"  # a clock ahead
    (event,) = changes(convert("push", payload, CONFIG))
    assert event["first_commit_at"] == PUSHED_AT


def test_pushed_at_as_a_string_and_without_it_the_latest_commit_time() -> None:
    payload = two_commits()
    payload["repository"]["pushed_at"] = "2019-05-15T15:21:00Z"
    assert {e["occurred_at"] for e in convert("push", payload, CONFIG).events} == {
        "2019-05-15T15:21:00.000Z"
    }
    payload["repository"]["pushed_at"] = None
    assert {e["occurred_at"] for e in changes(convert("push", payload, CONFIG))} == {
        "2019-05-15T17:20:30+02:00"
    }


def test_the_repository_maps_to_a_service_as_for_deploys() -> None:
    config = GitHubConfig(services={"Codertocat/Hello-World": "hello"})
    (event,) = changes(convert("push", push(), config))
    assert event["service"] == "hello"


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        ("refs/heads/feature", "push to refs/heads/feature is not to the default branch master"),
        ("refs/tags/v1.0", "push to refs/tags/v1.0 is not to the default branch master"),
        ("refs/heads/main", "push to refs/heads/main is not to the default branch master"),
    ],
)
def test_pushes_to_other_branches_and_tags_are_ignored(ref: str, reason: str) -> None:
    assert convert("push", push(ref=ref), CONFIG) == Converted(ignored=reason)


def test_a_branch_deletion_is_ignored() -> None:
    deletion = push(deleted=True, after="0" * 40, commits=[], head_commit=None)
    assert convert("push", deletion, CONFIG) == Converted(ignored="push deleted refs/heads/master")
    zeros_only = push(after="0" * 40)  # a deletion even without the flag
    assert convert("push", zeros_only, CONFIG).ignored == "push deleted refs/heads/master"


def test_a_push_without_commits_is_ignored() -> None:
    assert convert("push", push(commits=[]), CONFIG) == Converted(
        ignored="push to refs/heads/master carries no commits"
    )


def test_a_malformed_commit_is_left_out_and_the_others_kept() -> None:
    payload = two_commits()
    payload["commits"][0]["id"] = "not-a-sha"
    converted = convert("push", payload, CONFIG)
    assert [e["commit_sha"] for e in changes(converted)] == [SECOND]
    assert converted.rejected == ["commits.0.id: String should match pattern '^[0-9a-fA-F]{4,64}$'"]


def test_a_push_with_no_good_commit_is_a_payload_error_naming_the_field() -> None:
    payload = push()
    payload["commits"][0]["timestamp"] = "2019-05-15 15:19:25"
    with pytest.raises(PayloadError, match=r"^commits\.0\.timestamp: timestamp has no UTC offset"):
        convert("push", payload, CONFIG)
    with pytest.raises(PayloadError, match=r"^repository\.default_branch: missing$"):
        convert("push", {"ref": "refs/heads/master", "repository": {}}, CONFIG)


def test_a_redelivered_push_gives_the_same_events() -> None:
    first = convert("push", two_commits(), CONFIG)
    assert convert("push", copy.deepcopy(two_commits()), CONFIG) == first
    assert len({e["event_id"] for e in first.events}) == 2


def test_pushes_are_ignored_when_changes_come_from_pull_requests() -> None:
    assert convert("push", push(), PULL_REQUESTS) == Converted(
        ignored="push: changes come from pull_request events"
    )


# --- pull_request (MTTR_GITHUB_CHANGES=pull_request) ---------------------------------------


def test_a_pull_request_merged_into_the_default_branch_is_one_change() -> None:
    assert changes(convert("pull_request", merged(), PULL_REQUESTS)) == [
        {
            "event_id": "github-pull_request-279147437-merged",
            "type": "change",
            "source": "github",
            "service": "Hello-World",
            "occurred_at": "2019-05-15T15:21:18Z",  # merged_at
            "change_id": "2",  # the number
            "commit_sha": MERGE_SHA,
            "first_commit_at": "2019-05-15T15:20:33Z",  # created_at: an upper bound
            "title": "Update the README with new information.",
        }
    ]


def test_a_pull_request_closed_without_merging_is_ignored() -> None:
    assert convert("pull_request", load("pull_request_closed.json"), PULL_REQUESTS) == Converted(
        ignored="pull request #2 was closed without merging"
    )


def test_a_pull_request_merged_into_another_branch_is_ignored() -> None:
    payload = merged()
    payload["pull_request"]["base"]["ref"] = "release-1.x"
    assert convert("pull_request", payload, PULL_REQUESTS) == Converted(
        ignored="pull request #2 merged into release-1.x, not the default branch master"
    )


@pytest.mark.parametrize("action", ["opened", "synchronize", "reopened", "edited"])
def test_other_pull_request_actions_are_ignored(action: str) -> None:
    payload = merged()
    payload["action"] = action
    assert convert("pull_request", payload, PULL_REQUESTS) == Converted(
        ignored=f"pull_request action {action} is not converted"
    )


def test_a_pull_request_opened_after_its_merge_time_starts_at_the_merge() -> None:
    (event,) = changes(
        convert("pull_request", merged(created_at="2019-05-15T16:00:00Z"), PULL_REQUESTS)
    )
    assert event["first_commit_at"] == "2019-05-15T15:21:18Z"


def test_a_redelivered_pull_request_gives_the_same_event() -> None:
    first = convert("pull_request", merged(), PULL_REQUESTS)
    assert convert("pull_request", copy.deepcopy(merged()), PULL_REQUESTS) == first


def test_a_bad_merge_commit_is_a_payload_error_naming_the_field() -> None:
    with pytest.raises(PayloadError, match=r"^pull_request\.merge_commit_sha: String should"):
        convert("pull_request", merged(merge_commit_sha="HEAD"), PULL_REQUESTS)
    with pytest.raises(PayloadError, match=r"^pull_request\.merged_at: expected str, got NoneType"):
        convert("pull_request", merged(merged_at=None), PULL_REQUESTS)


def test_pull_requests_are_ignored_when_changes_come_from_pushes() -> None:
    assert convert("pull_request", merged(), CONFIG) == Converted(
        ignored="pull_request: changes come from push events"
    )


def test_an_unknown_change_source_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="^changes: 'merges' is not one of push, pull_request$"):
        GitHubConfig(changes="merges")
