"""GitHub deployment history (REST API answers) to the deploy events of the live webhooks.

Input: a saved JSON array of deployments (``GET /repos/{owner}/{repo}/deployments``),
each with a ``statuses`` array holding its statuses
(``GET /repos/{owner}/{repo}/deployments/{id}/statuses``), merged with ``jq``
(docs/sources/import.md).

Every status becomes the body of the ``deployment_status`` webhook GitHub
sent for it (``deployment_status`` = the status, ``deployment`` = the
deployment, ``repository`` named by the deployment's ``repository_url``),
converted by the live adapter (``adapters/github.py``): same state mapping,
service and environment maps, same ids
(``github-deployment_status-<status id>-<status>``). ``inactive`` statuses
are ignored, as live. The REST deployment does not say which workflow run
created it, so a deployment whose kind live comes only from a configured
rollback/hotfix workflow run is imported as a ``release``; a kind declared in
the task (``deploy:rollback``) or the payload (``{"kind": "rollback"}``) is
kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from streams.gateway.adapters import github
from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.github import GitHubConfig
from streams.gateway.history.base import Document, Imported, get, located

SOURCE = github.SOURCE
_REPOSITORY = re.compile(r"/repos/(?P<owner>[^/?#]+)/(?P<name>[^/?#]+)/?$")


@dataclass(frozen=True)
class GitHubHistory:
    """The ``Importer`` of ``mttr import github``, configured like ``GitHubAdapter``."""

    name: ClassVar[str] = SOURCE
    config: GitHubConfig

    def convert(self, documents: Sequence[Document]) -> Imported:
        """Return the deploy events of every status of every deployment of ``documents``."""
        return convert(documents, self.config)


def convert(documents: Sequence[Document], config: GitHubConfig) -> Imported:
    """Convert saved deployments (each with its ``statuses``) into deploy events."""
    result = Imported()
    for document in documents:
        if not isinstance(document.payload, list):
            result.errors.append(
                f"{document.name}: top level: expected an array of deployments, "
                f"got {type(document.payload).__name__}"
            )
            continue
        for index, deployment in enumerate(document.payload):
            try:
                _deployment(document.name, f"[{index}]", deployment, config, result)
            except PayloadError as exc:
                result.errors.append(f"{document.name}: {exc}")
    return result.finished()


def _deployment(
    name: str, path: str, deployment: Any, config: GitHubConfig, result: Imported
) -> None:
    url = get(deployment, "repository_url", path)
    match = _REPOSITORY.search(url)
    if match is None:
        msg = f"{path}.repository_url: expected .../repos/OWNER/REPO, got {url!r}"
        raise PayloadError(msg)
    if deployment.get("statuses") is None:
        msg = f"{path}.statuses: missing (add each deployment's statuses: docs/sources/import.md)"
        raise PayloadError(msg)
    statuses = get(deployment, "statuses", path, list)
    repository = {
        "name": match.group("name"),
        "full_name": f"{match.group('owner')}/{match.group('name')}",
    }
    bare = {key: value for key, value in deployment.items() if key != "statuses"}
    for index, status in enumerate(statuses):
        status_path = f"{path}.statuses[{index}]"
        body = {
            "action": "created",
            "deployment_status": status,
            "deployment": bare,
            "repository": repository,
        }
        renames = [
            ("deployment_status", status_path),
            ("deployment", path),
            ("repository.full_name", f"{path}.repository_url"),
            ("repository.name", f"{path}.repository_url"),
        ]
        try:
            converted = github.convert("deployment_status", body, config)
        except PayloadError as exc:
            result.errors.append(f"{name}: {located(exc, renames)}")
            continue
        if converted.ignored is not None:
            result.ignored += 1
        result.events.extend(converted.events)
