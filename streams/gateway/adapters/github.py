"""GitHub webhooks to deploy events (``deployment_status``, ``workflow_run``) and changes.

``event_type`` is the ``X-GitHub-Event`` header. Converted:

* ``deployment_status``: one deploy event per status. ``deploy_id`` is the
  deployment's id, ``status`` from ``deployment_status.state`` (``success`` is
  succeeded; ``failure``/``error`` failed; ``pending``/``queued``/``in_progress``
  started; ``inactive``, a superseded deployment, is ignored). ``occurred_at``
  is the status's ``updated_at`` (else ``created_at``), ``environment`` the
  deployment's environment, ``version`` its ``ref``, ``commit_sha`` its ``sha``.
  ``kind`` is the first of: ``deployment.payload.kind`` if it is a contract
  kind; the task (``rollback``, ``hotfix``, ``config``, also as
  ``deploy:rollback``, ...); the configured kind of the workflow run that
  created the deployment; else ``release``.
* ``workflow_run`` with action ``completed`` of a workflow configured as
  rollback or hotfix: one deploy event of that kind. ``status`` from the
  conclusion (``success`` is succeeded; ``failure``, ``cancelled``,
  ``timed_out``, ``startup_failure`` failed; ``neutral``, ``skipped``,
  ``stale``, ``action_required`` and a missing conclusion are ignored),
  ``occurred_at`` the run's ``updated_at``, ``deploy_id``
  ``workflow-run-<id>-<attempt>``, ``environment`` the configured one.
* ``push`` and ``pull_request``: change events (contract v1.1) of the
  commits pushed to, or the pull requests merged into, the default branch,
  whichever ``GitHubConfig.changes`` names; see ``github_changes``.
* ``ping`` and every other event type are ignored (HTTP 202, counted).

``service`` is the mapped value of the repository's ``full_name`` or ``name``,
else the repository name. ``event_id`` is built from GitHub's ids only, so a
redelivered notification yields the same ids.

``GitHubAdapter`` serves the endpoint: it checks ``X-Hub-Signature-256``
(``signatures.verify_github``, re-exported as ``verify_signature``) before
parsing. ``GitHubConfig`` lives in ``github_config`` and is re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import ValidationError

from streams.gateway.adapters import signatures
from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.github_changes import convert_pull_request, convert_push
from streams.gateway.adapters.github_config import GitHubConfig as GitHubConfig
from streams.gateway.adapters.mapping import NAME
from streams.gateway.adapters.payload import checked, optional_str, parse_json, require

SIGNATURE_HEADER = signatures.GITHUB_HEADER
EVENT_HEADER = "X-GitHub-Event"
verify_signature = signatures.verify_github  # checked before the body is parsed
SOURCE = "github"
DEPLOYMENT_STATES = {
    "success": "succeeded",
    "failure": "failed",
    "error": "failed",
    "pending": "started",
    "queued": "started",
    "in_progress": "started",
}
IGNORED_STATES = frozenset({"inactive"})
RUN_CONCLUSIONS = {
    "success": "succeeded",
    "failure": "failed",
    "cancelled": "failed",
    "timed_out": "failed",
    "startup_failure": "failed",
}
IGNORED_CONCLUSIONS = frozenset({"neutral", "skipped", "stale", "action_required"})
TASK_KINDS = frozenset({"rollback", "hotfix", "config"})
KINDS = frozenset({"release"}) | TASK_KINDS


@dataclass(frozen=True)
class GitHubAdapter:
    """The ``Adapter`` of ``POST /webhooks/github``.

    ``convert`` checks ``X-Hub-Signature-256`` under ``secret`` on the raw
    body, then converts it as the delivery type named by ``X-GitHub-Event``.
    """

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = False
    config: GitHubConfig
    secret: str = field(repr=False)

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return the deploy or change events of one signed delivery (see the module docstring)."""
        verify_signature(body, headers.get(SIGNATURE_HEADER), self.secret)
        return convert(headers.get(EVENT_HEADER, ""), parse_json(body), self.config)


def convert(event_type: str, payload: Any, config: GitHubConfig) -> Converted:
    """Return the deploy or change events of one GitHub webhook delivery.

    Args:
        event_type: The ``X-GitHub-Event`` header, e.g. ``deployment_status``.
        payload: The parsed JSON body.
        config: Service, workflow, environment and change-source mapping.

    Returns:
        The events (each valid against the contract), or ``ignored`` with the
        reason for event types, actions and states that carry no deploy or change.

    Raises:
        PayloadError: The payload lacks or mistypes a field we use; the
            message starts with its path, e.g. ``deployment.sha: ...``.
    """
    if not event_type:
        msg = "X-GitHub-Event header: missing"
        raise PayloadError(msg)
    if not isinstance(payload, dict):
        msg = f"expected a JSON object, got {type(payload).__name__}"
        raise PayloadError(msg)
    if event_type == "deployment_status":
        return _deployment_status(payload, config)
    if event_type == "workflow_run":
        return _workflow_run(payload, config)
    if event_type == "push":
        return convert_push(payload, config)
    if event_type == "pull_request":
        return convert_pull_request(payload, config)
    if event_type == "ping":
        return Converted(ignored="ping")
    return Converted(ignored=f"event {event_type} is not converted")


