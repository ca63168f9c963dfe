"""AWX adapter: webhook notifications (default body) in, exact remediation runs out.

The published started/failed examples and variants (tests/fixtures/awx/SOURCES.md),
the service (template map first, then the extra variable), the environment, what
is ignored, ids that are the same for a redelivered notification, and the precise
400s. Expected events are worked out by hand from the fixture text (times are
passed on as sent; the contract keeps their milliseconds). docs/sources/awx.md and
streams/gateway/adapters/awx.py.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from streams.gateway.adapters.awx import AwxAdapter, AwxConfig, convert
from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.remediation import JobTargets
from tests.support.paths import FIXTURES
from tests.support.remediation_payloads import (
    AWX,
    awx_fixture,
    one_deploy,
    remediation,
)

# --- the fixtures -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "started.json",
            remediation("awx-38", "started", "2020-07-28T19:57:07.888193+00:00"),
        ),
        (
            "failed.json",
            remediation(
                "awx-46",
                "failed",
                "2020-07-28T20:43:44.936072+00:00",
                service="payments",
                environment="staging",
            ),
        ),
        (
            "derived_successful.json",
            remediation(
                "awx-46",
                "succeeded",
                "2020-07-28T20:43:44.936072+00:00",
                service="payments",
                environment="staging",
            ),
        ),
        (  # no template entry: service and environment from its extra vars
            "derived_workflow_successful.json",
            remediation(
                "awx-1010",
                "succeeded",
                "2026-03-02T10:09:03.118204+00:00",
                service="payments",
                environment="eu-production",
            ),
        ),
    ],
)
def test_fixture_becomes_one_remediation_run(name: str, expected: dict[str, Any]) -> None:
    assert one_deploy(convert(awx_fixture(name), AWX)) == expected


@pytest.mark.parametrize("status", ["error", "canceled"])
def test_error_and_canceled_jobs_are_failed_runs(status: str) -> None:
    event = one_deploy(convert(awx_fixture("failed.json") | {"status": status}, AWX))
    assert (event["status"], event["event_id"]) == ("failed", "awx-46-failed")


def test_adapter_reads_the_raw_body_and_declares_token_auth() -> None:
    body = (FIXTURES / "awx" / "started.json").read_bytes()
    assert AwxAdapter.token_auth is True
    assert one_deploy(AwxAdapter(AWX).convert(body, {}))["event_id"] == "awx-38-started"


def test_a_redelivered_notification_has_the_same_ids() -> None:
    body = (FIXTURES / "awx" / "failed.json").read_bytes()
    adapter = AwxAdapter(AWX)
    assert adapter.convert(body, {}) == adapter.convert(body, {})


# --- service and environment ----------------------------------------------------------------


def _with_vars(payload: dict[str, Any], variables: Any) -> dict[str, Any]:
    return payload | {"extra_vars": orjson.dumps(variables).decode()}


def test_the_template_map_wins_over_the_extra_variable() -> None:
    payload = _with_vars(awx_fixture("started.json"), {"mttr_service": "web"})
    assert one_deploy(convert(payload, AWX))["service"] == "checkout"
    assert one_deploy(convert(payload, AwxConfig()))["service"] == "web"


@pytest.mark.parametrize(
    ("extra_vars", "environment"),
    [
        ({"mttr_service": "web"}, "production"),
        ({"mttr_service": "web", "mttr_environment": "staging"}, "staging"),
    ],
)
def test_environment_from_the_extra_variable_else_the_default(
    extra_vars: dict[str, str], environment: str
) -> None:
    event = one_deploy(convert(_with_vars(awx_fixture("started.json"), extra_vars), AwxConfig()))
    assert (event["service"], event["environment"]) == ("web", environment)


def test_a_mapped_environment_wins_over_the_extra_variable() -> None:
    payload = _with_vars(awx_fixture("failed.json"), {"mttr_environment": "prod"})
    assert one_deploy(convert(payload, AWX))["environment"] == "staging"


def test_extra_vars_as_an_object_and_renamed_variables() -> None:
    payload = awx_fixture("started.json") | {"extra_vars": {"svc": "web", "env": "qa"}}
    config = AwxConfig(service_var="svc", environment_var="env")
    event = one_deploy(convert(payload, config))
    assert (event["service"], event["environment"]) == ("web", "qa")


def test_template_names_match_in_any_case() -> None:
    config = AwxConfig(JobTargets(services={"DEMO JOB TEMPLATE": "checkout"}))
    assert one_deploy(convert(awx_fixture("started.json"), config))["service"] == "checkout"


# --- ignored ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra_vars",
    ["{}", "---\nmttr_service: web\n", '["mttr_service"]', "", None, '{"mttr_service": 7}'],
)
def test_jobs_that_name_no_service_are_ignored(extra_vars: Any) -> None:
    """Unreadable extra vars (YAML text, a list, a number) name no service: not a 400."""
    payload = awx_fixture("started.json") | {"extra_vars": extra_vars}
    assert convert(payload, AwxConfig()) == Converted(
        ignored="job template 'Demo Job Template' is not mapped to a service"
    )


def test_the_extra_variable_can_be_switched_off() -> None:
    payload = _with_vars(awx_fixture("started.json"), {"mttr_service": "web"})
    assert convert(payload, AwxConfig(service_var="")).ignored is not None


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (awx_fixture("derived_approval_running.json"), "workflow approval notification (no job)"),
        (awx_fixture("started.json") | {"status": "pending"}, "status pending is not a start"),
        (awx_fixture("started.json") | {"status": "waiting"}, "status waiting is not a start"),
    ],
)
def test_approvals_and_queued_jobs_are_ignored(payload: dict[str, Any], reason: str) -> None:
    converted = convert(payload, AWX)
    assert converted.events == []
    assert converted.ignored is not None
    assert converted.ignored.startswith(reason)


# --- errors: HTTP 400 naming the path -----------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (awx_fixture("failed.json") | {"finished": None}, "finished: expected str, got NoneType"),
        (awx_fixture("started.json") | {"started": None}, "started: expected str, got NoneType"),
        (awx_fixture("started.json") | {"status": "weird"}, "status: unknown value 'weird'"),
        (awx_fixture("started.json") | {"id": "38"}, "id: expected int, got str"),
        (
            awx_fixture("started.json") | {"started": "2020-07-28 19:57:07"},
            "started: timestamp has no UTC offset",
        ),
        (
            _with_vars(awx_fixture("started.json") | {"name": "Restart"}, {"mttr_service": " "}),
            "extra_vars.mttr_service: must not be blank",
        ),
        ({"name": "x"}, "status: missing"),
        ("a string", "body: expected a JSON object, got str"),
    ],
)
def test_malformed_notifications_name_the_path(payload: Any, message: str) -> None:
    with pytest.raises(PayloadError, match=f"^{message}"):
        convert(payload, AWX)


def test_a_service_variable_only_needed_for_unmapped_templates() -> None:
    """A mapped template's job with an invalid ``mttr_service`` is still converted."""
    payload = _with_vars(awx_fixture("started.json"), {"mttr_service": " "})
    assert one_deploy(convert(payload, AWX))["service"] == "checkout"


def test_invalid_configuration_fails_at_start_up() -> None:
    with pytest.raises(ValueError, match="invalid service/environment name"):
        AwxConfig(JobTargets(services={"Restart": " "}))
