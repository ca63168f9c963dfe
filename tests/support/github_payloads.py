"""GitHub webhook payloads for the adapter tests, and their checks.

``deployment_status()`` and ``workflow_run()`` are small hand-made payloads that
keep only the fields GitHub sends that the adapter reads, in GitHub's shape
(keyword arguments override fields of the status or run); ``one_event()`` checks
a conversion gave exactly one valid deploy event. ``load()`` reads a delivery of
tests/fixtures/github/ (GitHub's published examples and variants, SOURCES.md):
``push.json``, ``pull_request_closed.json``, ``derived_pull_request_merged.json``.
``CONFIG`` is the default config (changes from pushes), ``ROLLBACK`` one that
maps the "Rollback" workflow to rollbacks, ``PULL_REQUESTS`` one whose changes
come from merged pull requests. Used by tests/unit/gateway/test_adapter_github_*.py.
"""

from __future__ import annotations

from typing import Any

from schemas.events import DeployEvent
from streams.gateway.adapters.base import Converted
from streams.gateway.adapters.github import GitHubConfig
from tests.support import adapter_checks

CONFIG = GitHubConfig()
PULL_REQUESTS = GitHubConfig(changes="pull_request")
load = adapter_checks.fixture_loader("github")


def deployment_status(**status: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "action": "created",
        "deployment_status": {
            "id": 901,
            "state": "success",
            "environment": "prod",
            "created_at": "2026-03-02T10:20:00Z",
            "updated_at": "2026-03-02T10:21:00Z",
        },
        "deployment": {
            "id": 77,
            "sha": "3484a3fb816e0859fd6e1cea078d76385ff50625",
            "ref": "v4.11.3",
            "task": "deploy",
            "payload": {},
            "environment": "prod",
        },
        "repository": {"name": "checkout", "full_name": "acme/checkout"},
    }
    payload["deployment_status"].update(status)
    return payload


def workflow_run(**run: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "action": "completed",
        "workflow_run": {
            "id": 5001,
            "name": "Rollback",
            "path": ".github/workflows/rollback.yml",
            "run_attempt": 2,
            "status": "completed",
            "conclusion": "success",
            "head_branch": "main",
            "head_sha": "5779607b49aab1200488439f02372c57b4f75444",
            "updated_at": "2026-03-02T10:25:00Z",
        },
        "workflow": {"name": "Rollback", "path": ".github/workflows/rollback.yml"},
        "repository": {"name": "checkout", "full_name": "acme/checkout"},
    }
    payload["workflow_run"].update(run)
    return payload


def one_event(converted: Converted) -> dict[str, Any]:
    """Return the one deploy event of ``converted`` (see ``adapter_checks.only_event``)."""
    return adapter_checks.only_event(converted, DeployEvent)


ROLLBACK = GitHubConfig(rollback_workflows=frozenset({"Rollback"}))
