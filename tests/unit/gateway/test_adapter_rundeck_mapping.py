"""Rundeck adapter: job notifications (JSON payload format) in, exact remediation runs out.

The fixtures (tests/fixtures/rundeck/SOURCES.md), the job lookup (id, then
group/name, then name), the environment, what is ignored, ids that are the same
for a redelivered notification, and the precise 400s. Expected events are worked
out by hand from the fixture text: ``unixtime`` 1431536339809 ms is
2015-05-13T16:58:59.809Z and 1431536346423 ms is 2015-05-13T16:59:06.423Z (the
fixtures' ``date`` values, to the second). docs/sources/rundeck.md and
streams/gateway/adapters/rundeck.py.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.remediation import JobTargets
from streams.gateway.adapters.rundeck import RundeckAdapter, RundeckConfig, convert
from tests.support.paths import FIXTURES
from tests.support.remediation_payloads import (
    RUNDECK,
    RUNDECK_JOB,
    RUNDECK_JOB_ID,
    one_deploy,
    remediation,
    rundeck_fixture,
)

STARTED = "2015-05-13T16:58:59.809Z"
ENDED = "2015-05-13T16:59:06.423Z"

# --- the fixtures -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("derived_start.json", remediation("rundeck-387", "started", STARTED, source="rundeck")),
        ("success.json", remediation("rundeck-387", "succeeded", ENDED, source="rundeck")),
        ("derived_failure.json", remediation("rundeck-387", "failed", ENDED, source="rundeck")),
        ("derived_aborted.json", remediation("rundeck-387", "failed", ENDED, source="rundeck")),
    ],
)
def test_fixture_becomes_one_remediation_run(name: str, expected: dict[str, Any]) -> None:
    assert one_deploy(convert(rundeck_fixture(name), RUNDECK)) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [("timedout", "failed"), ("failed-with-retry", "failed"), ("succeeded", "succeeded")],
)
def test_every_end_status_is_a_succeeded_or_failed_run(status: str, expected: str) -> None:
    payload = rundeck_fixture("success.json") | {"status": status}
    event = one_deploy(convert(payload, RUNDECK))
    assert (event["status"], event["occurred_at"]) == (expected, ENDED)


def test_adapter_reads_the_raw_body_and_declares_token_auth() -> None:
    body = (FIXTURES / "rundeck" / "success.json").read_bytes()
    assert RundeckAdapter.token_auth is True
    converted = RundeckAdapter(RUNDECK).convert(body, {})
    assert one_deploy(converted)["event_id"] == "rundeck-387-succeeded"


def test_a_redelivered_notification_has_the_same_ids() -> None:
    """Rundeck retries nothing itself, but a proxy or a re-run of the hook may resend."""
    body = (FIXTURES / "rundeck" / "success.json").read_bytes()
    adapter = RundeckAdapter(RUNDECK)
    assert adapter.convert(body, {}) == adapter.convert(body, {})
    started = (FIXTURES / "rundeck" / "derived_start.json").read_bytes()
    start = one_deploy(adapter.convert(started, {}))
    end = one_deploy(adapter.convert(body, {}))
    assert start["deploy_id"] == end["deploy_id"] == "rundeck-387"
    assert start["event_id"] != end["event_id"]


# --- which job, which service and environment ---------------------------------------------


@pytest.mark.parametrize(
    ("services", "service"),
    [
        ({RUNDECK_JOB_ID: "by-id", RUNDECK_JOB: "by-path", "test job": "by-name"}, "by-id"),
        ({RUNDECK_JOB: "by-path", "test job": "by-name"}, "by-path"),
        ({"test job": "by-name"}, "by-name"),
        ({"API-TEST/Job-Run-Steps/TEST JOB": "any-case"}, "any-case"),
    ],
)
def test_job_is_looked_up_by_id_then_group_and_name_then_name(
    services: dict[str, str], service: str
) -> None:
    config = RundeckConfig(JobTargets(services=services))
    assert one_deploy(convert(rundeck_fixture("success.json"), config))["service"] == service


def test_environment_is_looked_up_by_the_same_keys_else_the_default() -> None:
    targets = JobTargets(
        services={RUNDECK_JOB_ID: "checkout"},
        environments={"test job": "by-name", RUNDECK_JOB: "by-path"},
        environment="prod-eu",
    )
    event = one_deploy(convert(rundeck_fixture("success.json"), RundeckConfig(targets)))
    assert (event["service"], event["environment"]) == ("checkout", "by-path")
    default = RundeckConfig(JobTargets(services={"test job": "checkout"}, environment="prod-eu"))
    assert one_deploy(convert(rundeck_fixture("success.json"), default))["environment"] == "prod-eu"


def test_a_job_without_group_is_looked_up_by_its_name() -> None:
    payload = rundeck_fixture("success.json")
    payload["execution"]["job"]["group"] = ""
    config = RundeckConfig(JobTargets(services={"test job": "checkout"}))
    assert one_deploy(convert(payload, config))["service"] == "checkout"


# --- ignored ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (
            rundeck_fixture("derived_avgduration.json"),
            "trigger avgduration (average duration exceeded) is no status",
        ),
        (
            rundeck_fixture("success.json") | {"status": "other"},
            "status other is not a start or end of a run",
        ),
        (
            rundeck_fixture("derived_start.json") | {"status": "scheduled"},
            "status scheduled is not a start or end of a run",
        ),
    ],
)
def test_notifications_that_are_no_start_or_end_are_ignored(
    payload: dict[str, Any], reason: str
) -> None:
    assert convert(payload, RUNDECK) == Converted(ignored=reason)


def test_unmapped_jobs_are_ignored_by_name() -> None:
    converted = convert(rundeck_fixture("success.json"), RundeckConfig())
    assert converted == Converted(
        ignored=f"job {RUNDECK_JOB!r} ({RUNDECK_JOB_ID}) is not mapped to a service"
    )


# --- errors: HTTP 400 naming the path -----------------------------------------------------


def test_the_default_xml_payload_is_refused_with_the_fix() -> None:
    body = (FIXTURES / "rundeck" / "derived_notification.xml").read_bytes()
    with pytest.raises(PayloadError, match=r"^body is XML: .*Payload Format to JSON"):
        RundeckAdapter(RUNDECK).convert(body, {})


def _without(path: str) -> dict[str, Any]:
    payload = rundeck_fixture("success.json")
    *parents, leaf = path.split(".")
    node = payload
    for part in parents:
        node = node[part]
    del node[leaf]
    return payload


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (_without("trigger"), "trigger: missing"),
        (_without("executionId"), "executionId: missing"),
        (_without("execution.date-ended"), "execution.date-ended: missing"),
        (_without("execution.job"), "execution.job: missing"),
        (_without("execution.job.name"), "execution.job.name: missing"),
        (rundeck_fixture("success.json") | {"status": "weird"}, "status: unknown value 'weird'"),
        (rundeck_fixture("success.json") | {"executionId": "387"}, "executionId: expected int"),
        (["not", "an", "object"], "body: expected a JSON object, got list"),
    ],
)
def test_malformed_notifications_name_the_path(payload: Any, message: str) -> None:
    with pytest.raises(PayloadError, match=f"^{message}"):
        convert(payload, RUNDECK)


@pytest.mark.parametrize(
    ("unixtime", "message"),
    [
        ("1431536346423", "execution.date-ended.unixtime: expected int, got str"),
        (10**20, "execution.date-ended.unixtime: 100000000000000000000 ms is outside 1970"),
        (-1, "execution.date-ended.unixtime: -1 ms is outside 1970-01-01 .. 2100-01-01"),
    ],
)
def test_bad_times_name_the_path(unixtime: Any, message: str) -> None:
    payload = rundeck_fixture("success.json")
    payload["execution"]["date-ended"]["unixtime"] = unixtime
    with pytest.raises(PayloadError, match=f"^{message}"):
        convert(payload, RUNDECK)


def test_time_keeps_milliseconds_and_is_utc() -> None:
    payload = rundeck_fixture("success.json")
    payload["execution"]["date-ended"]["unixtime"] = 0
    assert one_deploy(convert(payload, RUNDECK))["occurred_at"] == "1970-01-01T00:00:00.000Z"
    body = orjson.dumps(rundeck_fixture("success.json"))
    assert one_deploy(RundeckAdapter(RUNDECK).convert(body, {}))["occurred_at"] == ENDED


def test_invalid_configuration_fails_at_start_up() -> None:
    with pytest.raises(ValueError, match="invalid service/environment name"):
        RundeckConfig(JobTargets(services={"test job": ""}))
    with pytest.raises(ValueError, match="invalid service/environment name"):
        JobTargets(environments={"test job": "line\nbreak"})
