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


def test_other_hooks_are_202() -> None:
    answer = post(SETTINGS, "/webhooks/gitlab", (FIXTURES / "push.json").read_bytes(), TOKEN)
    assert (answer.status, answer.body) == (202, {"ignored": "object_kind 'push' is not converted"})


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
