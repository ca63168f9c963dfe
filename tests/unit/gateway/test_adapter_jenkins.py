"""Jenkins adapter: Notification plugin messages of configured deploy jobs to deploy events.

docs/sources/jenkins.md and streams/gateway/adapters/jenkins.py; fixtures:
tests/fixtures/jenkins/SOURCES.md.
"""

from __future__ import annotations

from typing import Any

import pytest

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.jenkins import JenkinsAdapter, JenkinsConfig, convert
from tests.support.jenkins_payloads import CONFIG, FIXTURES, load, only_event

COMMIT = "c6d86dc654b12425e706bcf951adfe5a8627a517"


def test_started_is_a_started_deploy_at_the_build_start() -> None:
    event = only_event(convert(load("derived_started.json"), CONFIG))
    assert event == {
        "event_id": "jenkins-asgard-18-started",
        "type": "deploy",
        "source": "jenkins",
        "service": "asgard",
        "environment": "production",
        "occurred_at": "2024-05-02T09:15:00.000Z",
        "deploy_id": "asgard#18",
        "status": "started",
        "kind": "release",
        "version": "2.4.1",
        "commit_sha": COMMIT,
    }


def test_completed_success_is_succeeded_at_start_plus_duration() -> None:
    event = only_event(convert(load("derived_completed_success.json"), CONFIG))
    assert (event["event_id"], event["status"], event["occurred_at"], event["deploy_id"]) == (
        "jenkins-asgard-18-succeeded",
        "succeeded",
        "2024-05-02T09:16:35.250Z",  # 09:15:00 + 95.25 s
        "asgard#18",
    )


def test_completed_failure_is_failed() -> None:
    event = only_event(convert(load("derived_completed_failure.json"), CONFIG))
    assert (event["event_id"], event["status"]) == ("jenkins-asgard-19-failed", "failed")


@pytest.mark.parametrize(("result", "status"), [("ABORTED", "failed"), ("UNSTABLE", "succeeded")])
def test_aborted_and_unstable(result: str, status: str) -> None:
    payload = load("derived_completed_success.json")
    payload["build"]["status"] = result
    assert only_event(convert(payload, CONFIG))["status"] == status


def test_one_build_has_one_terminal_event_finalized_is_ignored() -> None:
    assert convert(load("derived_finalized_success.json"), CONFIG) == Converted(
        ignored="phase FINALIZED is not converted (STARTED and COMPLETED are)"
    )
    assert convert(load("derived_queued.json"), CONFIG).ignored is not None
    payload = load("derived_completed_success.json")
    payload["build"]["status"] = "NOT_BUILT"
    assert convert(payload, CONFIG) == Converted(ignored="build NOT_BUILT")


def test_unconfigured_jobs_are_ignored() -> None:
    assert convert(load("derived_started.json"), JenkinsConfig()) == Converted(
        ignored="job 'asgard' is not a configured deploy job"
    )


def test_a_folder_job_matches_by_full_path_first() -> None:
    payload = load("derived_completed_success.json")
    payload["url"] = "job/team%20a/job/asgard/"
    config = JenkinsConfig.from_mapping(
        {
            "team a/asgard": {"service": "shop", "environment": "staging", "kind": "rollback"},
            "asgard": {"service": "asgard"},
        }
    )
    event = only_event(convert(payload, config))
    assert (event["service"], event["environment"], event["kind"], event["deploy_id"]) == (
        "shop",
        "staging",
        "rollback",
        "team a/asgard#18",
    )


def test_the_documented_example_has_no_timestamp_and_is_refused() -> None:
    # The plugin's README example predates build.timestamp; time never comes from arrival.
    with pytest.raises(PayloadError, match="^build.timestamp: missing"):
        convert(load("notification_completed.json"), CONFIG)


def test_the_adapter_serves_the_body_unsigned_and_deterministically() -> None:
    body = (FIXTURES / "derived_completed_success.json").read_bytes()
    assert JenkinsAdapter.token_auth is True
    adapter = JenkinsAdapter(CONFIG)
    assert adapter.convert(body, {}) == adapter.convert(body, {})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"phase": "DONE"}, "build.phase: unknown value 'DONE'"),
        ({"status": "BROKEN"}, "build.status: unknown value 'BROKEN'"),
        ({"status": None}, "build.status: expected str, got NoneType"),
        ({"number": "18"}, "build.number: expected int, got str"),
        ({"timestamp": "2024-05-02"}, "build.timestamp: expected int, got str"),
        ({"timestamp": -1}, "build.timestamp: -1 ms is outside 1970-01-01 .. 2100-01-01"),
    ],
)
def test_bad_fields_name_the_path(change: dict[str, Any], message: str) -> None:
    payload = load("derived_completed_success.json")
    payload["build"].update(change)
    with pytest.raises(PayloadError) as info:
        convert(payload, CONFIG)
    assert str(info.value).startswith(message)


def test_a_body_without_build_is_refused() -> None:
    with pytest.raises(PayloadError, match="^build: missing$"):
        convert({"name": "asgard"}, CONFIG)


@pytest.mark.parametrize(
    ("jobs", "message"),
    [
        ({"deploy": {"environment": "prod"}}, "expected service and optional environment, kind"),
        ({"deploy": {"service": "a", "team": "x"}}, "expected service and optional environment"),
        ({"deploy": {"service": "a", "kind": "canary"}}, "kind: 'canary' is not one of"),
        ({"deploy": {"service": ""}}, "invalid service/environment name"),
    ],
)
def test_invalid_configuration_fails_at_start_up(jobs: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        JenkinsConfig.from_mapping(jobs)
