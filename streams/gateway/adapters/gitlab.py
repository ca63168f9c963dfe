"""GitLab project/group webhooks to deploy events (Deployment, Pipeline Hook) and changes.

The hook kind is the body's ``object_kind`` (the ``X-Gitlab-Event`` header is
not needed). Converted:

* ``deployment`` (Deployment Hook): one deploy event per status change.
  ``status`` from GitLab's deployment status: ``running`` is started,
  ``success`` succeeded, ``failed`` and ``canceled`` failed; ``created``,
  ``blocked`` and ``skipped`` carry no deploy and are ignored.
  ``deploy_id`` is ``deployment_id``; ``occurred_at`` is
  ``status_changed_at`` (Ruby ``Time#to_s``, e.g. ``2021-04-28 21:50:00
  +0200``); ``environment`` the mapped ``environment``; ``commit_sha`` the
  full SHA ending ``commit_url``, else ``short_sha``; ``version`` the ``ref``
  (GitLab 15.x and later); ``kind`` is ``release``.
* ``pipeline`` (Pipeline Hook): rollback/hotfix pipelines and jobs, see
  ``gitlab_pipeline``.
* ``push`` (Push Hook) and ``merge_request`` (Merge Request Hook): change
  events (contract v1.1) of the commits pushed to, or the merge requests merged
  into, the default branch, whichever ``GitLabConfig.changes`` names; see
  ``gitlab_changes``.
* Every other hook (Tag Push, Issue, Job, ...) is ignored.

``event_id`` of a deployment is ``deployment_event_id(deployment_id,
status)`` = ``gitlab-deployment-<deployment_id>-<GitLab status>``: GitLab's
global deployment id and its own status word, so a redelivered hook, and a
history import of the same deployment state from the REST API
(``GET /projects/:id/deployments``, whose ``id`` and ``status`` are the same
values), give the same id.

Authentication: GitLab sends the webhook's *secret token* verbatim in
``X-Gitlab-Token`` (it does not sign the body). ``GitLabAdapter`` compares it,
constant-time, with every configured secret (several during a rotation), see
``credentials.verify_token``; missing or wrong is 401.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from streams.gateway.adapters import credentials
from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.datetimes import ruby_time
from streams.gateway.adapters.gitlab_changes import convert_merge_request, convert_push
from streams.gateway.adapters.gitlab_config import GitLabConfig as GitLabConfig
from streams.gateway.adapters.gitlab_config import version
from streams.gateway.adapters.gitlab_pipeline import convert_pipeline
from streams.gateway.adapters.payload import checked, parse_json, require

SOURCE = "gitlab"
TOKEN_HEADER = credentials.GITLAB_HEADER
DEPLOYMENT_STATUSES: Mapping[str, str] = {
    "running": "started",
    "success": "succeeded",
    "failed": "failed",
    "canceled": "failed",
}
"""GitLab deployment status -> deploy ``status`` (the statuses that emit an event)."""
IGNORED_STATUSES = frozenset({"created", "blocked", "skipped"})
_SHA = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
_SHORT_SHA = re.compile(r"[0-9a-fA-F]{4,64}")


def deployment_event_id(deployment_id: int, status: str) -> str:
    """Return the ``event_id`` of GitLab deployment ``deployment_id`` reaching ``status``.

    The one rule for live hooks and history imports: ``status`` is GitLab's own
    word (``running``, ``success``, ``failed``, ``canceled``), as in the hook's
    ``status`` and the REST API's deployment ``status``.

    Raises:
        ValueError: ``status`` is not one that emits a deploy event.
    """
    if status not in DEPLOYMENT_STATUSES:
        msg = f"GitLab deployment status {status!r} emits no event"
        raise ValueError(msg)
    return f"gitlab-deployment-{deployment_id}-{status}"


@dataclass(frozen=True)
class GitLabAdapter:
    """The ``Adapter`` of ``POST /webhooks/gitlab``.

    ``convert`` checks ``X-Gitlab-Token`` against ``secrets`` (any may match)
    before the body is parsed, then converts it.
    """

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = False  # its own secret token, X-Gitlab-Token
    config: GitLabConfig
    secrets: tuple[str, ...] = field(repr=False)

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return the deploy or change events of one hook whose secret token matches."""
        credentials.verify_token(TOKEN_HEADER, headers.get(TOKEN_HEADER), self.secrets, "GitLab")
        return convert(parse_json(body), self.config)


def convert(payload: Any, config: GitLabConfig) -> Converted:
    """Return the deploy or change events of one GitLab hook body.

    Args:
        payload: The parsed JSON body.
        config: Service, environment, rollback/hotfix and change-source mapping.

    Returns:
        The events (each valid against the contract), or ``ignored`` with the
        reason for hooks and statuses that carry no deploy or change.

    Raises:
        PayloadError: The payload lacks or mistypes a field we use; the
            message starts with its path, e.g. ``status_changed_at: ...``.
    """
    if not isinstance(payload, dict):
        msg = f"body: expected a JSON object, got {type(payload).__name__}"
        raise PayloadError(msg)
    if "object_kind" not in payload and isinstance(payload.get("event_name"), str):
        return Converted(ignored=f"hook {payload['event_name']!r} is not converted")
    kind = require(payload, "object_kind")
    if kind == "deployment":
        return _deployment(payload, config)
    if kind == "pipeline":
        return convert_pipeline(payload, config)
    if kind == "push":
        return convert_push(payload, config)
    if kind == "merge_request":
        return convert_merge_request(payload, config)
    return Converted(ignored=f"object_kind {kind!r} is not converted")


def _deployment(payload: dict[str, Any], config: GitLabConfig) -> Converted:
    state = require(payload, "status")
    if state in IGNORED_STATUSES:
        return Converted(ignored=f"deployment status {state} is not converted")
    if state not in DEPLOYMENT_STATUSES:
        msg = f"status: unknown deployment status {state!r}"
        raise PayloadError(msg)
    deployment_id = require(payload, "deployment_id", int)
    environment = require(payload, "environment")
    service, service_path = config.service(payload)
    event: dict[str, Any] = {
        "event_id": deployment_event_id(deployment_id, state),
        "type": "deploy",
        "source": SOURCE,
        "service": service,
        "environment": config.environment(environment),
        "occurred_at": ruby_time(require(payload, "status_changed_at"), "status_changed_at"),
        "deploy_id": str(deployment_id),
        "status": DEPLOYMENT_STATUSES[state],
        "kind": "release",
        "version": version(payload.get("ref")),
        "commit_sha": _commit_sha(payload),
    }
    paths = {"service": service_path, "environment": "environment", "commit_sha": "short_sha"}
    return Converted(events=[checked(event, paths)])


def _commit_sha(payload: dict[str, Any]) -> str | None:
    """Return the full SHA ending ``commit_url``, else ``short_sha``, else None."""
    url = payload.get("commit_url")
    if isinstance(url, str):
        last = url.rstrip("/").rsplit("/", 1)[-1]
        if _SHA.fullmatch(last):
            return last
    short = payload.get("short_sha")
    return short if isinstance(short, str) and _SHORT_SHA.fullmatch(short) else None
