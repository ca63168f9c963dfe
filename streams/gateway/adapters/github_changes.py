"""GitHub ``push`` and merged ``pull_request`` deliveries to change events (contract v1.1).

Changes landed on the default branch (``repository.default_branch``) feed lead
time for changes (docs/metrics.md). GitHub reports a pull request's landing
twice: as the push that moved the branch and as the pull request closing
merged. ``GitHubConfig.changes`` (``MTTR_GITHUB_CHANGES``) picks one source,
and deliveries of the other kind are ignored (HTTP 202), so no change is
counted twice.

``push`` (the default): one change per commit listed in ``commits`` of a push
whose ``ref`` is ``refs/heads/<default_branch>``, in GitHub's order:

* ``change_id`` and ``commit_sha``: the commit's ``id``;
* ``occurred_at``: ``repository.pushed_at``, the time of this push (epoch
  seconds in push deliveries, an ISO string elsewhere; both read), else the
  latest commit ``timestamp`` when it is null. Not ``head_commit.timestamp``:
  that is the time written into the commit on the committer's machine, which
  a push of older commits keeps, so it says when the work was done, not when
  it landed;
* ``first_commit_at``: the commit's ``timestamp``, cut to ``occurred_at`` when
  later (``change_event.not_after``);
* ``title``: the first line of its ``message``;
* ``event_id``: ``github-push-<repository.id>-<commit id>`` (a commit lands
  on the default branch once; a redelivery gives the same id).

Ignored: pushes to other branches or tags, deletions (``deleted`` true or
``after`` all zeros), pushes without commits (a branch created at an existing
commit). A malformed commit is left out (``rejected``) and the others kept.

``pull_request``: one change per pull request closed with ``merged`` true
whose ``base.ref`` is the default branch:

* ``change_id``: its ``number``; ``commit_sha``: ``merge_commit_sha``, the
  commit that landed (the merge commit, the squashed commit, or the commit a
  rebase merge moved the branch to);
* ``occurred_at``: ``merged_at``;
* ``first_commit_at``: ``created_at``, when the pull request was opened. The
  delivery lists no commits, and GitHub opens no pull request without a commit
  its base lacks, so the first commit existed by then: an upper bound, and the
  lead time measured from it a lower bound (short by the time from the first
  commit to opening the pull request);
* ``title``: its ``title``;
* ``event_id``: ``github-pull_request-<pull_request.id>-merged``.

Ignored: other actions, pull requests closed without merging or merged into
another branch. ``service`` is the repository's, as for deploys.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.change_event import change_event, first_line, latest, not_after
from streams.gateway.adapters.epoch_time import iso_from_ms, ms_from_text
from streams.gateway.adapters.github_config import GitHubConfig
from streams.gateway.adapters.payload import optional_str, require

SOURCE = "github"
_ZEROS = re.compile("0+")


def convert_push(payload: dict[str, Any], config: GitHubConfig) -> Converted:
    """Return the change events of one ``push`` delivery (see the module docstring).

    Raises:
        PayloadError: A field we use is missing or mistyped, or every commit
            is malformed; the message names the JSON path.
    """
    if config.changes != "push":
        return Converted(ignored=f"push: changes come from {config.changes} events")
    ref = require(payload, "ref")
    default = require(payload, "repository.default_branch")
    if ref != f"refs/heads/{default}":
        return Converted(ignored=f"push to {ref} is not to the default branch {default}")
    after = require(payload, "after")
    if payload.get("deleted") is True or _ZEROS.fullmatch(after):
        return Converted(ignored=f"push deleted {ref}")
    commits = require(payload, "commits", list)
    if not commits:
        return Converted(ignored=f"push to {ref} carries no commits")
    landed, landed_path = _pushed_at(payload, len(commits))
    service, service_path = config.service(payload)
    push = _Push(
        id_prefix=f"github-push-{require(payload, 'repository.id', int)}",
        landed=landed,
        service=service,
        paths={"service": service_path, "occurred_at": landed_path},
    )
    events: list[dict[str, Any]] = []
    rejected: list[str] = []
    for index in range(len(commits)):
        try:
            events.append(_commit(payload, index, push))
        except PayloadError as exc:
            rejected.append(str(exc))
    if not events:
        raise PayloadError("; ".join(rejected))
    return Converted(events=events, rejected=rejected)


def convert_pull_request(payload: dict[str, Any], config: GitHubConfig) -> Converted:
    """Return the change of a ``pull_request`` delivery merging into the default branch.

    Raises:
        PayloadError: A field we use is missing or mistyped; the message names
            the JSON path.
    """
    if config.changes != "pull_request":
        return Converted(ignored=f"pull_request: changes come from {config.changes} events")
    action = require(payload, "action")
    number = require(payload, "pull_request.number", int)
    if action != "closed":
        return Converted(ignored=f"pull_request action {action} is not converted")
    if payload["pull_request"].get("merged") is not True:
        return Converted(ignored=f"pull request #{number} was closed without merging")
    base = require(payload, "pull_request.base.ref")
    default = require(payload, "repository.default_branch")
    if base != default:
        return Converted(
            ignored=f"pull request #{number} merged into {base}, not the default branch {default}"
        )
    merged_at = require(payload, "pull_request.merged_at")
    service, service_path = config.service(payload)
    first = not_after(
        require(payload, "pull_request.created_at"), merged_at, "pull_request.created_at"
    )
    event = change_event(
        event_id=f"github-pull_request-{require(payload, 'pull_request.id', int)}-merged",
        source=SOURCE,
        service=service,
        change_id=str(number),
        commit_sha=require(payload, "pull_request.merge_commit_sha"),
        occurred_at=merged_at,
        first_commit_at=first,
        title=optional_str(payload, "pull_request.title"),
        paths={
            "service": service_path,
            "occurred_at": "pull_request.merged_at",
            "first_commit_at": "pull_request.created_at",
            "commit_sha": "pull_request.merge_commit_sha",
            "title": "pull_request.title",
        },
    )
    return Converted(events=[event])


def _pushed_at(payload: dict[str, Any], count: int) -> tuple[str, str]:
    """Return when the push landed (RFC 3339) and the path it came from.

    ``repository.pushed_at`` (epoch seconds or an ISO string); when it is null,
    the latest ``timestamp`` of the listed commits.
    """
    value = payload["repository"].get("pushed_at")
    if value is not None:
        ms = ms_from_text(value, "repository.pushed_at")
        return iso_from_ms(ms, "repository.pushed_at"), "repository.pushed_at"
    times = [
        (require(payload, f"commits.{index}.timestamp"), f"commits.{index}.timestamp")
        for index in range(count)
    ]
    return latest(times), "commits.timestamp"


class _Push(NamedTuple):
    """What every change of one push shares: id prefix, landing time, service, their paths."""

    id_prefix: str
    landed: str
    service: str
    paths: dict[str, str]


def _commit(payload: dict[str, Any], index: int, push: _Push) -> dict[str, Any]:
    """Return the change event of commit ``commits.<index>`` of ``push``."""
    path = f"commits.{index}"
    require(payload, path, dict)
    sha = require(payload, f"{path}.id")
    timestamp_path = f"{path}.timestamp"
    return change_event(
        event_id=f"{push.id_prefix}-{sha}",
        source=SOURCE,
        service=push.service,
        change_id=sha,
        commit_sha=sha,
        occurred_at=push.landed,
        first_commit_at=not_after(require(payload, timestamp_path), push.landed, timestamp_path),
        title=first_line(optional_str(payload, f"{path}.message")),
        paths={
            **push.paths,
            "event_id": f"{path}.id",
            "change_id": f"{path}.id",
            "commit_sha": f"{path}.id",
            "first_commit_at": f"{path}.timestamp",
            "title": f"{path}.message",
        },
    )
