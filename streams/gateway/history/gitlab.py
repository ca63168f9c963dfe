"""GitLab deployment history (REST API answers) to the deploy events of the Deployment Hooks.

Input: ``{"project": <GET /projects/:id>, "deployments": <GET /projects/:id/deployments,
every page>}``, merged with ``jq`` (docs/sources/import.md); the deployments
answer does not name the project, whose name is the service.

The REST API gives each deployment's CURRENT ``status`` only, and its
``updated_at``: the time of the row's last write, which for a deployment
that no longer changes is the save of its last status transition. Each
deployment becomes the body of the Deployment Hook GitLab sent for that
transition (``status``, ``deployment_id`` = ``id``, ``environment`` =
``environment.name``, ``status_changed_at`` = ``updated_at`` cut to the whole
second, as the hook's Ruby ``Time#to_s`` writes it; the ``project``;
``commit_url`` and ``short_sha`` from ``sha``; ``ref``), converted by the live
adapter (``adapters/gitlab.py``): same status mapping, service and
environment maps, same id (``deployment_event_id``:
``gitlab-deployment-<id>-<status>``). So a finished deployment gives its
final event (``succeeded``/``failed``), a running one its ``started``; the
earlier ``running`` of a finished deployment is not in the answer and is not
imported. ``created``, ``blocked`` and ``skipped`` are ignored, as live.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any, ClassVar

from streams.gateway.adapters import gitlab
from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.gitlab import GitLabConfig
from streams.gateway.history.base import Document, Imported, get, instant, located

SOURCE = gitlab.SOURCE
SHORT_SHA = 8  # GitLab's Commit.truncate_sha, the hook's short_sha


@dataclass(frozen=True)
class GitLabHistory:
    """The ``Importer`` of ``mttr import gitlab``, configured like ``GitLabAdapter``."""

    name: ClassVar[str] = SOURCE
    config: GitLabConfig

    def convert(self, documents: Sequence[Document]) -> Imported:
        """Return the deploy event of the current status of every deployment of ``documents``."""
        return convert(documents, self.config)


def convert(documents: Sequence[Document], config: GitLabConfig) -> Imported:
    """Convert saved GitLab deployments (with their project) into deploy events."""
    result = Imported()
    for document in documents:
        payload = document.payload
        if not isinstance(payload, dict) or not isinstance(payload.get("deployments"), list):
            result.errors.append(
                f"{document.name}: top level: expected an object with project and deployments "
                "(docs/sources/import.md)"
            )
            continue
        project = payload.get("project")
        if not isinstance(project, dict):
            result.errors.append(
                f"{document.name}: project: missing (add GET /projects/:id: docs/sources/import.md)"
            )
            continue
        for index, deployment in enumerate(payload["deployments"]):
            path = f"deployments[{index}]"
            try:
                _deployment(document.name, path, deployment, project, config, result)
            except PayloadError as exc:
                result.errors.append(f"{document.name}: {exc}")
    return result.finished()


def _deployment(
    name: str,
    path: str,
    deployment: Any,
    project: dict[str, Any],
    config: GitLabConfig,
    result: Imported,
) -> None:
    status = get(deployment, "status", path)
    if status in gitlab.IGNORED_STATUSES:
        result.ignored += 1
        return
    if status not in gitlab.DEPLOYMENT_STATUSES:
        msg = f"{path}.status: unknown deployment status {status!r}"
        raise PayloadError(msg)
    changed = instant(deployment, "updated_at", path).astimezone(UTC)
    environment = get(get(deployment, "environment", path, dict), "name", f"{path}.environment")
    body: dict[str, Any] = {
        "object_kind": "deployment",
        "status": status,
        "status_changed_at": changed.strftime("%Y-%m-%dT%H:%M:%SZ"),  # whole seconds, as live
        "deployment_id": get(deployment, "id", path, int),
        "environment": environment,
        "project": project,
        "ref": deployment.get("ref"),
    }
    sha = deployment.get("sha")
    if isinstance(sha, str):
        body["short_sha"] = sha[:SHORT_SHA]
        body["commit_url"] = f"{str(project.get('web_url') or '').rstrip('/')}/-/commit/{sha}"
    renames = [
        ("status_changed_at", f"{path}.updated_at"),
        ("deployment_id", f"{path}.id"),
        ("environment", f"{path}.environment.name"),
        ("short_sha", f"{path}.sha"),
    ]
    try:
        converted = gitlab.convert(body, config)
    except PayloadError as exc:
        result.errors.append(f"{name}: {located(exc, renames)}")
        return
    if converted.ignored is not None:
        result.ignored += 1
    result.events.extend(converted.events)
