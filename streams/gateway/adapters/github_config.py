"""How GitHub repositories and workflows become services and deploy kinds (``GitHubConfig``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from streams.gateway.adapters.mapping import NAME


@dataclass(frozen=True)
class GitHubConfig:
    """How GitHub repositories and workflows become services and deploy kinds.

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

    Raises:
        ValueError: A workflow is both rollback and hotfix, or a mapped
            service or environment is not a valid contract name.
    """

    services: Mapping[str, str] = field(default_factory=dict)
    rollback_workflows: frozenset[str] = frozenset()
    hotfix_workflows: frozenset[str] = frozenset()
    environments: Mapping[str, str] = field(default_factory=dict)
    workflow_environment: str = "production"

    def __post_init__(self) -> None:
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

    def workflow_kind(self, names: Iterable[str]) -> str | None:
        """Return ``rollback``/``hotfix`` if any of a workflow's names is configured, else None."""
        found = set(names)
        if found & self.rollback_workflows:
            return "rollback"
        if found & self.hotfix_workflows:
            return "hotfix"
        return None
