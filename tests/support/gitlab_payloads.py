"""The GitLab webhook fixtures for the adapter tests, and their checks.

``load()`` reads a hook body of tests/fixtures/gitlab/ (GitLab's documented
examples and variants of them, see SOURCES.md); ``only_event()`` checks a
conversion gave exactly one valid deploy event. ``CONFIG`` is the default
config (changes from Push Hooks); ``JOBS`` makes the documented pipeline's
``build-image`` job a rollback and ``test-build`` a hotfix; ``MERGE_REQUESTS``
takes changes from merged merge requests. Used by
tests/unit/gateway/test_adapter_gitlab_*.py and test_gateway_gitlab.py.
"""

from __future__ import annotations

from typing import Any

from schemas.events import DeployEvent
from streams.gateway.adapters.base import Converted
from streams.gateway.adapters.gitlab import GitLabConfig
from tests.support import adapter_checks, paths

FIXTURES = paths.FIXTURES / "gitlab"
CONFIG = GitLabConfig()
JOBS = GitLabConfig(
    rollback_pipelines=frozenset({"build-image"}), hotfix_pipelines=frozenset({"test-build"})
)
MERGE_REQUESTS = GitLabConfig(changes="merge_request")
load = adapter_checks.fixture_loader("gitlab")


def only_event(converted: Converted) -> dict[str, Any]:
    """Return the one deploy event of ``converted`` (see ``adapter_checks.only_event``)."""
    return adapter_checks.only_event(converted, DeployEvent)
