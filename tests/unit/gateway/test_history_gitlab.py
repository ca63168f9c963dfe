"""``mttr import gitlab``: REST deployments (with their project) in, the Deployment Hook events out.

streams/gateway/history/gitlab.py; fixtures: tests/fixtures/gitlab/SOURCES.md.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from streams.gateway.adapters.gitlab import GitLabConfig, deployment_event_id
from streams.gateway.history.base import Document
from streams.gateway.history.gitlab import convert
from streams.settings import Settings
from tests.support.history_payloads import imported, live_events, load, normalized

CONFIG = GitLabConfig()
SHA = "279484c09fbe69ededfced8c1bb6e6d24616b468"


def ids(events: list[dict[str, Any]]) -> list[str]:
    return [event["event_id"] for event in events]


def saved() -> dict[str, Any]:
    return copy.deepcopy(load("gitlab", "history_deployments.json"))


def test_each_deployment_gives_the_event_of_its_current_status() -> None:
    result = imported("gitlab")
    assert (result.errors, result.ignored) == ([], 1)  # the docs' deployment 41, "created"
    assert ids(result.events) == [
        "gitlab-deployment-42-success",  # the docs' "Get a specific deployment" example
        "gitlab-deployment-15-success",
        "gitlab-deployment-16-failed",
        "gitlab-deployment-17-canceled",  # canceled is failed, as live
    ]
    assert result.events[1] == {
        "event_id": deployment_event_id(15, "success"),
        "type": "deploy",
        "source": "gitlab",
        "service": "test-deployment-webhooks",  # the file's project.name
        "environment": "staging",  # environment.name
        "occurred_at": "2021-04-28T19:50:00Z",  # updated_at 19:50:00.377Z, whole seconds
        "deploy_id": "15",
        "status": "succeeded",
        "kind": "release",
        "version": "master",  # ref
        "commit_sha": SHA,  # sha, in full
    }


def test_the_time_is_the_hooks_status_changed_at_of_the_same_second() -> None:
    live = {e["event_id"]: normalized(e) for e in live_events("gitlab")}
    for event in imported("gitlab").events:
        if event["event_id"] in live:
            assert normalized(event)["occurred_at"] == live[event["event_id"]]["occurred_at"]


def test_a_running_deployment_gives_started_and_a_finished_one_no_started() -> None:
    answer = saved()
    answer["deployments"][2].update(status="running", updated_at="2021-04-28T19:48:30.120Z")
    result = convert([Document("d.json", answer)], CONFIG)
    started = [e for e in result.events if e["deploy_id"] == "15"]
    assert [(e["event_id"], e["status"], e["occurred_at"]) for e in started] == [
        ("gitlab-deployment-15-running", "started", "2021-04-28T19:48:30Z")
    ]
    assert not any(e["status"] == "started" for e in imported("gitlab").events)


def test_the_settings_of_the_live_adapter_apply() -> None:
    settings = Settings(
        gitlab_services={"root/test-deployment-webhooks": "webhooks"},
        gitlab_environments={"staging": "stage"},
    )
    events = imported("gitlab", settings=settings).events
    assert {(e["service"], e["environment"]) for e in events} == {
        ("webhooks", "production"),
        ("webhooks", "stage"),
    }


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("updated_at"), "d.json: deployments[2].updated_at: missing"),
        (lambda d: d.update(status="deploying"), "d.json: deployments[2].status: unknown "
         "deployment status 'deploying'"),
        (lambda d: d["environment"].pop("name"), "d.json: deployments[2].environment.name: "
         "missing"),
        (lambda d: d.update(id="15"), "d.json: deployments[2].id: expected int, got str"),
        (lambda d: d.update(updated_at="2021-04-28 19:50"), "d.json: deployments[2].updated_at:"
         " not an ISO 8601 time with a UTC offset: '2021-04-28 19:50'"),
    ],
)  # fmt: skip
def test_errors_name_the_file_and_the_item_and_keep_the_rest(edit, message) -> None:  # type: ignore[no-untyped-def]
    answer = saved()
    edit(answer["deployments"][2])
    result = convert([Document("d.json", answer)], CONFIG)
    assert result.errors == [message]
    assert "gitlab-deployment-16-failed" in ids(result.events)


def test_the_project_names_the_service_of_every_deployment() -> None:
    answer = saved()
    answer["project"].pop("name")
    result = convert([Document("d.json", answer)], CONFIG)
    assert result.errors[0] == "d.json: project.name: missing"
    assert result.events == []


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "d.json: top level: expected an object with project and deployments "
         "(docs/sources/import.md)"),
        ({"deployments": []}, "d.json: project: missing (add GET /projects/:id: "
         "docs/sources/import.md)"),
    ],
)  # fmt: skip
def test_a_file_without_project_and_deployments_is_an_error(payload: Any, message: str) -> None:
    assert convert([Document("d.json", payload)], CONFIG).errors == [message]
