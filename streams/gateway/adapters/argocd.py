"""Argo CD notifications (webhook service, our template) to deploy and alert events.

Argo CD sends nothing by itself: ``argocd-notifications-cm`` registers the
webhook service ``mttr`` and the ``mttr-*`` templates and triggers given in
docs/sources/argocd.md. Every template renders the same JSON object from the
Application (``.app``), only ``event`` differs:

====================  ==================================  ======================
``event``             sent when                           event, at
====================  ==================================  ======================
``sync-running``      the sync operation is Running       deploy ``started``,
                                                          ``operation.started_at``
``deployed``          synced and Healthy, once per        deploy ``succeeded``,
                      revision (catalog ``on-deployed``)  ``operation.finished_at``
``sync-failed``       the operation is Error or Failed    deploy ``failed``,
                                                          ``operation.finished_at``
``health-degraded``   health became Degraded              alert ``firing``,
                                                          ``health.changed_at``
``health-recovered``  health became Healthy               alert ``resolved``,
                                                          ``health.changed_at``
====================  ==================================  ======================

``health.changed_at`` is ``status.health.lastTransitionTime`` (Argo CD 2.14
and later); ``operation`` is ``status.operationState`` (``startedAt``,
``finishedAt``, ``phase``, ``syncResult.revision``). A deploy is one sync
operation: ``deploy_id`` ``<app>@<operation.started_at>`` (``<app>`` is
``<app_namespace>/<name>`` when the namespace is sent), ``version`` the synced
revision, ``commit_sha`` the revision when it is a git SHA. The alert is the
application's health: ``alert_id`` ``argocd-health-<app>``. The ``event_id``
is built from the event, the app and the payload's time, so a retried
notification gets the same id.

Service: the app name through ``ArgoCDConfig.services``, else the name.
Environment: the app label ``environment_label``, else the destination
namespace, either through ``environments``; else ``default_environment``.

Authentication: Argo CD's webhook service cannot sign; it sends the gateway
token as ``Authorization: Bearer`` (``token_auth``, checked by the gateway).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from schemas.events import SEVERITIES
from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.mapping import check_names
from streams.gateway.adapters.payload import checked, optional_str, parse_json, require

SOURCE = "argocd"
DEPLOY_EVENTS: Mapping[str, tuple[str, str]] = {
    "sync-running": ("started", "started_at"),
    "deployed": ("succeeded", "finished_at"),
    "sync-failed": ("failed", "finished_at"),
}
"""``event`` -> (deploy ``status``, the ``operation`` time it happened at)."""
HEALTH_EVENTS: Mapping[str, tuple[str, str]] = {
    "health-degraded": ("firing", "Degraded"),
    "health-recovered": ("resolved", "Healthy"),
}
"""``event`` -> (alert ``status``, the health status it reports)."""
ALERT_NAME = "ArgoCDApplicationDegraded"
_GIT_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_MAX_ID = 256


@dataclass(frozen=True)
class ArgoCDConfig:
    """How Argo CD applications become services and environments.

    Attributes:
        services: Application name (``metadata.name``) -> service.
        environments: Label value or destination namespace -> environment.
        environment_label: Application label naming the environment.
        default_environment: Environment when neither label nor namespace is sent.
        degraded_severity: Severity of the health alert.

    Raises:
        ValueError: A name the contract refuses, or a severity outside it.
    """

    services: Mapping[str, str] = field(default_factory=dict)
    environments: Mapping[str, str] = field(default_factory=dict)
    environment_label: str = "environment"
    default_environment: str = "production"
    degraded_severity: str = "high"

    def __post_init__(self) -> None:
        names = [*self.services.values(), *self.environments.values(), self.default_environment]
        check_names(names)
        if self.degraded_severity not in SEVERITIES:
            msg = f"degraded_severity: {self.degraded_severity!r} is not one of {list(SEVERITIES)}"
            raise ValueError(msg)


@dataclass(frozen=True)
class ArgoCDAdapter:
    """The ``Adapter`` of ``POST /webhooks/argocd`` (no signature: the gateway token applies)."""

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = True
    config: ArgoCDConfig

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return the event of one notification rendered from our template."""
        return convert(parse_json(body), self.config)


