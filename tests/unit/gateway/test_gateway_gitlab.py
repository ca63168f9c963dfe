"""POST /webhooks/gitlab through the in-process gateway: 2xx with ids, 202, 400, 401."""

from __future__ import annotations

import orjson
from pydantic import SecretStr

from streams.settings import Settings
from tests.support.gateway_requests import post
from tests.support.gitlab_payloads import FIXTURES

SETTINGS = Settings(
    gitlab_webhook_secrets=SecretStr("old, new"), gitlab_rollback_pipelines="build-image"
)
TOKEN = {"X-Gitlab-Token": "new", "X-Gitlab-Event": "Deployment Hook"}


def test_a_deployment_hook_is_accepted_with_its_event_id() -> None:
    answer = post(
        SETTINGS, "/webhooks/gitlab", (FIXTURES / "deployment_success.json").read_bytes(), TOKEN
    )
    assert (answer.status, answer.body) == (
        200,
        {"accepted": 1, "event_ids": ["gitlab-deployment-15-success"]},
    )
    assert [e["status"] for e in answer.published] == ["succeeded"]


def test_a_rollback_job_of_a_pipeline_hook_is_accepted() -> None:
    body = (FIXTURES / "pipeline_success.json").read_bytes()
    answer = post(SETTINGS, "/webhooks/gitlab", body, {"X-Gitlab-Token": "old"})
    assert (answer.status, answer.body["event_ids"]) == (200, ["gitlab-job-376-success"])
    assert answer.published[0]["kind"] == "rollback"


def test_a_push_to_the_default_branch_is_accepted_as_changes() -> None:
    body = (FIXTURES / "push.json").read_bytes()
    answer = post(SETTINGS, "/webhooks/gitlab", body, {**TOKEN, "X-Gitlab-Event": "Push Hook"})
    assert (answer.status, answer.body) == (
        200,
        {
            "accepted": 2,
            "event_ids": [
                "gitlab-push-15-b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327",
                "gitlab-push-15-da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
            ],
        },
    )
    assert [e["type"] for e in answer.published] == ["change", "change"]


def test_ignored_hooks_are_202() -> None:
    push = orjson.loads((FIXTURES / "push.json").read_bytes())
    push["ref"] = "refs/heads/feature"
    merge_request = (FIXTURES / "derived_merge_request_merged.json").read_bytes()
    member = (FIXTURES / "member_add_to_group.json").read_bytes()
    for body, reason in [
        (orjson.dumps(push), "push to refs/heads/feature is not to the default branch master"),
        (merge_request, "merge_request: changes come from push hooks"),
        (member, "hook 'user_add_to_group' is not converted"),
    ]:
        answer = post(SETTINGS, "/webhooks/gitlab", body, TOKEN)
        assert (answer.status, answer.body, answer.published) == (202, {"ignored": reason}, [])


def test_merge_request_changes_are_chosen_by_a_setting() -> None:
    settings = SETTINGS.model_copy(update={"gitlab_changes": "merge_request"})
    merge_request = (FIXTURES / "derived_merge_request_merged.json").read_bytes()
    answer = post(settings, "/webhooks/gitlab", merge_request, TOKEN)
    assert (answer.status, answer.body["event_ids"]) == (200, ["gitlab-merge_request-99-merged"])
    answer = post(settings, "/webhooks/gitlab", (FIXTURES / "push.json").read_bytes(), TOKEN)
    assert (answer.status, answer.body) == (
        202,
        {"ignored": "push: changes come from merge_request hooks"},
    )


def test_a_bad_payload_is_400_naming_the_field() -> None:
    payload = orjson.loads((FIXTURES / "deployment_success.json").read_bytes())
    payload["status_changed_at"] = "yesterday"
    answer = post(SETTINGS, "/webhooks/gitlab", orjson.dumps(payload), TOKEN)
    assert answer.status == 400
    assert answer.body["error"].startswith("status_changed_at: 'yesterday' is not a date-time")
    assert answer.published == []


def test_a_missing_or_wrong_token_is_401() -> None:
    body = (FIXTURES / "deployment_success.json").read_bytes()
    answer = post(SETTINGS, "/webhooks/gitlab", body, {})
    assert (answer.status, answer.body) == (401, {"error": "X-Gitlab-Token header is missing"})
    answer = post(SETTINGS, "/webhooks/gitlab", body, {"X-Gitlab-Token": "older"})
    assert answer.status == 401
    assert post(Settings(), "/webhooks/gitlab", body, TOKEN).status == 401  # none configured
