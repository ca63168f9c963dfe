"""Pure: one CDEvent (v0.4) to one alert, deploy or ticket event of the contract.

Each builder takes the ``CloudEvent`` (whose data is the CDEvent) and the
config and returns the event dict, already ``checked``; ``cdevents.py``
decides which builder a type goes to and documents the mapping as a whole.
Every ``PayloadError`` names the JSON path within the request.

Common fields: ``event_id`` is ``cdevents-`` plus 32 hex digits of the
SHA-256 of ``context.source``, ``context.id`` and ``context.type`` (the spec
makes source + id unique; the type guards against producers that reuse an id
across types, as the spec's own examples do), so a re-delivered event gets
the same id; ``occurred_at`` is
``context.timestamp``, the time of the occurrence, never the arrival time.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import unquote

from pydantic import ValidationError

from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.cdevents_config import DEFAULT_SEVERITY, CDEventsConfig
from streams.gateway.adapters.cloudevents import CloudEvent
from streams.gateway.adapters.mapping import NAME
from streams.gateway.adapters.payload import checked, require

SOURCE = "cdevents"
MAX_NAME = 128  # the contract's limit on an alert name


def event_id(ce: CloudEvent) -> str:
    """Return the deterministic ``event_id`` of the CDEvent (source, id and type of its context)."""
    key = "\n".join(text(ce, f"context.{name}") for name in ("source", "id", "type"))
    return f"{SOURCE}-{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def alert(ce: CloudEvent, config: CDEventsConfig, status: str) -> dict[str, Any]:
    """Return the alert event (``firing`` or ``resolved``) of an ``incident.*`` CDEvent."""
    subject_id = text(ce, "subject.id")
    description = optional(ce, "subject.content.description")
    service, service_path = _incident_service(ce, config)
    severity = _severity(ce, "customData.severity", config) or DEFAULT_SEVERITY
    labels = {"cdevents_source": text(ce, "context.source")}
    if (artifact := optional(ce, "subject.content.artifactId")) is not None:
        labels["artifact_id"] = artifact[:4096]
    event: dict[str, Any] = {
        **_common(ce, "alert", service, _environment(ce, config)),
        "alert_id": subject_id,
        "name": _first_line(description) or subject_id[:MAX_NAME],
        "status": status,
        "severity": severity,
        "labels": labels,
    }
    if description:
        event["summary"] = description[:4096]
    described = "subject.content.description"
    paths = _paths(
        ce, service=service_path, alert_id="subject.id", name=described, summary=described
    )
    return checked(event, paths)


def incident_ticket(ce: CloudEvent, config: CDEventsConfig, status: str) -> dict[str, Any]:
    """Return the ticket event of ``incident.reported`` (or a ticket source's ``resolved``)."""
    service, service_path = _incident_service(ce, config)
    event = {
        **_common(ce, "ticket", service, _environment(ce, config)),
        "ticket_id": text(ce, "subject.id"),
        "status": status,
        "severity": _severity(ce, "customData.severity", config),
        "title": optional(ce, "subject.content.description"),
        "url": optional(ce, "subject.content.ticketURI"),
    }
    paths = _paths(
        ce,
        service=service_path,
        ticket_id="subject.id",
        title="subject.content.description",
        url="subject.content.ticketURI",
    )
    return checked(event, paths)


def ticket(ce: CloudEvent, config: CDEventsConfig, status: str) -> dict[str, Any]:
    """Return the ticket event of a ``ticket.*`` CDEvent with ``status``."""
    service, service_path = _ticket_service(ce, config)
    priority_path = "subject.content.priority"
    event = {
        **_common(ce, "ticket", service, config.ticket_environment),
        "ticket_id": text(ce, "subject.id"),
        "status": status,
        "severity": _severity(ce, priority_path, config),
        "title": optional(ce, "subject.content.summary"),
        "url": optional(ce, "subject.content.uri"),
    }
    paths = _paths(
        ce,
        service=service_path,
        ticket_id="subject.id",
        title="subject.content.summary",
        url="subject.content.uri",
    )
    return checked(event, paths)


def deploy(ce: CloudEvent, config: CDEventsConfig, kind: str) -> dict[str, Any]:
    """Return the succeeded deploy event (``kind`` release or rollback) of a ``service.*``."""
    event = {
        **_common(ce, "deploy", config.service(text(ce, "subject.id")), _environment(ce, config)),
        "deploy_id": text(ce, "context.id"),
        "status": "succeeded",
        "kind": kind,
        "version": _version(optional(ce, "subject.content.artifactId")),
    }
    return checked(event, _paths(ce, service="subject.id", deploy_id="context.id"))


def text(ce: CloudEvent, path: str) -> str:
    """Return the non-blank string at ``path`` of the CDEvent; ``PayloadError`` otherwise."""
    value: str = require(ce.root, ce.path(path))
    if not value.strip():
        msg = f"{ce.path(path)}: must not be blank"
        raise PayloadError(msg)
    return value


def optional(ce: CloudEvent, path: str) -> str | None:
    """Return the string at ``path``, or None when it or an object above it is absent/null.

    ``customData`` may be a string (non-JSON custom data, base64): then it holds no field.
    """
    current: Any = ce.data
    for part in path.split("."):
        if not isinstance(current, dict) or current.get(part) is None:
            return None
        current = current[part]
    if not isinstance(current, str):
        msg = f"{ce.path(path)}: expected str, got {type(current).__name__}"
        raise PayloadError(msg)
    return current


def purl_name(artifact: str | None) -> str | None:
    """Return the package name of a purl (``pkg:oci/myapp@sha256:...`` -> ``myapp``)."""
    if artifact is None or not artifact.startswith("pkg:"):
        return None
    path = artifact[4:].split("#", 1)[0].split("?", 1)[0].partition("@")[0].strip("/")
    name = unquote(path.rsplit("/", 1)[-1]) if "/" in path else ""
    return name or None


def purl_version(artifact: str) -> str | None:
    """Return the version of a purl (percent-decoded), None without one."""
    version = artifact.split("#", 1)[0].split("?", 1)[0].partition("@")[2]
    return unquote(version) or None


def _common(ce: CloudEvent, kind: str, service: str, environment: str) -> dict[str, Any]:
    return {
        "event_id": event_id(ce),
        "type": kind,
        "source": SOURCE,
        "service": service,
        "environment": environment,
        "occurred_at": text(ce, "context.timestamp"),
    }


def _paths(ce: CloudEvent, **fields: str) -> dict[str, str]:
    paths = {"occurred_at": "context.timestamp", "environment": "subject.content.environment.id"}
    return {name: ce.path(path) for name, path in {**paths, **fields}.items()}


def _environment(ce: CloudEvent, config: CDEventsConfig) -> str:
    return config.environment(text(ce, "subject.content.environment.id"))


def _incident_service(ce: CloudEvent, config: CDEventsConfig) -> tuple[str, str]:
    if optional(ce, "subject.content.service.id") is not None:
        return config.service(text(ce, "subject.content.service.id")), "subject.content.service.id"
    name = purl_name(optional(ce, "subject.content.artifactId"))
    if name is not None:
        return config.service(name), "subject.content.artifactId"
    msg = f"{ce.path('subject.content.service')}: missing, and no artifactId purl names the service"
    raise PayloadError(msg)


def _ticket_service(ce: CloudEvent, config: CDEventsConfig) -> tuple[str, str]:
    labels = ce.data["subject"]["content"].get("labels") if _has_content(ce) else None
    if labels is not None:
        require(ce.root, ce.path("subject.content.labels"), list)
        prefix = config.service_label_prefix.casefold()
        for index in range(len(labels)):
            label: str = require(ce.root, ce.path(f"subject.content.labels.{index}"))
            if label.casefold().startswith(prefix) and label[len(prefix) :].strip():
                return label[len(prefix) :], f"subject.content.labels.{index}"
    group = optional(ce, "subject.content.group")
    if group is not None and group.strip().casefold() in config.services:
        return config.service(group), "subject.content.group"
    if config.default_service is not None:
        return config.default_service, "default_service"
    msg = (
        f"{ce.path('subject.content')}: no service (no label starting with "
        f"{config.service_label_prefix!r}, no group listed in the services map, "
        "no default service)"
    )
    raise PayloadError(msg)


def _has_content(ce: CloudEvent) -> bool:
    subject = ce.data.get("subject")
    return isinstance(subject, dict) and isinstance(subject.get("content"), dict)


def _severity(ce: CloudEvent, path: str, config: CDEventsConfig) -> str | None:
    name = optional(ce, path)
    return None if name is None else config.severity_map.get(name.strip().casefold())


def _first_line(description: str | None) -> str | None:
    if description is None:
        return None
    line = next((part.strip() for part in description.splitlines() if part.strip()), "")
    return line[:MAX_NAME] or None


def _version(artifact: str | None) -> str | None:
    """Return the purl's version, or a bare artifact id (a digest, a file name) as is."""
    if artifact is None:
        return None
    version = purl_version(artifact) if artifact.startswith("pkg:") else artifact
    try:
        return NAME.validate_python(version) if version is not None else None
    except ValidationError:  # longer than a version may be: keep the deploy without one
        return None
