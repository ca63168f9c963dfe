"""GitLab Push Hooks and merged Merge Request Hooks to change events (contract v1.1).

Changes landed on the default branch (``project.default_branch``) feed lead
time for changes (docs/metrics.md). GitLab reports a merge request's landing
twice: as the push that moved the branch and as the merge request's ``merge``
action. ``GitLabConfig.changes`` (``MTTR_GITLAB_CHANGES``) picks one source,
and hooks of the other kind are ignored (HTTP 202), so no change is counted
twice.

``push`` (the default): one change per commit listed in ``commits`` of a Push
Hook whose ``ref`` is ``refs/heads/<default_branch>``, in GitLab's order:

* ``change_id`` and ``commit_sha``: the commit's ``id``;
* ``occurred_at``: the latest ``timestamp`` of the listed commits. A Push Hook
  carries no push time (GitLab's ``Gitlab::DataBuilder::Push`` writes none),
  and a commit's ``timestamp`` is its committer date: every pushed commit
  existed before the push, so this is a lower bound of the landing, exact for
  a commit GitLab made at the landing (a merge or squash commit of the UI);
* ``first_commit_at``: the commit's ``timestamp``;
* ``title``: the first line of its ``message``;
* ``event_id``: ``gitlab-push-<project.id>-<commit id>``.

Ignored: pushes to other branches, deletions (``after`` all zeros), pushes
without commits (a branch created at an existing commit). A malformed commit is
left out (``rejected``) and the others kept. GitLab lists only the newest 20
commits of a push (``total_commits_count`` counts them all): older ones get no
change event.

``merge_request``: one change per Merge Request Hook with action ``merge``
(state ``merged``) whose ``target_branch`` is the default branch:

* ``change_id``: the merge request's ``iid``;
* ``commit_sha``: ``merge_commit_sha``, the merge commit; when it is null the
  merge was a fast-forward and the branch now points at the merge request's
  head, ``last_commit.id`` (for a squashed fast-forward merge that is the
  pre-squash head: the hook names no squash commit);
* ``occurred_at``: ``updated_at``, written by the merge itself (the hook has no
  ``merged_at``);
* ``first_commit_at``: ``created_at``, when the merge request was opened (the
  hook lists no commits); an upper bound of the first commit when the merge
  request was opened from pushed commits, cut to ``occurred_at`` when later;
* ``title``: its ``title``;
* ``event_id``: ``gitlab-merge_request-<id>-merged`` (``id`` is global, ``iid``
  per project).

Times in Ruby ``Time#to_s`` form (older GitLab) are read as well (``ruby_time``).
``service`` is the project's, as for deployments.
"""

from __future__ import annotations

import re
from typing import Any

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.change_event import change_event, first_line, latest, not_after
from streams.gateway.adapters.datetimes import ruby_time
from streams.gateway.adapters.gitlab_config import GitLabConfig
from streams.gateway.adapters.payload import optional_str, require

SOURCE = "gitlab"
_ZEROS = re.compile("0+")


def convert_push(payload: dict[str, Any], config: GitLabConfig) -> Converted:
    """Return the change events of one Push Hook (see the module docstring).

    Raises:
        PayloadError: A field we use is missing or mistyped, or every commit
            is malformed; the message names the JSON path.
    """
    if config.changes != "push":
        return Converted(ignored=f"push: changes come from {config.changes} hooks")
    ref = require(payload, "ref")
    default = require(payload, "project.default_branch")
    if ref != f"refs/heads/{default}":
        return Converted(ignored=f"push to {ref} is not to the default branch {default}")
    if _ZEROS.fullmatch(require(payload, "after")):
        return Converted(ignored=f"push deleted {ref}")
    commits = require(payload, "commits", list)
    if not commits:
        return Converted(ignored=f"push to {ref} carries no commits")
    project_id = require(payload, "project.id", int)
    service, service_path = config.service(payload)
    read: list[tuple[str, str, str]] = []  # (path, id, timestamp) of the well-formed commits
    rejected: list[str] = []
    for index in range(len(commits)):
        path = f"commits.{index}"
        try:
            sha, timestamp = require(payload, f"{path}.id"), _time(payload, f"{path}.timestamp")
        except PayloadError as exc:
            rejected.append(str(exc))
            continue
        read.append((path, sha, timestamp))
    if not read:
        raise PayloadError("; ".join(rejected))
    landed = latest([(timestamp, f"{path}.timestamp") for path, _, timestamp in read])
    events: list[dict[str, Any]] = []
    for path, sha, timestamp in read:
        try:
            event = change_event(
                event_id=f"gitlab-push-{project_id}-{sha}",
                source=SOURCE,
                service=service,
                change_id=sha,
                commit_sha=sha,
                occurred_at=landed,
                first_commit_at=timestamp,
                title=first_line(optional_str(payload, f"{path}.message")),
                paths={
                    **_paths(service_path, f"{path}.id", f"{path}.message"),
                    "first_commit_at": f"{path}.timestamp",
                },
            )
        except PayloadError as exc:
            rejected.append(str(exc))
            continue
        events.append(event)
    if not events:
        raise PayloadError("; ".join(rejected))
    return Converted(events=events, rejected=rejected)


def convert_merge_request(payload: dict[str, Any], config: GitLabConfig) -> Converted:
    """Return the change of a Merge Request Hook merging into the default branch.

    Raises:
        PayloadError: A field we use is missing or mistyped; the message names
            the JSON path.
    """
    if config.changes != "merge_request":
        return Converted(ignored=f"merge_request: changes come from {config.changes} hooks")
    require(payload, "object_attributes", dict)
    action = optional_str(payload, "object_attributes.action")
    iid = require(payload, "object_attributes.iid", int)
    if action != "merge":
        return Converted(ignored=f"merge_request action {action} is not converted")
    state = require(payload, "object_attributes.state")
    if state != "merged":
        return Converted(ignored=f"merge request !{iid}: action merge in state {state}")
    target = require(payload, "object_attributes.target_branch")
    default = require(payload, "project.default_branch")
    if target != default:
        return Converted(
            ignored=f"merge request !{iid} merged into {target}, not the default branch {default}"
        )
    sha_path = "object_attributes.merge_commit_sha"
    if optional_str(payload, sha_path) is None:
        sha_path = "object_attributes.last_commit.id"  # a fast-forward merge
    landed = _time(payload, "object_attributes.updated_at")
    created_path = "object_attributes.created_at"
    service, service_path = config.service(payload)
    event = change_event(
        event_id=f"gitlab-merge_request-{require(payload, 'object_attributes.id', int)}-merged",
        source=SOURCE,
        service=service,
        change_id=str(iid),
        commit_sha=require(payload, sha_path),
        occurred_at=landed,
        first_commit_at=not_after(_time(payload, created_path), landed, created_path),
        title=optional_str(payload, "object_attributes.title"),
        paths={
            **_paths(service_path, sha_path, "object_attributes.title"),
            "change_id": "object_attributes.iid",
            "occurred_at": "object_attributes.updated_at",
            "first_commit_at": created_path,
        },
    )
    return Converted(events=[event])


def _time(payload: dict[str, Any], path: str) -> str:
    return ruby_time(require(payload, path), path)


def _paths(service_path: str, sha_path: str, title_path: str) -> dict[str, str]:
    return {
        "service": service_path,
        "event_id": sha_path,
        "change_id": sha_path,
        "commit_sha": sha_path,
        "title": title_path,
    }
