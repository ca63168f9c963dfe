"""Rundeck and AWX notifications for the remediation adapter tests, and their configs.

``rundeck_fixture(name)`` / ``awx_fixture(name)`` read tests/fixtures/rundeck/ and
tests/fixtures/awx/ (sources in their SOURCES.md). ``RUNDECK`` maps the fixtures' job
(``api-test/job-run-steps/test job``) to ``checkout``; ``AWX`` maps the published
``Demo Job Template`` to ``checkout`` and the failing example's template to
``payments`` in ``staging``. ``one_deploy`` checks a conversion gave exactly one valid
deploy event. Used by tests/unit/gateway/test_adapter_{rundeck,awx}_*.py and
test_gateway_{rundeck,awx}.py.
"""

from __future__ import annotations

from typing import Any

from schemas.events import DeployEvent
from streams.gateway.adapters.awx import AwxConfig
from streams.gateway.adapters.base import Converted
from streams.gateway.adapters.remediation import JobTargets
from streams.gateway.adapters.rundeck import RundeckConfig
from tests.support import adapter_checks

rundeck_fixture = adapter_checks.fixture_loader("rundeck")
awx_fixture = adapter_checks.fixture_loader("awx")

RUNDECK_JOB_ID = "7400ff98-31c4-4834-ba3d-aee9646e867f"
RUNDECK_JOB = "api-test/job-run-steps/test job"
RUNDECK = RundeckConfig(JobTargets(services={RUNDECK_JOB: "checkout"}))

AWX_FAILING = "AWX-Collection-tests-awx_job_wait-long_running-XVFBGRSAvUUIrYKn"
AWX = AwxConfig(
    JobTargets(
        services={"Demo Job Template": "checkout", AWX_FAILING: "payments"},
        environments={AWX_FAILING: "staging"},
    )
)


def one_deploy(converted: Converted) -> dict[str, Any]:
    """Return the one deploy event of ``converted`` (see ``adapter_checks.only_event``)."""
    return adapter_checks.only_event(converted, DeployEvent)


def remediation(run: str, status: str, occurred_at: str, **fields: Any) -> dict[str, Any]:
    """Return the expected remediation deploy event of ``run`` (``rundeck-387``, ...)."""
    source = run.split("-", 1)[0]
    event: dict[str, Any] = {
        "event_id": f"{run}-{status}",
        "type": "deploy",
        "source": source,
        "service": "checkout",
        "environment": "production",
        "occurred_at": occurred_at,
        "deploy_id": run,
        "status": status,
        "kind": "remediation",
    }
    event.update(fields)
    return event