def convert(payload: Any, config: ArgoCDConfig) -> Converted:
    """Return the deploy or alert event of one Argo CD notification (see the module docstring).

    Raises:
        PayloadError: The body is not our template's JSON, or lacks the time
            of its event; the message names the JSON path.
    """
    if not isinstance(payload, dict):
        msg = f"body: expected a JSON object, got {type(payload).__name__}"
        raise PayloadError(msg)
    kind = require(payload, "event")
    if kind in DEPLOY_EVENTS:
        return Converted(events=[_deploy(payload, kind, config)])
    if kind in HEALTH_EVENTS:
        return _health(payload, kind, config)
    known = sorted([*DEPLOY_EVENTS, *HEALTH_EVENTS])
    msg = f"event: unknown value {kind!r}, expected one of {known}"
    raise PayloadError(msg)


def _deploy(payload: dict[str, Any], kind: str, config: ArgoCDConfig) -> dict[str, Any]:
    status, time_field = DEPLOY_EVENTS[kind]
    require(payload, "operation", dict)
    started_at = require(payload, "operation.started_at")
    occurred_path = f"operation.{time_field}"
    occurred_at = require(payload, occurred_path)
    app, service, service_path = _app(payload, config)
    revision = optional_str(payload, "operation.revision") or _sync_revision(payload)
    event = {
        "event_id": _bounded(f"argocd-{kind}-{app}-{started_at}"),
        "type": "deploy",
        "source": SOURCE,
        "service": service,
        "environment": _environment(payload, config),
        "occurred_at": occurred_at,
        "deploy_id": _bounded(f"{app}@{started_at}"),
        "status": status,
        "kind": "release",
        "version": revision if revision and len(revision) <= 128 else None,
        "commit_sha": revision if revision and _GIT_SHA.fullmatch(revision) else None,
    }
    paths = {"service": service_path, "occurred_at": occurred_path, "version": "operation.revision"}
    return checked(event, paths)


def _health(payload: dict[str, Any], kind: str, config: ArgoCDConfig) -> Converted:
    status, expected = HEALTH_EVENTS[kind]
    health = require(payload, "health.status")
    if health != expected:
        return Converted(ignored=f"{kind} with health {health!r}, not {expected}")
    if payload["health"].get("changed_at") is None:
        msg = "health.changed_at: missing (status.health.lastTransitionTime needs Argo CD 2.14+)"
        raise PayloadError(msg)
    changed_at = require(payload, "health.changed_at")
    app, service, service_path = _app(payload, config)
    labels = {"app": app}
    project = optional_str(payload, "project")
    if project:
        labels["project"] = project
    event = {
        "event_id": _bounded(f"argocd-{kind}-{app}-{changed_at}"),
        "type": "alert",
        "source": SOURCE,
        "service": service,
        "environment": _environment(payload, config),
        "occurred_at": changed_at,
        "alert_id": _bounded(f"argocd-health-{app}"),
        "name": ALERT_NAME,
        "status": status,
        "severity": config.degraded_severity,
        "category": "availability",
        "summary": f"Argo CD application {app} is {health}",
        "labels": labels,
    }
    paths = {"service": service_path, "occurred_at": "health.changed_at"}
    return Converted(events=[checked(event, paths)])


def _app(payload: dict[str, Any], config: ArgoCDConfig) -> tuple[str, str, str]:
    """Return (``<namespace>/<name>`` or ``<name>``, service, the service's JSON path)."""
    name: str = require(payload, "app")
    if not name.strip():
        msg = "app: must not be blank"
        raise PayloadError(msg)
    namespace = optional_str(payload, "app_namespace")
    reference = f"{namespace}/{name}" if namespace else name
    return reference, config.services.get(name, name), "app"


def _environment(payload: dict[str, Any], config: ArgoCDConfig) -> str:
    labels = payload.get("labels")
    if labels is not None:
        labels = require(payload, "labels", dict)
        value = labels.get(config.environment_label)
        if isinstance(value, str) and value.strip():
            return config.environments.get(value, value)
    namespace = optional_str(payload, "destination_namespace")
    if namespace:
        return config.environments.get(namespace, namespace)
    return config.default_environment


def _sync_revision(payload: dict[str, Any]) -> str | None:
    sync = payload.get("sync")
    return optional_str(payload, "sync.revision") if isinstance(sync, dict) else None


def _bounded(identifier: str) -> str:
    """Return ``identifier``, or a digest of it if longer than the contract allows."""
    if len(identifier) <= _MAX_ID:
        return identifier
    return f"argocd-{hashlib.sha256(identifier.encode()).hexdigest()}"
