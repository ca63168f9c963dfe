"""GitLab Pipeline Hooks of rollback and hotfix pipelines or jobs to deploy events.

The counterpart of GitHub's rollback/hotfix ``workflow_run``: GitLab sends a
Pipeline Hook at every status change of a pipeline, with all its jobs in
``builds``. Only finished work counts; its status comes from GitLab's status
word: ``success`` is succeeded, ``failed`` and ``canceled`` failed; every
other status (``created``, ``pending``, ``running``, ``manual``,
``skipped``, ...) is not a finished deploy and is ignored.

1. A pipeline whose name (``object_attributes.name``, set by
   ``workflow:name``) is configured as rollback or hotfix gives one event:
   ``deploy_id`` ``pipeline-<id>``, ``event_id``
   ``gitlab-pipeline-<id>-<status>``, ``occurred_at`` the pipeline's
   ``finished_at``, ``environment`` the configured pipeline environment.
2. Otherwise every finished job in ``builds`` whose name is configured gives
   one event: ``deploy_id`` ``job-<id>``, ``event_id``
   ``gitlab-job-<id>-<status>``, ``occurred_at`` the job's ``finished_at``,
   ``environment`` its ``environment.name`` (mapped) when it declares one,
   else the configured pipeline environment. A malformed job is left out
   (``rejected``) and the others are kept. Later hooks of the same pipeline
   list the same finished job again, with the same id: it is deduplicated.

``commit_sha`` is ``object_attributes.sha``, ``version`` its ``ref``; the
service is the project's, as for deployments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.datetimes import ruby_time
from streams.gateway.adapters.gitlab_config import GitLabConfig, version
from streams.gateway.adapters.payload import checked, optional_str, require

SOURCE = "gitlab"
FINISHED: Mapping[str, str] = {"success": "succeeded", "failed": "failed", "canceled": "failed"}
"""GitLab pipeline or job status -> deploy ``status``; other statuses are not finished."""


def convert_pipeline(payload: dict[str, Any], config: GitLabConfig) -> Converted:
    """Return the rollback/hotfix deploy events of one Pipeline Hook (see the module docstring).

    Raises:
        PayloadError: A field of the pipeline we use is missing or mistyped.
    """
    attributes = require(payload, "object_attributes", dict)
    name = optional_str(payload, "object_attributes.name")
    kind = config.kind([name])
    if kind is not None:
        return _pipeline(payload, attributes, kind, config)
    builds = payload.get("builds")
    if not isinstance(builds, list):
        return Converted(ignored=f"pipeline {name!r} is not a rollback or hotfix pipeline")
    events: list[dict[str, Any]] = []
    rejected: list[str] = []
    matched = 0
    for index, build in enumerate(builds):
        job_kind = config.kind([build.get("name")]) if isinstance(build, dict) else None
        if job_kind is None:
            continue
        matched += 1
        try:
            event = _job(payload, index, job_kind, config)
        except PayloadError as exc:
            rejected.append(str(exc))
            continue
        if event is not None:
            events.append(event)
    if events:
        return Converted(events=events, rejected=rejected)
    if rejected:
        raise PayloadError("; ".join(rejected))
    if matched:
        return Converted(ignored="no rollback or hotfix job of the pipeline has finished")
    return Converted(ignored=f"pipeline {name!r} has no rollback or hotfix pipeline or job")


def _pipeline(
    payload: dict[str, Any], attributes: dict[str, Any], kind: str, config: GitLabConfig
) -> Converted:
    state = require(payload, "object_attributes.status")
    status = FINISHED.get(state)
    if status is None:
        return Converted(ignored=f"pipeline status {state} is not finished")
    if attributes.get("finished_at") is None:
        return Converted(ignored=f"pipeline {state} without finished_at")
    pipeline_id = require(payload, "object_attributes.id", int)
    time_path = "object_attributes.finished_at"
    event = _event(
        payload,
        config,
        event_id=f"gitlab-pipeline-{pipeline_id}-{state}",
        deploy_id=f"pipeline-{pipeline_id}",
        status=status,
        kind=kind,
        occurred_at=ruby_time(require(payload, time_path), time_path),
        environment=config.pipeline_environment,
    )
    return Converted(events=[event])


def _job(
    payload: dict[str, Any], index: int, kind: str, config: GitLabConfig
) -> dict[str, Any] | None:
    """Return the event of finished job ``builds.<index>``, None while it has not finished."""
    path = f"builds.{index}"
    state = require(payload, f"{path}.status")
    status = FINISHED.get(state)
    build = payload["builds"][index]
    if status is None or build.get("finished_at") is None:
        return None
    job_id = require(payload, f"{path}.id", int)
    environment = config.pipeline_environment
    if build.get("environment") is not None:
        environment = config.environment(require(payload, f"{path}.environment.name"))
    return _event(
        payload,
        config,
        event_id=f"gitlab-job-{job_id}-{state}",
        deploy_id=f"job-{job_id}",
        status=status,
        kind=kind,
        occurred_at=ruby_time(require(payload, f"{path}.finished_at"), f"{path}.finished_at"),
        environment=environment,
    )


def _event(payload: dict[str, Any], config: GitLabConfig, **fields: str) -> dict[str, Any]:
    service, service_path = config.service(payload)
    sha = optional_str(payload, "object_attributes.sha")
    event: dict[str, Any] = {
        "event_id": fields["event_id"],
        "type": "deploy",
        "source": SOURCE,
        "service": service,
        "environment": fields["environment"],
        "occurred_at": fields["occurred_at"],
        "deploy_id": fields["deploy_id"],
        "status": fields["status"],
        "kind": fields["kind"],
        "version": version(payload["object_attributes"].get("ref")),
        "commit_sha": sha,
    }
    paths = {"service": service_path, "commit_sha": "object_attributes.sha"}
    return checked(event, paths)
