"""GitLab Push Hooks and merged Merge Request Hooks to change events, exactly.

streams/gateway/adapters/gitlab_changes.py; docs/sources/gitlab.md, "Changes".
The hooks are GitLab's documented examples (tests/fixtures/gitlab/SOURCES.md)
or copies of them with the fields a case needs changed; every event must be a
change the worker accepts on the ``changes`` topic (``adapter_checks.changes``).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.gitlab import GitLabConfig, convert
from tests.support.adapter_checks import changes
from tests.support.gitlab_payloads import CONFIG, MERGE_REQUESTS, load
from tests.support.strategies import JSON

FIRST = "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327"  # the documented push's two commits
HEAD = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
HEAD_TIME = "2012-01-03T23:36:29+02:00"
MERGE_SHA = "c0ffee9d2b1b0c6c5e7f3d1a9b8e7f6a5d4c3b2a"  # derived_merge_request_merged.json


def push(**fields: Any) -> dict[str, Any]:
    """GitLab's documented Push Hook (to master, the default branch), ``fields`` replaced."""
    payload = load("push.json")
    payload.update(fields)
    return payload


def merged(**attributes: Any) -> dict[str, Any]:
    """The documented merge request, merged into master; ``attributes`` replace its fields."""
    payload = load("derived_merge_request_merged.json")
    payload["object_attributes"].update(attributes)
    return payload


# --- Push Hook (the default) -------------------------------------------------------------


def test_a_push_to_the_default_branch_is_a_change_per_commit() -> None:
    assert changes(convert(push(), CONFIG)) == [
        {
            "event_id": f"gitlab-push-15-{FIRST}",
            "type": "change",
            "source": "gitlab",
            "service": "Diaspora",
            "occurred_at": HEAD_TIME,  # the latest commit time: the hook has no push time
            "change_id": FIRST,
            "commit_sha": FIRST,
            "first_commit_at": "2011-12-12T14:27:31+02:00",
            "title": "Update Catalan translation to e38cb41.",
        },
        {
            "event_id": f"gitlab-push-15-{HEAD}",
            "type": "change",
            "source": "gitlab",
            "service": "Diaspora",
            "occurred_at": HEAD_TIME,
            "change_id": HEAD,
            "commit_sha": HEAD,
            "first_commit_at": HEAD_TIME,
            "title": "fixed readme",
        },
    ]


def test_the_landing_is_the_latest_commit_time_in_any_order_and_zone() -> None:
    payload = push()
    payload["commits"][0]["timestamp"] = "2012-01-03T22:00:00Z"  # 00:00+02:00, after the head
    events = changes(convert(payload, CONFIG))
    assert {e["occurred_at"] for e in events} == {"2012-01-03T22:00:00Z"}


def test_the_project_maps_to_a_service_as_for_deployments() -> None:
    config = GitLabConfig(services={"mike/diaspora": "diaspora-web"})
    assert {e["service"] for e in changes(convert(push(), config))} == {"diaspora-web"}


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        ("refs/heads/feature", "push to refs/heads/feature is not to the default branch master"),
        ("refs/heads/main", "push to refs/heads/main is not to the default branch master"),
    ],
)
def test_pushes_to_other_branches_are_ignored(ref: str, reason: str) -> None:
    assert convert(push(ref=ref), CONFIG) == Converted(ignored=reason)


def test_a_branch_deletion_and_a_push_without_commits_are_ignored() -> None:
    deletion = push(after="0" * 40, checkout_sha=None, commits=[], total_commits_count=0)
    assert convert(deletion, CONFIG) == Converted(ignored="push deleted refs/heads/master")
    assert convert(push(commits=[], total_commits_count=0), CONFIG) == Converted(
        ignored="push to refs/heads/master carries no commits"
    )


def test_a_tag_push_is_still_ignored() -> None:
    tag = push(object_kind="tag_push", event_name="tag_push", ref="refs/tags/v1.0.0")
    assert convert(tag, CONFIG) == Converted(ignored="object_kind 'tag_push' is not converted")


def test_a_malformed_commit_is_left_out_and_the_others_kept() -> None:
    payload = push()
    payload["commits"][0]["timestamp"] = "yesterday"
    converted = convert(payload, CONFIG)
    assert [e["commit_sha"] for e in changes(converted)] == [HEAD]
    assert converted.rejected == [
        "commits.0.timestamp: 'yesterday' is not a date-time with a zone "
        "(e.g. 2021-04-28 21:50:00 +0200)"
    ]
    payload["commits"][1]["id"] = "HEAD"
    with pytest.raises(PayloadError, match=r"^commits\.0\.timestamp: .*; commits\.1\.id: String"):
        convert(payload, CONFIG)


def test_a_redelivered_push_gives_the_same_events() -> None:
    first = convert(push(), CONFIG)
    assert convert(copy.deepcopy(push()), CONFIG) == first
    assert len({e["event_id"] for e in first.events}) == 2


def test_pushes_are_ignored_when_changes_come_from_merge_requests() -> None:
    assert convert(push(), MERGE_REQUESTS) == Converted(
        ignored="push: changes come from merge_request hooks"
    )


