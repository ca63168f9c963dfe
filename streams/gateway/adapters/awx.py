"""Ansible AWX / Automation Controller webhook notifications become remediation runs.

``POST /webhooks/awx``. A notification template of type *Webhook* with the
default message body (``{{ job_metadata }}``) posts the job's notification data
(ansible/awx ``UnifiedJob.notification_data``, extended by ``Job`` and
``WorkflowJob``): ``id``, ``name`` (the job template's), ``url``,
``created_by``, ``started``, ``finished``, ``status``, ``traceback`` and, for
playbook jobs, ``inventory``, ``project``, ``playbook``, ``credential``,
``limit``, ``extra_vars`` (a JSON string), ``hosts``; workflow jobs carry
``body``, ``inventory``, ``limit`` and ``extra_vars`` instead.

===========================  ===================  ===============
``status``                   deploy ``status``    ``occurred_at``
===========================  ===================  ===============
``running`` (Start)          ``started``          ``started``
``successful`` (Success)     ``succeeded``        ``finished``
``failed``, ``error``,       ``failed``           ``finished``
``canceled`` (Error)
===========================  ===================  ===============

The service, first found wins: the job template's ``name`` in
``AwxConfig.targets`` (any case); else the extra variable named
``service_var`` (default ``mttr_service``) of the job. A job with neither is
not a remediation: ignored (HTTP 202). The environment: the template's entry in
the targets' environments, else the extra variable ``environment_var``, else the
targets' default. Also ignored: workflow approval notifications (a ``{"body":
...}`` without a job) and the statuses ``new``, ``pending``, ``waiting``.

Events: kind ``remediation``, ``deploy_id`` ``awx-<id>``, ``event_id``
``awx-<id>-<status>`` (job and workflow job ids share one sequence), times
from ``started`` / ``finished``, never the arrival time.

Authentication: AWX signs nothing, but a webhook template can send custom
HTTP headers (and basic auth), so ``token_auth`` is set: the gateway's shared
token is checked for this route. Sources of the test fixtures:
tests/fixtures/awx/SOURCES.md; docs/sources/awx.md for the set-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import orjson

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.payload import parse_json, require
from streams.gateway.adapters.remediation import JobTargets, Run, remediation_event

SOURCE = "awx"
STATUSES: Mapping[str, str] = {
    "running": "started",
    "successful": "succeeded",
    "failed": "failed",
    "error": "failed",
    "canceled": "failed",
}
"""AWX job status -> deploy status."""
IGNORED_STATUSES = frozenset({"new", "pending", "waiting"})


@dataclass(frozen=True)
class AwxConfig:
    """Which AWX jobs are remediations of which service.

    Attributes:
        targets: Job template name (any case) to service and environment.
        service_var: Extra variable naming the service of jobs whose template
            is not in ``targets`` (``""``: none).
        environment_var: Extra variable naming the environment of jobs whose
            template has no environment in ``targets`` (``""``: none).
    """

    targets: JobTargets = field(default_factory=JobTargets)
    service_var: str = "mttr_service"
    environment_var: str = "mttr_environment"


@dataclass(frozen=True)
class AwxAdapter:
    """The ``Adapter`` of ``POST /webhooks/awx``.

    AWX cannot sign the body, so the gateway checks its shared token for this
    route (``token_auth``; AWX sends it as a custom header) before ``convert`` runs.
    """

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = True
    config: AwxConfig = field(default_factory=AwxConfig)

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return the remediation event of one job notification, or why it is ignored."""
        return convert(parse_json(body), self.config)


def convert(payload: Any, config: AwxConfig) -> Converted:
    """Convert one AWX webhook notification (default body) into at most one event.

    Args:
        payload: The parsed JSON body.
        config: Which job templates (or extra variables) name a service.

    Returns:
        ``Converted`` with the run's deploy event, or ``ignored`` for approval
        notifications, statuses that are no start or end, and jobs that name
        no service.

    Raises:
        PayloadError: The body is not an AWX job notification; the message
            names the JSON path, e.g. ``finished: expected str, got NoneType``.
    """
    if not isinstance(payload, dict):
        msg = f"body: expected a JSON object, got {type(payload).__name__}"
        raise PayloadError(msg)
    if "id" not in payload and isinstance(payload.get("body"), str):
        return Converted(ignored="workflow approval notification (no job)")
    state = require(payload, "status")
    if state in IGNORED_STATUSES:
        return Converted(ignored=f"status {state} is not a start or end of a job")
    status = STATUSES.get(state)
    if status is None:
        msg = f"status: unknown value {state!r}"
        raise PayloadError(msg)
    job_id = require(payload, "id", int)
    template = require(payload, "name")
    extra = _extra_vars(payload)
    found = config.targets.service_of([template])
    if found is not None:
        service, service_path = found[1], "name"
    elif config.service_var and isinstance(extra.get(config.service_var), str):
        service, service_path = extra[config.service_var], f"extra_vars.{config.service_var}"
    else:
        return Converted(ignored=f"job template {template!r} is not mapped to a service")
    environment, environment_path = _environment(template, extra, config)
    time_path = "started" if status == "started" else "finished"
    run = Run(
        source=SOURCE,
        run_id=str(job_id),
        status=status,
        occurred_at=require(payload, time_path),
        service=service,
        environment=environment,
        paths={
            "service": service_path,
            "environment": environment_path,
            "occurred_at": time_path,
        },
    )
    return Converted(events=[remediation_event(run)])


def _environment(template: str, extra: dict[str, Any], config: AwxConfig) -> tuple[str, str]:
    """Return the environment and where it came from: template map, extra var, default."""
    if template.strip().casefold() not in config.targets.environments:
        value = extra.get(config.environment_var) if config.environment_var else None
        if isinstance(value, str):
            return value, f"extra_vars.{config.environment_var}"
    return config.targets.environment_of([template]), "name"


def _extra_vars(payload: dict[str, Any]) -> dict[str, Any]:
    """Return the job's extra variables: AWX sends a JSON string, or an object.

    Anything else (absent, ``""``, YAML text, a JSON list) holds no variable we
    can read: ``{}``, so such a job is only a remediation through its template.
    """
    value = payload.get("extra_vars")
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            return {}
    return value if isinstance(value, dict) else {}
