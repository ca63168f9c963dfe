"""How GitLab projects, environments, pipelines and jobs become event fields (``GitLabConfig``).

Shared by the Deployment Hook (``gitlab``), the Pipeline Hook
(``gitlab_pipeline``) and the Push and Merge Request Hook (``gitlab_changes``)
conversions: the service of a project, the renamed environment, the version of
a ref, which pipelines or jobs are rollbacks or hotfixes, and which hooks
report changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from streams.gateway.adapters.mapping import NAME, check_names
from streams.gateway.adapters.payload import require

CHANGE_SOURCES = ("push", "merge_request")
"""The values of ``GitLabConfig.changes``: which hooks report changes landed."""


@dataclass(frozen=True)
class GitLabConfig:
    """How GitLab projects and pipelines become services, environments and deploy kinds.

    Attributes:
        services: Project ``path_with_namespace`` (``acme/shop/api``) or
            ``name`` (``api``) to service; the path wins. Unmapped projects
            use their name.
        environments: GitLab environment name to ours (``prod`` to
            ``production``); unmapped names are kept.
        rollback_pipelines: Pipelines (by ``workflow:name``) or jobs (by job
            name) whose completion is a rollback.
        hotfix_pipelines: Same for hotfixes.
        pipeline_environment: Environment of a rollback/hotfix pipeline, and
            of a job that declares no ``environment:``.
        changes: Which hooks report the changes landed on the default branch:
            ``push`` (every pushed commit, the default) or ``merge_request``
            (every merged merge request); the other kind is ignored, so no
            change is counted twice (``gitlab_changes``).

    Raises:
        ValueError: A name is both rollback and hotfix, a mapped service or
            environment is not a valid contract name, or ``changes`` is not one
            of ``CHANGE_SOURCES``.
    """

    services: Mapping[str, str] = field(default_factory=dict)
    environments: Mapping[str, str] = field(default_factory=dict)
    rollback_pipelines: frozenset[str] = frozenset()
    hotfix_pipelines: frozenset[str] = frozenset()
    pipeline_environment: str = "production"
    changes: str = "push"

    def __post_init__(self) -> None:
        if self.changes not in CHANGE_SOURCES:
            msg = f"changes: {self.changes!r} is not one of {', '.join(CHANGE_SOURCES)}"
            raise ValueError(msg)
        both = self.rollback_pipelines & self.hotfix_pipelines
        if both:
            msg = f"configured as both rollback and hotfix: {', '.join(sorted(both))}"
            raise ValueError(msg)
        check_names(
            [*self.services.values(), *self.environments.values(), self.pipeline_environment]
        )

    def kind(self, names: Iterable[object]) -> str | None:
        """Return ``rollback``/``hotfix`` if one of ``names`` is configured as such, else None.

        Values that are not strings (a payload's ``null`` or a mistyped name) match nothing.
        """
        found = {name for name in names if isinstance(name, str) and name}
        if found & self.rollback_pipelines:
            return "rollback"
        if found & self.hotfix_pipelines:
            return "hotfix"
        return None

    def service(self, payload: dict[str, Any]) -> tuple[str, str]:
        """Return the service of the payload's ``project`` and the JSON path it came from."""
        name: str = require(payload, "project.name")
        path = payload["project"].get("path_with_namespace")
        if isinstance(path, str) and path in self.services:
            return self.services[path], "project.path_with_namespace"
        return self.services.get(name, name), "project.name"

    def environment(self, name: str) -> str:
        """Return our name of GitLab environment ``name``."""
        return self.environments.get(name, name)


def version(ref: Any) -> str | None:
    """Return a git ref as version when it is a valid contract name (optional field)."""
    if not isinstance(ref, str):
        return None
    try:
        return NAME.validate_python(ref)
    except ValidationError:
        return None
