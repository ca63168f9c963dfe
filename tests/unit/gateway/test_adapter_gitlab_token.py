"""GitLab adapter: the secret token (X-Gitlab-Token), payload errors and configuration errors.

GitLab sends the webhook's secret token verbatim; several secrets may be
configured during a rotation. docs/sources/gitlab.md, streams/gateway/adapters/gitlab.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from streams.gateway.adapters.base import PayloadError, SignatureError
from streams.gateway.adapters.gitlab import GitLabAdapter, GitLabConfig, convert
from tests.support.gitlab_payloads import CONFIG, FIXTURES, load

ADAPTER = GitLabAdapter(CONFIG, secrets=("old-token", "new-token"))


def body() -> bytes:
    return (FIXTURES / "deployment_success.json").read_bytes()


@pytest.mark.parametrize("token", ["old-token", "new-token"])
def test_any_configured_token_is_accepted(token: str) -> None:
    converted = ADAPTER.convert(body(), {"X-Gitlab-Token": token})
    assert [e["event_id"] for e in converted.events] == ["gitlab-deployment-15-success"]


def test_a_replayed_hook_gets_the_same_ids() -> None:
    first = ADAPTER.convert(body(), {"X-Gitlab-Token": "new-token"})
    assert ADAPTER.convert(body(), {"X-Gitlab-Token": "new-token"}) == first


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "X-Gitlab-Token header is missing"),
        ({"X-Gitlab-Token": ""}, "X-Gitlab-Token header is missing"),
        ({"X-Gitlab-Token": "wrong"}, "X-Gitlab-Token does not match any configured secret"),
        ({"X-Gitlab-Token": "new-token "}, "X-Gitlab-Token does not match any configured secret"),
        ({"X-Gitlab-Token": "new-toke"}, "X-Gitlab-Token does not match any configured secret"),
        ({"X-Gitlab-Token": "névé"}, "X-Gitlab-Token does not match any configured secret"),
    ],
)
def test_a_missing_or_wrong_token_is_401(headers: dict[str, str], message: str) -> None:
    with pytest.raises(SignatureError) as info:
        ADAPTER.convert(body(), headers)
    assert str(info.value) == message


def test_the_token_is_checked_before_the_body_is_parsed() -> None:
    with pytest.raises(SignatureError):
        ADAPTER.convert(b"not json", {"X-Gitlab-Token": "wrong"})
    with pytest.raises(PayloadError, match="body is not valid JSON"):
        ADAPTER.convert(b"not json", {"X-Gitlab-Token": "old-token"})


def test_no_configured_secret_rejects_everything() -> None:
    with pytest.raises(SignatureError, match="no GitLab webhook secret is configured"):
        GitLabAdapter(CONFIG, secrets=()).convert(body(), {"X-Gitlab-Token": ""})
    assert "old-token" not in repr(ADAPTER)


# --- payload errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "exploded"}, "status: unknown deployment status 'exploded'"),
        ({"status": 3}, "status: expected str, got int"),
        ({"deployment_id": "15"}, "deployment_id: expected int, got str"),
        ({"deployment_id": None}, "deployment_id: expected int, got NoneType"),
        ({"status_changed_at": "2021-04-28 21:50:00"},
         "status_changed_at: '2021-04-28 21:50:00' is not a date-time with a zone"),
        ({"status_changed_at": "2021-02-30 21:50:00 UTC"},
         "status_changed_at: '2021-02-30T21:50:00Z' is not a real date-time"),
        ({"status_changed_at": "2101-01-01 00:00:00 UTC"},
         "status_changed_at: 2101-01-01T00:00:00Z is outside 1970-01-01 .. 2100-01-01"),
        ({"environment": ""}, "environment: String should have at least 1 character"),
        ({"project": {"id": 30}}, "project.name: missing"),
    ],
)  # fmt: skip
def test_bad_deployment_fields_name_the_path(change: dict[str, Any], message: str) -> None:
    with pytest.raises(PayloadError) as info:
        convert({**load("deployment_success.json"), **change}, CONFIG)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "body: expected a JSON object, got list"),
        ({"status": "success"}, "object_kind: missing"),
        ({"object_kind": "pipeline"}, "object_attributes: missing"),
    ],
)
def test_bodies_that_are_not_gitlab_hooks(payload: Any, message: str) -> None:
    with pytest.raises(PayloadError) as info:
        convert(payload, CONFIG)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rollback_pipelines": frozenset({"x"}), "hotfix_pipelines": frozenset({"x"})},
         "configured as both rollback and hotfix: x"),
        ({"services": {"a": ""}}, "invalid service/environment name ''"),
        ({"pipeline_environment": "bad\nname"}, "invalid service/environment name"),
    ],
)  # fmt: skip
def test_invalid_configuration_fails_at_start_up(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        GitLabConfig(**kwargs)
