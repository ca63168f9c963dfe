"""Pure: a CDEvents ``change.merged`` (v0.4: ``0.2.0``; v0.5: ``0.3.0``) to a change event.

The spec's ``change`` subject carries an ``id`` ("``1234``,
``featureBranch123``, ``1a429d2f06fa49d8ece5045ac6471dc8a2276895``") and a
``repository`` reference, nothing else: no commit and no commit time. The
contract needs the commit that landed, so:

* ``change_id``: ``subject.id``;
* ``commit_sha``: ``customData.commitSha`` when sent, else ``subject.id`` when
  it is a full commit id (40 or 64 hex digits; a short number such as ``1234``
  is a pull request, not a commit). A change.merged with neither is ignored
  (HTTP 202, counted): it is valid CDEvents but cannot be placed on a deploy;
* ``occurred_at``: ``context.timestamp``, the merge;
* ``first_commit_at``: ``customData.firstCommitAt`` (RFC 3339) when sent, cut
  to ``occurred_at`` when later; else none (the contract takes the merge time);
* ``title``: ``customData.title`` when sent;
* ``service``: ``subject.content.repository.id`` renamed by the services map
  (any case), else its last path segment (``an-org/a-repo`` -> ``a-repo``,
  trailing ``.git`` dropped) renamed by the map, else that name, as GitHub and
  GitLab name unmapped repositories. No repository: ``PayloadError``;
* ``event_id``: the CDEvent's, as for every type (``cdevents_mapping.event_id``).
"""

from __future__ import annotations

import re
from typing import Any

from streams.gateway.adapters import cdevents_mapping as build
from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.cdevents_config import CDEventsConfig
from streams.gateway.adapters.change_event import change_event, not_after
from streams.gateway.adapters.cloudevents import CloudEvent

FULL_SHA = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
"""A full SHA-1 or SHA-256 commit id: what a ``subject.id`` must be to name the commit."""


def change(ce: CloudEvent, config: CDEventsConfig) -> dict[str, Any] | str:
    """Return the change event of a ``change.merged``, or why it is ignored (no commit named).

    Raises:
        PayloadError: A field read is mistyped, the repository is missing, or
            the contract refuses a value (a ``commitSha`` that is not hex); the
            message names the JSON path in the request.
    """
    subject_id = build.text(ce, "subject.id")
    sha_path = "customData.commitSha"
    sha = build.optional(ce, sha_path)
    if sha is None and FULL_SHA.fullmatch(subject_id):
        sha, sha_path = subject_id, "subject.id"
    if sha is None:
        return (
            f"change.merged of {subject_id!r} names no commit (send customData.commitSha, "
            "or the full commit id as subject.id)"
        )
    service, service_path = _service(ce, config)
    landed = build.text(ce, "context.timestamp")
    first = build.optional(ce, "customData.firstCommitAt")
    if first is not None:
        first = not_after(first, landed, ce.path("customData.firstCommitAt"))
    paths = {
        "service": service_path,
        "change_id": "subject.id",
        "commit_sha": sha_path,
        "occurred_at": "context.timestamp",
        "first_commit_at": "customData.firstCommitAt",
        "title": "customData.title",
    }
    return change_event(
        event_id=build.event_id(ce),
        source=build.SOURCE,
        service=service,
        change_id=subject_id,
        commit_sha=sha,
        occurred_at=landed,
        first_commit_at=first,
        title=build.optional(ce, "customData.title"),
        paths={name: ce.path(path) for name, path in paths.items()},
    )


def _service(ce: CloudEvent, config: CDEventsConfig) -> tuple[str, str]:
    """Return the service of the change's repository and the path it came from."""
    path = "subject.content.repository.id"
    if build.optional(ce, path) is None:
        msg = f"{ce.path('subject.content.repository')}: missing (the repository names the service)"
        raise PayloadError(msg)
    repository = build.text(ce, path)
    if repository.strip().casefold() in config.services:
        return config.service(repository), path
    name = repository.strip().rstrip("/").rsplit("/", 1)[-1]
    name = name.removesuffix(".git") or name
    return config.service(name or repository), path
