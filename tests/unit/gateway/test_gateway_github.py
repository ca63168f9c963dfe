"""POST /webhooks/github through the in-process gateway: changes accepted, ignored ones 202."""

from __future__ import annotations

import hashlib
import hmac

import orjson
from pydantic import SecretStr

from streams.settings import Settings
from tests.support.gateway_requests import post
from tests.support.paths import FIXTURES

SECRET = "gh-secret"
SETTINGS = Settings(github_webhook_secret=SecretStr(SECRET))
PUSH = (FIXTURES / "github" / "push.json").read_bytes()
MERGED = (FIXTURES / "github" / "derived_pull_request_merged.json").read_bytes()
SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"


def headers(body: bytes, event: str) -> dict[str, str]:
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={signature}", "X-GitHub-Event": event}


def test_a_push_to_the_default_branch_is_published_as_changes() -> None:
    answer = post(SETTINGS, "/webhooks/github", PUSH, headers(PUSH, "push"))
    assert (answer.status, answer.body) == (
        200,
        {"accepted": 1, "event_ids": [f"github-push-186853002-{SHA}"]},
    )
    assert [(e["type"], e["commit_sha"]) for e in answer.published] == [("change", SHA)]


def test_ignored_pushes_and_pull_requests_are_202() -> None:
    deletion = orjson.loads(PUSH)
    deletion.update(deleted=True, after="0" * 40, commits=[], head_commit=None)
    for body, event, reason in [
        (orjson.dumps(deletion), "push", "push deleted refs/heads/master"),
        (MERGED, "pull_request", "pull_request: changes come from push events"),
    ]:
        answer = post(SETTINGS, "/webhooks/github", body, headers(body, event))
        assert (answer.status, answer.body, answer.published) == (202, {"ignored": reason}, [])


def test_pull_request_changes_are_chosen_by_a_setting() -> None:
    settings = SETTINGS.model_copy(update={"github_changes": "pull_request"})
    answer = post(settings, "/webhooks/github", MERGED, headers(MERGED, "pull_request"))
    assert (answer.status, answer.body["event_ids"]) == (
        200,
        ["github-pull_request-279147437-merged"],
    )
    answer = post(settings, "/webhooks/github", PUSH, headers(PUSH, "push"))
    assert (answer.status, answer.body) == (
        202,
        {"ignored": "push: changes come from pull_request events"},
    )
