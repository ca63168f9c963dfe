"""GitLab adapter: Deployment Hooks and rollback/hotfix Pipeline Hooks to deploy events.

docs/sources/gitlab.md and streams/gateway/adapters/gitlab.py; fixtures:
tests/fixtures/gitlab/SOURCES.md.
"""

from __future__ import annotations

import pytest

from streams.gateway.adapters.base import Converted
from streams.gateway.adapters.gitlab import GitLabConfig, convert, deployment_event_id
from tests.support.gitlab_payloads import CONFIG, JOBS, load, only_event

COMMIT = "279484c09fbe69ededfced8c1bb6e6d24616b468"


def test_documented_deployment_success_is_a_succeeded_release() -> None:
    event = only_event(convert(load("deployment_success.json"), CONFIG))
    assert event == {
        "event_id": "gitlab-deployment-15-success",
        "type": "deploy",
        "source": "gitlab",
        "service": "test-deployment-webhooks",
        "environment": "staging",
        "occurred_at": "2021-04-28T21:50:00+02:00",
        "deploy_id": "15",
        "status": "succeeded",
        "kind": "release",
        "version": None,
        "commit_sha": COMMIT,
    }


@pytest.mark.parametrize(
    ("fixture", "event_id", "status", "occurred_at"),
    [
        ("derived_deployment_running.json", "gitlab-deployment-15-running", "started",
         "2021-04-28T21:48:30+02:00"),
        ("derived_deployment_failed.json", "gitlab-deployment-16-failed", "failed",
         "2021-04-28T22:10:05+02:00"),
        ("derived_deployment_canceled.json", "gitlab-deployment-17-canceled", "failed",
         "2021-04-28T22:12:00Z"),
    ],
)  # fmt: skip
def test_deployment_statuses(fixture: str, event_id: str, status: str, occurred_at: str) -> None:
    event = only_event(convert(load(fixture), CONFIG))
    assert (event["event_id"], event["status"], event["occurred_at"]) == (
        event_id,
        status,
        occurred_at,
    )


def test_ref_is_the_version_when_gitlab_sends_it() -> None:
    assert only_event(convert(load("derived_deployment_running.json"), CONFIG))["version"] == (
        "master"
    )


@pytest.mark.parametrize("status", ["created", "blocked", "skipped"])
def test_statuses_without_a_deploy_are_ignored(status: str) -> None:
    payload = {**load("deployment_success.json"), "status": status}
    assert convert(payload, CONFIG) == Converted(
        ignored=f"deployment status {status} is not converted"
    )


def test_project_path_and_environment_are_mapped() -> None:
    config = GitLabConfig(
        services={"root/test-deployment-webhooks": "hooks", "test-deployment-webhooks": "other"},
        environments={"staging": "preprod"},
    )
    event = only_event(convert(load("deployment_success.json"), config))
    assert (event["service"], event["environment"]) == ("hooks", "preprod")
    by_name = GitLabConfig(services={"test-deployment-webhooks": "named"})
    assert only_event(convert(load("deployment_success.json"), by_name))["service"] == "named"


def test_short_sha_is_used_without_a_commit_url() -> None:
    payload = {**load("deployment_success.json"), "commit_url": None}
    assert only_event(convert(payload, CONFIG))["commit_sha"] == "279484c0"


def test_the_id_rule_is_shared_with_history_imports() -> None:
    # A REST API deployment ({"id": 15, "status": "success", ...}) gets the hook's id.
    hook = only_event(convert(load("deployment_success.json"), CONFIG))
    assert deployment_event_id(15, "success") == hook["event_id"]
    assert deployment_event_id(15, "running") != deployment_event_id(15, "success")
    with pytest.raises(ValueError, match="emits no event"):
        deployment_event_id(15, "created")


def test_a_redelivered_hook_gets_the_same_ids() -> None:
    first = convert(load("deployment_success.json"), CONFIG)
    assert convert(load("deployment_success.json"), CONFIG) == first


# --- pipeline hooks ---------------------------------------------------------------------


def test_documented_pipeline_without_rollback_or_hotfix_is_ignored() -> None:
    converted = convert(load("pipeline_success.json"), CONFIG)
    assert converted.ignored == (
        "pipeline 'Pipeline for branch: master' has no rollback or hotfix pipeline or job"
    )


def test_a_configured_pipeline_name_is_one_rollback() -> None:
    config = GitLabConfig(rollback_pipelines=frozenset({"Pipeline for branch: master"}))
    event = only_event(convert(load("pipeline_success.json"), config))
    assert event == {
        "event_id": "gitlab-pipeline-31-success",
        "type": "deploy",
        "source": "gitlab",
        "service": "Gitlab Test",
        "environment": "production",
        "occurred_at": "2016-08-12T15:26:29Z",
        "deploy_id": "pipeline-31",
        "status": "succeeded",
        "kind": "rollback",
        "version": "master",
        "commit_sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
    }


def test_finished_configured_jobs_are_rollbacks_and_hotfixes() -> None:
    converted = convert(load("pipeline_success.json"), JOBS)
    assert converted.rejected == []
    assert [
        (e["event_id"], e["kind"], e["status"], e["occurred_at"]) for e in converted.events
    ] == [
        ("gitlab-job-378-failed", "hotfix", "failed", "2016-08-12T15:26:29Z"),
        ("gitlab-job-376-success", "rollback", "succeeded", "2016-08-12T15:25:26Z"),
    ]


def test_a_job_with_an_environment_deploys_there() -> None:
    payload = load("pipeline_success.json")
    production = payload["builds"][0]
    production.update(status="success", finished_at="2016-08-12 15:30:00 UTC")
    config = GitLabConfig(
        rollback_pipelines=frozenset({"production"}), environments={"production": "prod"}
    )
    event = only_event(convert(payload, config))
    assert (event["deploy_id"], event["environment"]) == ("job-380", "prod")


def test_unfinished_configured_jobs_are_ignored() -> None:
    config = GitLabConfig(rollback_pipelines=frozenset({"production", "staging"}))
    assert convert(load("pipeline_success.json"), config) == Converted(
        ignored="no rollback or hotfix job of the pipeline has finished"
    )


@pytest.mark.parametrize("status", ["running", "pending", "created", "manual", "skipped"])
def test_an_unfinished_rollback_pipeline_is_ignored(status: str) -> None:
    payload = load("pipeline_success.json")
    payload["object_attributes"]["status"] = status
    config = GitLabConfig(rollback_pipelines=frozenset({"Pipeline for branch: master"}))
    assert convert(payload, config).ignored == f"pipeline status {status} is not finished"


def test_a_malformed_job_is_left_out_and_the_others_kept() -> None:
    payload = load("pipeline_success.json")
    payload["builds"][2]["finished_at"] = "yesterday"
    converted = convert(payload, JOBS)
    assert [e["deploy_id"] for e in converted.events] == ["job-376"]
    assert converted.rejected == [
        "builds.2.finished_at: 'yesterday' is not a date-time with a zone "
        "(e.g. 2021-04-28 21:50:00 +0200)"
    ]


# --- other hooks ------------------------------------------------------------------------


def test_member_hooks_are_ignored() -> None:  # Push Hooks: test_adapter_gitlab_changes.py
    assert convert(load("member_add_to_group.json"), CONFIG) == Converted(
        ignored="hook 'user_add_to_group' is not converted"
    )