# --- Merge Request Hook (MTTR_GITLAB_CHANGES=merge_request) --------------------------------


def test_a_merge_request_merged_into_the_default_branch_is_one_change() -> None:
    assert changes(convert(merged(), MERGE_REQUESTS)) == [
        {
            "event_id": "gitlab-merge_request-99-merged",
            "type": "change",
            "source": "gitlab",
            "service": "Gitlab Test",
            "occurred_at": "2013-12-04T09:12:45Z",  # updated_at, written by the merge
            "change_id": "1",  # the iid
            "commit_sha": MERGE_SHA,
            "first_commit_at": "2013-12-03T17:23:34Z",  # created_at
            "title": "MS-Viewport",
        }
    ]


def test_a_fast_forward_merge_landed_the_merge_requests_last_commit() -> None:
    (event,) = changes(convert(merged(merge_commit_sha=None), MERGE_REQUESTS))
    assert event["commit_sha"] == HEAD  # object_attributes.last_commit.id


def test_ruby_times_of_older_gitlab_are_read() -> None:
    payload = merged(updated_at="2013-12-04 09:12:45 UTC", created_at="2013-12-03 18:23:34 +0100")
    (event,) = changes(convert(payload, MERGE_REQUESTS))
    assert (event["occurred_at"], event["first_commit_at"]) == (
        "2013-12-04T09:12:45Z",
        "2013-12-03T18:23:34+01:00",
    )


def test_a_merge_request_created_after_its_merge_time_starts_at_the_merge() -> None:
    (event,) = changes(convert(merged(created_at="2013-12-05T00:00:00Z"), MERGE_REQUESTS))
    assert event["first_commit_at"] == "2013-12-04T09:12:45Z"


def test_the_documented_open_hook_and_other_actions_are_ignored() -> None:
    assert convert(load("merge_request_open.json"), MERGE_REQUESTS) == Converted(
        ignored="merge_request action open is not converted"
    )
    for action in ("close", "update", "approved", "reopen"):
        converted = convert(merged(action=action, state="closed"), MERGE_REQUESTS)
        assert converted.ignored == f"merge_request action {action} is not converted"


def test_a_merge_request_merged_into_another_branch_is_ignored() -> None:
    assert convert(merged(target_branch="stable"), MERGE_REQUESTS) == Converted(
        ignored="merge request !1 merged into stable, not the default branch master"
    )


def test_a_redelivered_merge_request_hook_gives_the_same_event() -> None:
    first = convert(merged(), MERGE_REQUESTS)
    assert convert(copy.deepcopy(merged()), MERGE_REQUESTS) == first


def test_a_bad_merge_request_is_a_payload_error_naming_the_field() -> None:
    with pytest.raises(PayloadError, match=r"^object_attributes\.updated_at: 'soon' is not a"):
        convert(merged(updated_at="soon"), MERGE_REQUESTS)
    with pytest.raises(PayloadError, match=r"^object_attributes\.merge_commit_sha: String should"):
        convert(merged(merge_commit_sha="abc"), MERGE_REQUESTS)
    no_commit = merged(merge_commit_sha=None, last_commit=None)
    with pytest.raises(PayloadError, match=r"^object_attributes\.last_commit\.id: missing$"):
        convert(no_commit, MERGE_REQUESTS)


def test_merge_requests_are_ignored_when_changes_come_from_pushes() -> None:
    assert convert(merged(), CONFIG) == Converted(
        ignored="merge_request: changes come from push hooks"
    )


def test_an_unknown_change_source_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="^changes: 'mr' is not one of push, merge_request$"):
        GitLabConfig(changes="mr")


# --- any value in any field read ---------------------------------------------------------

FIELDS = [
    ("push", "ref"), ("push", "after"), ("push", "commits"), ("push", "commits.0"),
    ("push", "commits.0.id"), ("push", "commits.0.timestamp"), ("push", "commits.0.message"),
    ("push", "project"), ("push", "project.id"), ("push", "project.default_branch"),
    ("push", "project.name"), ("merge_request", "object_attributes"),
    ("merge_request", "object_attributes.action"), ("merge_request", "object_attributes.state"),
    ("merge_request", "object_attributes.iid"), ("merge_request", "object_attributes.id"),
    ("merge_request", "object_attributes.target_branch"),
    ("merge_request", "object_attributes.merge_commit_sha"),
    ("merge_request", "object_attributes.last_commit"),
    ("merge_request", "object_attributes.updated_at"),
    ("merge_request", "object_attributes.created_at"),
    ("merge_request", "object_attributes.title"), ("merge_request", "project.default_branch"),
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(FIELDS), value=JSON)
def test_any_field_value_gives_changes_an_ignore_or_a_payload_error(
    field: tuple[str, str], value: Any
) -> None:
    hook, path = field
    payload, config = (push(), CONFIG) if hook == "push" else (merged(), MERGE_REQUESTS)
    *parents, last = path.split(".")
    target: Any = payload
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    try:
        converted = convert(payload, config)
    except PayloadError:
        return
    if converted.ignored is None:
        changes(converted)