def _deployment_status(payload: dict[str, Any], config: GitHubConfig) -> Converted:
    action = optional_str(payload, "action")  # absent in older deliveries: "created"
    if action not in (None, "created"):
        return Converted(ignored=f"deployment_status action {action} is not converted")
    state = require(payload, "deployment_status.state")
    if state in IGNORED_STATES:
        return Converted(ignored=f"deployment_status state {state} is not converted")
    status = DEPLOYMENT_STATES.get(state)
    if status is None:
        msg = f"deployment_status.state: unknown value {state!r}"
        raise PayloadError(msg)
    status_id = require(payload, "deployment_status.id", int)
    deployment_id = require(payload, "deployment.id", int)
    time_path = "deployment_status.updated_at"
    if payload["deployment_status"].get("updated_at") is None:
        time_path = "deployment_status.created_at"
    environment = require(payload, "deployment.environment")
    service, service_path = config.service(payload)
    event: dict[str, Any] = {
        "event_id": f"github-deployment_status-{status_id}-{status}",
        "type": "deploy",
        "source": SOURCE,
        "service": service,
        "environment": config.environments.get(environment, environment),
        "occurred_at": require(payload, time_path),
        "deploy_id": str(deployment_id),
        "status": status,
        "kind": _deployment_kind(payload, config),
        "version": _version(payload["deployment"].get("ref")),
        "commit_sha": require(payload, "deployment.sha"),
    }
    paths = {
        "service": service_path,
        "environment": "deployment.environment",
        "occurred_at": time_path,
        "commit_sha": "deployment.sha",
    }
    return Converted(events=[checked(event, paths)])


def _workflow_run(payload: dict[str, Any], config: GitHubConfig) -> Converted:
    action = require(payload, "action")
    if action != "completed":
        return Converted(ignored=f"workflow_run action {action} is not converted")
    run = require(payload, "workflow_run", dict)
    workflow = payload.get("workflow")
    kind = config.workflow_kind(_workflow_names(run, workflow))
    if kind is None:
        label = run.get("name") or (workflow.get("name") if isinstance(workflow, dict) else None)
        return Converted(ignored=f"workflow {label!r} is not a rollback or hotfix workflow")
    conclusion = run.get("conclusion")
    if conclusion is None:
        return Converted(ignored="workflow_run completed without a conclusion")
    conclusion = require(payload, "workflow_run.conclusion")
    if conclusion in IGNORED_CONCLUSIONS:
        return Converted(ignored=f"workflow_run conclusion {conclusion} is not converted")
    status = RUN_CONCLUSIONS.get(conclusion)
    if status is None:
        msg = f"workflow_run.conclusion: unknown value {conclusion!r}"
        raise PayloadError(msg)
    run_id = require(payload, "workflow_run.id", int)
    attempt = require(payload, "workflow_run.run_attempt", int) if "run_attempt" in run else 1
    service, service_path = config.service(payload)
    event: dict[str, Any] = {
        "event_id": f"github-workflow_run-{run_id}-{attempt}",
        "type": "deploy",
        "source": SOURCE,
        "service": service,
        "environment": config.workflow_environment,
        "occurred_at": require(payload, "workflow_run.updated_at"),
        "deploy_id": f"workflow-run-{run_id}-{attempt}",
        "status": status,
        "kind": kind,
        "version": _version(run.get("head_branch")),
        "commit_sha": require(payload, "workflow_run.head_sha"),
    }
    paths = {
        "service": service_path,
        "occurred_at": "workflow_run.updated_at",
        "commit_sha": "workflow_run.head_sha",
    }
    return Converted(events=[checked(event, paths)])


def _deployment_kind(payload: dict[str, Any], config: GitHubConfig) -> str:
    deployment = payload["deployment"]
    extra = deployment.get("payload")
    declared = extra.get("kind") if isinstance(extra, dict) else None
    if isinstance(declared, str) and declared in KINDS:
        return declared
    task = deployment.get("task")
    task = task.lower().removeprefix("deploy:") if isinstance(task, str) else None
    if task in TASK_KINDS:
        return str(task)
    run = payload.get("workflow_run")
    if isinstance(run, dict):
        kind = config.workflow_kind(_workflow_names(run, None))
        if kind is not None:
            return kind
    return "release"


def _workflow_names(run: dict[str, Any], workflow: Any) -> set[str]:
    """Return every name a workflow is known by: its names, paths and file names.

    A path may carry a ref (``.github/workflows/deploy.yml@refs/heads/main``);
    it is matched without it.
    """
    names: set[str] = set()
    for source in (run, workflow):
        if not isinstance(source, dict):
            continue
        name, path = source.get("name"), source.get("path")
        if isinstance(name, str) and name:
            names.add(name)
        if isinstance(path, str) and path:
            bare = path.split("@", 1)[0]
            names.update({path, bare, bare.rsplit("/", 1)[-1]})
    return names


def _version(ref: Any) -> str | None:
    """Return the git ref as version when it is a valid contract name (optional field)."""
    if not isinstance(ref, str):
        return None
    try:
        return NAME.validate_python(ref)
    except ValidationError:
        return None
