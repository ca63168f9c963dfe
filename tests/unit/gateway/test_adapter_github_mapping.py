"""GitHub adapter: ``deployment_status`` and ``workflow_run`` payloads to deploy events.

States and conclusions to deploy statuses, services and environments, kinds
(rollback and hotfix workflows), times, and the precise error naming the
GitHub path of a bad field. README.md, "Webhooks: ``mttr gateway``", and
streams/gateway/adapters/github.py. The payloads are small hand-made ones
(tests/support/github_payloads.py); GitHub's own example payloads (the
``@octokit/webhooks-examples`` npm package) are converted in
``tests/integration/test_adapter_github_fixtures.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.github import GitHubConfig, convert
from tests.support.github_payloads import (
    CONFIG,
    ROLLBACK,
    deployment_status,
    one_event,
    workflow_run,
)

# --- deployment_status -------------------------------------------------------


def test_deployment_status_becomes_a_deploy_event() -> None:
    assert one_event(convert("deployment_status", deployment_status(), CONFIG)) == {
        "event_id": "github-deployment_status-901-succeeded",
        "type": "deploy",
        "source": "github",
        "service": "checkout",
        "environment": "prod",
        "occurred_at": "2026-03-02T10:21:00Z",
        "deploy_id": "77",
        "status": "succeeded",
        "kind": "release",
        "version": "v4.11.3",
        "commit_sha": "3484a3fb816e0859fd6e1cea078d76385ff50625",
    }


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("success", "succeeded"),
        ("failure", "failed"),
        ("error", "failed"),
        ("pending", "started"),
        ("queued", "started"),
        ("in_progress", "started"),
    ],
)
def test_deployment_states_map_to_deploy_statuses(state: str, status: str) -> None:
    event = one_event(convert("deployment_status", deployment_status(state=state), CONFIG))
    assert event["status"] == status
    assert event["event_id"] == f"github-deployment_status-901-{status}"


def test_inactive_deployment_status_is_ignored() -> None:
    converted = convert("deployment_status", deployment_status(state="inactive"), CONFIG)
    assert converted == Converted(ignored="deployment_status state inactive is not converted")


def test_unknown_deployment_state_names_the_path() -> None:
    with pytest.raises(PayloadError, match="^deployment_status.state: unknown value 'weird'$"):
        convert("deployment_status", deployment_status(state="weird"), CONFIG)


def test_deployment_status_action_of_another_type_is_a_400_not_ignored() -> None:
    payload = deployment_status()
    payload["action"] = 12345
    with pytest.raises(PayloadError, match="^action: expected str, got int$"):
        convert("deployment_status", payload, CONFIG)
    del payload["action"]  # older deliveries carry no action: "created"
    assert one_event(convert("deployment_status", payload, CONFIG))["status"] == "succeeded"


def test_occurred_at_falls_back_to_created_at() -> None:
    payload = deployment_status(updated_at=None)
    event = one_event(convert("deployment_status", payload, CONFIG))
    assert event["occurred_at"] == "2026-03-02T10:20:00Z"
    del payload["deployment_status"]["updated_at"]
    assert one_event(convert("deployment_status", payload, CONFIG)) == event


def test_services_map_full_name_before_name() -> None:
    payload = deployment_status()
    by_name = GitHubConfig(services={"checkout": "shop"})
    both = GitHubConfig(services={"checkout": "shop", "acme/checkout": "checkout-api"})
    other = GitHubConfig(services={"other/checkout": "nope"})
    assert one_event(convert("deployment_status", payload, by_name))["service"] == "shop"
    assert one_event(convert("deployment_status", payload, both))["service"] == "checkout-api"
    assert one_event(convert("deployment_status", payload, other))["service"] == "checkout"


def test_environments_are_mapped() -> None:
    config = GitHubConfig(environments={"prod": "production"})
    event = one_event(convert("deployment_status", deployment_status(), config))
    assert event["environment"] == "production"


@pytest.mark.parametrize(
    ("deployment", "kind"),
    [
        ({"task": "deploy"}, "release"),
        ({"task": "rollback"}, "rollback"),
        ({"task": "deploy:hotfix"}, "hotfix"),
        ({"task": "deploy:Config"}, "config"),
        ({"task": "deploy:migrations"}, "release"),
        ({"payload": {"kind": "rollback"}, "task": "deploy:hotfix"}, "rollback"),
        ({"payload": {"kind": "canary"}}, "release"),
        ({"payload": "kind=rollback"}, "release"),
        ({"payload": {"kind": ["rollback"]}, "task": None}, "release"),
    ],
)
def test_deploy_kind_from_payload_then_task(deployment: dict[str, Any], kind: str) -> None:
    payload = deployment_status()
    payload["deployment"].update(deployment)
    assert one_event(convert("deployment_status", payload, CONFIG))["kind"] == kind


def test_deploy_kind_from_the_configured_workflow_that_created_it() -> None:
    payload = deployment_status()
    payload["workflow_run"] = workflow_run()["workflow_run"]
    assert one_event(convert("deployment_status", payload, ROLLBACK))["kind"] == "rollback"
    assert one_event(convert("deployment_status", payload, CONFIG))["kind"] == "release"


def test_a_ref_that_is_no_contract_name_leaves_version_empty() -> None:
    payload = deployment_status()
    payload["deployment"]["ref"] = "feature/" + "x" * 200
    assert one_event(convert("deployment_status", payload, CONFIG))["version"] is None


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda p: p["deployment"].pop("sha"), "^deployment.sha: missing$"),
        (lambda p: p["deployment"].update(id="77"), "^deployment.id: expected int, got str$"),
        (lambda p: p.pop("repository"), "^repository: missing$"),
        (lambda p: p["deployment"].update(sha="not-a-sha"), "^deployment.sha: String should"),
        (
            lambda p: p["deployment_status"].update(updated_at="1772446860"),
            "^deployment_status.updated_at: must be an RFC 3339 string",
        ),
        (
            lambda p: p["deployment_status"].update(updated_at="2026-03-02T10:21:00"),
            "^deployment_status.updated_at: timestamp has no UTC offset",
        ),
        (
            lambda p: p["deployment"].update(environment="e" * 129),
            "^deployment.environment: String should have at most 128 characters$",
        ),
    ],
)
def test_payload_errors_name_the_github_path(edit: Any, message: str) -> None:
    payload = deployment_status()
    edit(payload)
    with pytest.raises(PayloadError, match=message):
        convert("deployment_status", payload, CONFIG)


def test_not_an_object_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="^expected a JSON object, got list$"):
        convert("deployment_status", [deployment_status()], CONFIG)


# --- workflow_run ------------------------------------------------------------


def test_completed_rollback_workflow_becomes_a_rollback_deploy() -> None:
    assert one_event(convert("workflow_run", workflow_run(), ROLLBACK)) == {
        "event_id": "github-workflow_run-5001-2",
        "type": "deploy",
        "source": "github",
        "service": "checkout",
        "environment": "production",
        "occurred_at": "2026-03-02T10:25:00Z",
        "deploy_id": "workflow-run-5001-2",
        "status": "succeeded",
        "kind": "rollback",
        "version": "main",
        "commit_sha": "5779607b49aab1200488439f02372c57b4f75444",
    }


@pytest.mark.parametrize(
    "configured",
    ["Rollback", ".github/workflows/rollback.yml", "rollback.yml"],
)
def test_workflows_match_by_name_path_or_file_name(configured: str) -> None:
    config = GitHubConfig(hotfix_workflows=frozenset({configured}), workflow_environment="prod")
    event = one_event(convert("workflow_run", workflow_run(), config))
    assert (event["kind"], event["environment"]) == ("hotfix", "prod")


def test_workflow_name_from_the_workflow_object_and_path_with_ref() -> None:
    payload = workflow_run(name="", path=".github/workflows/rollback.yml@refs/heads/main")
    payload["workflow"] = {"name": "Roll back", "path": ".github/workflows/rollback.yml"}
    for name in ("Roll back", ".github/workflows/rollback.yml", "rollback.yml"):
        config = GitHubConfig(rollback_workflows=frozenset({name}))
        assert one_event(convert("workflow_run", payload, config))["kind"] == "rollback"


def test_unconfigured_workflow_is_ignored() -> None:
    converted = convert("workflow_run", workflow_run(name="CI"), CONFIG)
    assert converted == Converted(ignored="workflow 'CI' is not a rollback or hotfix workflow")


@pytest.mark.parametrize("action", ["requested", "in_progress"])
def test_workflow_run_before_completion_is_ignored(action: str) -> None:
    payload = workflow_run(conclusion=None)
    payload["action"] = action
    converted = convert("workflow_run", payload, ROLLBACK)
    assert converted == Converted(ignored=f"workflow_run action {action} is not converted")


@pytest.mark.parametrize(
    ("conclusion", "status"),
    [
        ("success", "succeeded"),
        ("failure", "failed"),
        ("cancelled", "failed"),
        ("timed_out", "failed"),
        ("startup_failure", "failed"),
    ],
)
def test_conclusions_map_to_deploy_statuses(conclusion: str, status: str) -> None:
    event = one_event(convert("workflow_run", workflow_run(conclusion=conclusion), ROLLBACK))
    assert event["status"] == status


@pytest.mark.parametrize("conclusion", ["neutral", "skipped", "stale", "action_required"])
def test_conclusions_without_a_deploy_are_ignored(conclusion: str) -> None:
    converted = convert("workflow_run", workflow_run(conclusion=conclusion), ROLLBACK)
    assert converted == Converted(ignored=f"workflow_run conclusion {conclusion} is not converted")


def test_completed_without_conclusion_is_ignored() -> None:
    converted = convert("workflow_run", workflow_run(conclusion=None), ROLLBACK)
    assert converted == Converted(ignored="workflow_run completed without a conclusion")


def test_unknown_conclusion_names_the_path() -> None:
    with pytest.raises(PayloadError, match="^workflow_run.conclusion: unknown value 'weird'$"):
        convert("workflow_run", workflow_run(conclusion="weird"), ROLLBACK)


def test_mistyped_conclusion_names_the_path() -> None:
    with pytest.raises(PayloadError, match="^workflow_run.conclusion: expected str, got list$"):
        convert("workflow_run", workflow_run(conclusion=["success"]), ROLLBACK)


def test_missing_run_attempt_counts_as_the_first() -> None:
    payload = workflow_run()
    del payload["workflow_run"]["run_attempt"]
    assert one_event(convert("workflow_run", payload, ROLLBACK))["deploy_id"] == (
        "workflow-run-5001-1"
    )


def test_workflow_run_errors_name_the_path() -> None:
    payload = workflow_run()
    del payload["workflow_run"]["updated_at"]
    with pytest.raises(PayloadError, match="^workflow_run.updated_at: missing$"):
        convert("workflow_run", payload, ROLLBACK)
