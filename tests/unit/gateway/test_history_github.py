"""``mttr import github``: REST deployments with their statuses in, the live deploy events out.

streams/gateway/history/github.py; fixtures: tests/fixtures/github/SOURCES.md.
"""

from __future__ import annotations

import pytest

from streams.gateway.adapters.github import GitHubConfig
from streams.gateway.history.base import Document
from streams.gateway.history.github import convert
from streams.settings import Settings
from tests.support.history_payloads import imported, load

CONFIG = GitHubConfig()


def test_every_status_becomes_the_event_of_its_webhook() -> None:
    result = imported("github")
    assert (result.errors, result.ignored) == ([], 1)  # the inactive status
    assert result.events[-1] == {
        "event_id": "github-deployment_status-209916254-succeeded",
        "type": "deploy",
        "source": "github",
        "service": "Hello-World",  # from repository_url
        "environment": "production",
        "occurred_at": "2019-05-15T15:20:55Z",
        "deploy_id": "145988746",
        "status": "succeeded",
        "kind": "rollback",  # task deploy:rollback
        "version": "master",
        "commit_sha": "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
    }
    assert [e["event_id"] for e in result.events] == [
        "github-deployment_status-1-succeeded",  # the docs' own example, 2012
        "github-deployment_status-209916253-started",
        "github-deployment_status-209916254-succeeded",
    ]


def test_the_settings_of_the_live_adapter_apply() -> None:
    settings = Settings(github_services={"Codertocat/Hello-World": "hello"})
    assert {e["service"] for e in imported("github", settings=settings).events} == {
        "example",
        "hello",
    }


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("statuses"), "deployments.json: [0].statuses: missing (add each "
         "deployment's statuses: docs/sources/import.md)"),
        (lambda d: d.update(repository_url="https://example.com/x"), "deployments.json: "
         "[0].repository_url: expected .../repos/OWNER/REPO, got 'https://example.com/x'"),
        (lambda d: d["statuses"][0].update(state="weird"), "deployments.json: "
         "[0].statuses[0].state: unknown value 'weird'"),
        (lambda d: d.update(sha="not-hex"), "deployments.json: [0].sha: String should match "
         "pattern '^[0-9a-fA-F]{4,64}$'"),
    ],
)  # fmt: skip
def test_errors_name_the_file_and_the_item_and_keep_the_rest(edit, message) -> None:  # type: ignore[no-untyped-def]
    deployments = load("github", "history_deployments.json")
    edit(deployments[0])
    result = convert([Document("deployments.json", deployments)], CONFIG)
    assert result.errors[0] == message
    assert "github-deployment_status-1-succeeded" in [e["event_id"] for e in result.events]


def test_a_file_that_is_not_an_array_is_an_error() -> None:
    result = convert([Document("d.json", {"deployments": []})], CONFIG)
    assert result.errors == ["d.json: top level: expected an array of deployments, got dict"]
