"""GitHub adapter on small hand-made payloads: signature, mapping, ignored events, errors.

The payloads keep only the fields GitHub sends that the adapter reads, in
GitHub's shape. Conversion of GitHub's own example payloads (from the
``@octokit/webhooks-examples`` npm package) is tested in
``tests/integration/test_adapter_github_fixtures.py``.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.events import EVENT_ADAPTER, DeployEvent
from streams.gateway.adapters.base import Converted, PayloadError, SignatureError
from streams.gateway.adapters.github import GitHubConfig, convert, verify_signature

CONFIG = GitHubConfig()
SECRET = "It's a Secret to Everybody"


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


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
    assert converted.ignored is None
    assert len(converted.events) == 1
    event = converted.events[0]
    assert isinstance(EVENT_ADAPTER.validate_python(event), DeployEvent)
    return event


ROLLBACK = GitHubConfig(rollback_workflows=frozenset({"Rollback"}))


# --- signature ---------------------------------------------------------------


def test_signature_matches_githubs_documented_example() -> None:
    header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    verify_signature(b"Hello, World!", header, SECRET)
    verify_signature(b"Hello, World!", header.upper().replace("SHA256=", "sha256="), SECRET)


def test_signature_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def compare(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", compare)
    verify_signature(b"{}", sign(b"{}"), SECRET)
    assert len(calls) == 1


@pytest.mark.parametrize("header", [None, "", "  "])
def test_missing_signature_is_rejected(header: str | None) -> None:
    with pytest.raises(SignatureError, match="^missing X-Hub-Signature-256 header$"):
        verify_signature(b"{}", header, SECRET)


@pytest.mark.parametrize(
    "header",
    [
        "sha1=" + hashlib.sha1(b"{}").hexdigest(),
        sign(b"{}").removeprefix("sha256="),
        sign(b"{}")[:-1],
        sign(b"{}")[:-1] + "g",
        sign(b"{}") + "00",
        "sha256=" + "é" * 64,
    ],
)
def test_malformed_signature_is_rejected(header: str) -> None:
    with pytest.raises(SignatureError, match="^X-Hub-Signature-256 is malformed"):
        verify_signature(b"{}", header, SECRET)


def test_signature_for_another_body_is_rejected() -> None:
    body = b'{"action":"created","deployment_status":{"state":"success"}}'
    replayed = b'{"action":"created","deployment_status":{"state":"failure"}}'
    with pytest.raises(SignatureError, match="^X-Hub-Signature-256 does not match the body$"):
        verify_signature(replayed, sign(body), SECRET)


def test_signature_with_another_secret_is_rejected() -> None:
    with pytest.raises(SignatureError, match="does not match the body"):
        verify_signature(b"{}", sign(b"{}", "other secret"), SECRET)


def test_no_configured_secret_rejects_everything() -> None:
    with pytest.raises(SignatureError, match="no GitHub webhook secret is configured"):
        verify_signature(b"{}", sign(b"{}", ""), "")


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


# --- other events, ids, config -----------------------------------------------


def test_ping_is_ignored() -> None:
    payload = {"zen": "Design for failure.", "hook_id": 1}
    assert convert("ping", payload, CONFIG) == Converted(ignored="ping")


@pytest.mark.parametrize("event_type", ["push", "deployment", "check_run"])
def test_other_event_types_are_ignored(event_type: str) -> None:
    converted = convert(event_type, {"action": "created"}, CONFIG)
    assert converted == Converted(ignored=f"event {event_type} is not converted")


def test_missing_event_type_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="^X-GitHub-Event header: missing$"):
        convert("", deployment_status(), CONFIG)


def test_ids_are_deterministic() -> None:
    for event_type, payload, config in [
        ("deployment_status", deployment_status(), CONFIG),
        ("workflow_run", workflow_run(), ROLLBACK),
    ]:
        first = convert(event_type, payload, config)
        again = convert(event_type, copy.deepcopy(payload), config)
        assert first == again
        assert first.events


def test_a_redelivered_status_keeps_its_id_and_another_status_gets_a_new_one() -> None:
    first = one_event(convert("deployment_status", deployment_status(), CONFIG))
    later = one_event(convert("deployment_status", deployment_status(id=902), CONFIG))
    assert first["deploy_id"] == later["deploy_id"]
    assert first["event_id"] != later["event_id"]


def test_a_workflow_in_both_sets_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="both rollback and hotfix: Rollback"):
        GitHubConfig(
            rollback_workflows=frozenset({"Rollback"}), hotfix_workflows=frozenset({"Rollback"})
        )


@pytest.mark.parametrize(
    "config",
    [
        {"services": {"acme/checkout": ""}},
        {"environments": {"prod": "a\nb"}},
        {"workflow_environment": "x" * 129},
    ],
)
def test_invalid_mapped_names_are_config_errors(config: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="not a valid service or environment name"):
        GitHubConfig(**config)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)
FIELDS = [
    ("deployment_status", "action"),
    ("deployment_status", "deployment_status"),
    ("deployment_status", "deployment_status.state"),
    ("deployment_status", "deployment_status.id"),
    ("deployment_status", "deployment_status.updated_at"),
    ("deployment_status", "deployment"),
    ("deployment_status", "deployment.payload"),
    ("deployment_status", "deployment.task"),
    ("deployment_status", "deployment.ref"),
    ("deployment_status", "deployment.environment"),
    ("deployment_status", "repository"),
    ("deployment_status", "repository.full_name"),
    ("deployment_status", "workflow_run"),
    ("workflow_run", "action"),
    ("workflow_run", "workflow"),
    ("workflow_run", "workflow.path"),
    ("workflow_run", "workflow_run"),
    ("workflow_run", "workflow_run.name"),
    ("workflow_run", "workflow_run.path"),
    ("workflow_run", "workflow_run.conclusion"),
    ("workflow_run", "workflow_run.run_attempt"),
    ("workflow_run", "workflow_run.head_branch"),
    ("workflow_run", "workflow_run.head_sha"),
    ("workflow_run", "repository.name"),
]


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(FIELDS), value=JSON)
def test_any_field_value_gives_valid_events_ignored_or_payload_error(
    field: tuple[str, str], value: Any
) -> None:
    event_type, path = field
    payload = deployment_status() if event_type == "deployment_status" else workflow_run()
    *parents, last = path.split(".")
    target = payload
    for part in parents:
        target = target[part]
    target[last] = value
    try:
        converted = convert(event_type, payload, ROLLBACK)
    except PayloadError:
        return
    for event in converted.events:
        EVENT_ADAPTER.validate_python(event)
