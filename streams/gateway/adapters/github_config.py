"""How GitHub repositories and workflows become services, deploy kinds and changes.

``GitHubConfig`` is shared by the deploy conversions (``github``) and the
change conversions (``github_changes``): the service of a repository, the
renamed environment, which workflows are rollbacks or hotfixes, and which
deliveries report changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from streams.gateway.adapters.mapping import NAME
from streams.gateway.adapters.payload import require

CHANGE_SOURCES = ("push", "pull_request")
"""The values of ``GitHubConfig.changes``: which deliveries report changes landed."""


@dataclass(frozen=True)
class GitHubConfig:
    """How GitHub repositories and workflows become services, deploy kinds and changes.

    Attributes:
        services: Repository ``full_name`` (``octo-org/api``) or ``name``
            (``api``) to service; ``full_name`` wins. Unmapped repositories use
            their name.
        rollback_workflows: Workflows whose completed runs are rollbacks, by
            name (``Rollback``), path (``.github/workflows/rollback.yml``) or
            file name (``rollback.yml``).
        hotfix_workflows: Same for hotfix workflows.
        environments: GitHub environment name to ours (``prod`` to
            ``production``); unmapped names are kept.
        workflow_environment: Environment of deploy events from workflow runs,
            which carry none.
        changes: Which deliveries report the changes landed on the default
            branch: ``push`` (every pushed commit, the default) or
            ``pull_request`` (every merged pull request); the other kind is
            ignored, so no change is counted twice (``github_changes``).

    Raises:
        ValueError: A workflow is both rollback and hotfix, a mapped service
            or environment is not a valid contract name, or ``changes`` is not
            one of ``CHANGE_SOURCES``.
    """

    services: Mapping[str, str] = field(default_factory=dict)
    rollback_workflows: frozenset[str] = frozenset()
    hotfix_workflows: frozenset[str] = frozenset()
    environments: Mapping[str, str] = field(default_factory=dict)
    workflow_environment: str = "production"
    changes: str = "push"

    def __post_init__(self) -> None:
        if self.changes not in CHANGE_SOURCES:
            msg = f"changes: {self.changes!r} is not one of {', '.join(CHANGE_SOURCES)}"
            raise ValueError(msg)
        both = self.rollback_workflows & self.hotfix_workflows
        if both:
            msg = f"workflows configured as both rollback and hotfix: {', '.join(sorted(both))}"
            raise ValueError(msg)
        names = [*self.services.values(), *self.environments.values(), self.workflow_environment]
        for name in names:
            try:
                NAME.validate_python(name)
            except ValidationError:
                msg = f"not a valid service or environment name (1-128 printable chars): {name!r}"
                raise ValueError(msg) from None

    def service(self, payload: dict[str, Any]) -> tuple[str, str]:
        """Return the service of the payload's ``repository`` and the JSON path it came from.

        The mapped ``full_name``, else the mapped ``name``, else the ``name``.

        Raises:
            PayloadError: ``repository.name`` is missing or not a string.
        """
        name: str = require(payload, "repository.name")
        full_name = payload["repository"].get("full_name")
        if isinstance(full_name, str) and full_name in self.services:
            return self.services[full_name], "repository.full_name"
        return self.services.get(name, name), "repository.name"

    def workflow_kind(self, names: Iterable[str]) -> str | None:
        """Return ``rollback``/``hotfix`` if any of a workflow's names is configured, else None."""
        found = set(names)
        if found & self.rollback_workflows:
            return "rollback"
        if found & self.hotfix_workflows:
            return "hotfix"
        return None
