"""POST /webhooks/jenkins through the in-process gateway: 2xx with ids, 202 and 400.

The route is served under the gateway token, which Jenkins sends in the URL
(``JenkinsAdapter.token_auth``); that check belongs to the gateway and is not
exercised here.
"""

from __future__ import annotations

from streams.settings import Settings
from tests.support.gateway_requests import post
from tests.support.jenkins_payloads import FIXTURES

SETTINGS = Settings(jenkins_jobs={"asgard": {"service": "asgard", "kind": "hotfix"}})


def test_started_and_completed_are_accepted_with_their_ids() -> None:
    for fixture, event_id in [
        ("derived_started.json", "jenkins-asgard-18-started"),
        ("derived_completed_success.json", "jenkins-asgard-18-succeeded"),
    ]:
        answer = post(SETTINGS, "/webhooks/jenkins", (FIXTURES / fixture).read_bytes())
        assert (answer.status, answer.body) == (200, {"accepted": 1, "event_ids": [event_id]})
        assert answer.published[0]["kind"] == "hotfix"


def test_finalized_and_unconfigured_jobs_are_202() -> None:
    body = (FIXTURES / "derived_finalized_success.json").read_bytes()
    assert post(SETTINGS, "/webhooks/jenkins", body).status == 202
    answer = post(Settings(), "/webhooks/jenkins", body)
    assert (answer.status, answer.body) == (
        202,
        {"ignored": "job 'asgard' is not a configured deploy job"},
    )


def test_a_message_without_timestamp_is_400() -> None:
    answer = post(
        SETTINGS, "/webhooks/jenkins", (FIXTURES / "notification_completed.json").read_bytes()
    )
    assert answer.status == 400
    assert answer.body["error"].startswith("build.timestamp: missing")
