"""GitHub adapter on GitHub's own example payloads: deploys and changes.

The payloads come from the npm package ``@octokit/webhooks-examples`` 7.6.1
(https://www.npmjs.com/package/@octokit/webhooks-examples, MIT, generated
from GitHub's webhook documentation). Its ``api.github.com/index.json`` and
``ghes-*/index.json`` hold, per event type, ``{"name", "actions",
"examples": [payload, ...]}``. The package is installed into
``.cache/npm/`` by a session fixture (npm needed once; nothing is committed).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from typing import Any

import pytest

from schemas.events import EVENT_ADAPTER, DeployEvent
from streams.gateway.adapters.base import Converted, SignatureError
from streams.gateway.adapters.epoch_time import iso_from_ms
from streams.gateway.adapters.github import GitHubConfig, convert, verify_signature
from tests.support.adapter_checks import changes
from tests.support.github_payloads import PULL_REQUESTS, load
from tests.support.npm_fixtures import npm_package

pytestmark = pytest.mark.integration

EXAMPLES_PACKAGE = "@octokit/webhooks-examples"
EXAMPLES_VERSION = "7.6.1"
EVENT_TYPES = ("deployment_status", "workflow_run", "ping", "push", "pull_request")
STATUS_OF_STATE = {
    "success": "succeeded",
    "failure": "failed",
    "error": "failed",
    "pending": "started",
    "queued": "started",
    "in_progress": "started",
}

Example = tuple[str, dict[str, Any]]  # ("ghes-35 deployment_status[0]", payload)


@pytest.fixture(scope="session")
def examples() -> dict[str, list[Example]]:
    """Return the examples of EVENT_TYPES from every GitHub flavour in the package."""
    root = npm_package(EXAMPLES_PACKAGE, EXAMPLES_VERSION)
    found: dict[str, list[Example]] = {name: [] for name in EVENT_TYPES}
    for index in sorted(root.glob("*/index.json")):
        for definition in json.loads(index.read_text(encoding="utf-8")):
            name = definition["name"]
            if name in found:
                for i, payload in enumerate(definition["examples"]):
                    found[name].append((f"{index.parent.name} {name}[{i}]", payload))
    assert all(found.values()), f"no examples for some of {EVENT_TYPES} in {root}"
    return found


def deploy_event(converted: Converted, label: str) -> dict[str, Any]:
    assert converted.ignored is None, f"{label}: ignored: {converted.ignored}"
    assert len(converted.events) == 1, label
    event = converted.events[0]
    assert isinstance(EVENT_ADAPTER.validate_python(event), DeployEvent), label
    return event


def test_githubs_first_deployment_status_example_exactly(
    examples: dict[str, list[Example]],
) -> None:
    label, payload = examples["deployment_status"][0]
    assert label == "api.github.com deployment_status[0]"
    assert deploy_event(convert("deployment_status", payload, GitHubConfig()), label) == {
        "event_id": "github-deployment_status-209916254-succeeded",
        "type": "deploy",
        "source": "github",
        "service": "Hello-World",
        "environment": "production",
        "occurred_at": "2019-05-15T15:20:55Z",
        "deploy_id": "145988746",
        "status": "succeeded",
        "kind": "release",
        "version": "master",
        "commit_sha": "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
    }


def test_every_deployment_status_example_becomes_a_deploy_event(
    examples: dict[str, list[Example]],
) -> None:
    config = GitHubConfig(
        services={"Codertocat/Hello-World": "hello"}, environments={"github-pages": "pages"}
    )
    for label, payload in examples["deployment_status"]:
        status = payload["deployment_status"]
        deployment = payload["deployment"]
        expected_status = STATUS_OF_STATE[status["state"]]
        assert deploy_event(convert("deployment_status", payload, config), label) == {
            "event_id": f"github-deployment_status-{status['id']}-{expected_status}",
            "type": "deploy",
            "source": "github",
            "service": "hello",
            "environment": {"github-pages": "pages"}.get(
                deployment["environment"], deployment["environment"]
            ),
            "occurred_at": status["updated_at"],
            "deploy_id": str(deployment["id"]),
            "status": expected_status,
            "kind": "release",
            "version": deployment["ref"],
            "commit_sha": deployment["sha"],
        }, label


@pytest.mark.parametrize(
    ("state", "status"), [("failure", "failed"), ("error", "failed"), ("pending", "started")]
)
def test_other_states_on_githubs_payloads(
    examples: dict[str, list[Example]], state: str, status: str
) -> None:
    for label, original in examples["deployment_status"]:
        payload = copy.deepcopy(original)
        payload["deployment_status"]["state"] = state
        event = deploy_event(convert("deployment_status", payload, GitHubConfig()), label)
        assert event["status"] == status, label


def test_inactive_on_githubs_payloads_is_ignored(examples: dict[str, list[Example]]) -> None:
    for _, original in examples["deployment_status"]:
        payload = copy.deepcopy(original)
        payload["deployment_status"]["state"] = "inactive"
        converted = convert("deployment_status", payload, GitHubConfig())
        assert converted == Converted(ignored="deployment_status state inactive is not converted")


def test_configured_workflow_runs_become_rollbacks_and_others_are_ignored(
    examples: dict[str, list[Example]],
) -> None:
    config = GitHubConfig(
        rollback_workflows=frozenset({"test"}),
        hotfix_workflows=frozenset({"Manually triggered workflow"}),
    )
    converted = 0
    for label, payload in examples["workflow_run"]:
        run = payload["workflow_run"]
        result = convert("workflow_run", payload, config)
        if payload["action"] != "completed":
            expected = f"workflow_run action {payload['action']} is not converted"
            assert result == Converted(ignored=expected), label
        elif run["conclusion"] is None:  # GitHub's manual-dispatch example has none
            assert result == Converted(ignored="workflow_run completed without a conclusion")
        else:
            run_id, attempt = run["id"], run["run_attempt"]
            assert deploy_event(result, label) == {
                "event_id": f"github-workflow_run-{run_id}-{attempt}",
                "type": "deploy",
                "source": "github",
                "service": payload["repository"]["name"],
                "environment": "production",
                "occurred_at": run["updated_at"],
                "deploy_id": f"workflow-run-{run_id}-{attempt}",
                "status": "succeeded",
                "kind": "rollback",
                "version": run["head_branch"],
                "commit_sha": run["head_sha"],
            }, label
            converted += 1
    assert converted >= 1


def test_unconfigured_workflow_runs_are_ignored(examples: dict[str, list[Example]]) -> None:
    for label, payload in examples["workflow_run"]:
        result = convert("workflow_run", payload, GitHubConfig())
        assert result.events == [], label
        assert result.ignored is not None, label


def test_workflow_path_from_githubs_payload_matches(examples: dict[str, list[Example]]) -> None:
    config = GitHubConfig(hotfix_workflows=frozenset({".github/workflows/test.yml"}))
    kinds = {
        event["kind"]
        for _, payload in examples["workflow_run"]
        for event in convert("workflow_run", payload, config).events
    }
    assert kinds == {"hotfix"}


def test_ping_examples_are_ignored(examples: dict[str, list[Example]]) -> None:
    for label, payload in examples["ping"]:
        assert convert("ping", payload, GitHubConfig()) == Converted(ignored="ping"), label


def test_conversion_of_every_example_is_deterministic(examples: dict[str, list[Example]]) -> None:
    config = GitHubConfig(rollback_workflows=frozenset({"test"}))
    for event_type in EVENT_TYPES:
        for label, payload in examples[event_type]:
            redelivered = json.loads(json.dumps(payload))
            assert convert(event_type, payload, config) == convert(
                event_type, redelivered, config
            ), label


def test_the_push_and_pull_request_fixtures_are_githubs_examples(
    examples: dict[str, list[Example]],
) -> None:
    pushes, pull_requests = dict(examples["push"]), dict(examples["pull_request"])
    assert load("push.json") == pushes["api.github.com push[4]"]
    assert load("pull_request_closed.json") == pull_requests["api.github.com pull_request[3]"]
    derived = load("derived_pull_request_merged.json")
    original = copy.deepcopy(pull_requests["api.github.com pull_request[3]"])
    pull_request = original["pull_request"]
    pull_request.update(merged=True, merged_at=pull_request["closed_at"])
    pull_request["merged_by"] = pull_request["user"]
    assert derived == original


def test_every_push_example_is_changes_of_the_default_branch_or_ignored(
    examples: dict[str, list[Example]],
) -> None:
    converted_any = False
    for label, payload in examples["push"]:
        repository = payload["repository"]
        result = convert("push", payload, GitHubConfig())
        default_ref = f"refs/heads/{repository['default_branch']}"
        if payload["ref"] != default_ref:
            reason = f"push to {payload['ref']} is not to the default branch "
            assert result == Converted(ignored=reason + repository["default_branch"]), label
        elif payload["deleted"] or not payload["commits"]:
            assert result.events == [] and result.ignored is not None, label
        else:
            landed = iso_from_ms(repository["pushed_at"] * 1000, "pushed_at")
            assert changes(result) == [
                {
                    "event_id": f"github-push-{repository['id']}-{commit['id']}",
                    "type": "change",
                    "source": "github",
                    "service": repository["name"],
                    "occurred_at": landed,
                    "change_id": commit["id"],
                    "commit_sha": commit["id"],
                    "first_commit_at": commit["timestamp"],
                    "title": commit["message"].splitlines()[0],
                }
                for commit in payload["commits"]
            ], label
            converted_any = True
    assert converted_any


def test_pull_request_examples_merged_or_not(examples: dict[str, list[Example]]) -> None:
    for label, payload in examples["pull_request"]:
        pull_request = payload["pull_request"]
        number = pull_request["number"]
        result = convert("pull_request", payload, PULL_REQUESTS)
        if payload["action"] != "closed":
            expected = f"pull_request action {payload['action']} is not converted"
            assert result == Converted(ignored=expected), label
            continue
        assert result == Converted(ignored=f"pull request #{number} was closed without merging")
        merged = copy.deepcopy(payload)
        merged["pull_request"].update(merged=True, merged_at=pull_request["closed_at"])
        assert changes(convert("pull_request", merged, PULL_REQUESTS)) == [
            {
                "event_id": f"github-pull_request-{pull_request['id']}-merged",
                "type": "change",
                "source": "github",
                "service": payload["repository"]["name"],
                "occurred_at": pull_request["closed_at"],
                "change_id": str(number),
                "commit_sha": pull_request["merge_commit_sha"],
                "first_commit_at": pull_request["created_at"],
                "title": pull_request["title"],
            }
        ], label


def test_signature_over_a_real_body(examples: dict[str, list[Example]]) -> None:
    secret = "webhook secret"
    _, payload = examples["deployment_status"][0]
    body = json.dumps(payload, indent=2).encode()
    header = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    verify_signature(body, header, secret)
    tampered = body.replace(b'"success"', b'"failure"', 1)
    assert tampered != body
    with pytest.raises(SignatureError, match="does not match the body"):
        verify_signature(tampered, header, secret)
