"""Jira Cloud issue webhooks become ticket events (``POST /webhooks/jira``).

Which notifications emit an event:

* ``jira:issue_created``: always, with the issue's current status.
* ``jira:issue_updated``: only when ``changelog.items`` has a ``status`` item,
  i.e. the issue moved through a workflow transition. Edits, comments and
  field changes without a transition are ignored. This is deliberate: a
  ticket event means "the ticket is now in this status as of this time", and
  repeating an ``opened``/``reopened`` status on every edit is not a no-op for
  the engine, since within the quiet period after an incident resolved it
  reopens the incident (``streams/engine/segment.py``). The catch: a priority change
  without a transition is not forwarded, so severity is read at creation and
  at each transition.
* Anything else (``jira:issue_deleted``, ``comment_created``, ``sprint_*``,
  ...) is ignored, and so is a status missing from the status map.

Mapping: the ticket is ``issue.key``, the time is the payload's ``timestamp``
(epoch ms; never the arrival time), the status is ``issue.fields.status.name``
through ``JiraConfig.status_map``, the severity is ``issue.fields.priority.name``
through ``JiraConfig.priority_map``. The service comes from the first
component, then from the first ``service:<name>`` label, then from
``JiraConfig.default_service``. The title is the summary, and the url is the
browse page derived from ``issue.self``.

``event_id`` is ``jira-<issue.id>-created`` for the creation and
``jira-<issue.id>-changelog-<changelog.id>`` for a transition: Jira's own ids
of the issue and of the change group, which the REST changelog
(``GET /rest/api/3/issue/{key}?expand=changelog``, ``histories[].id``) carries
too, so an imported history (``mttr import jira``,
``streams/gateway/history/jira.py``) and the live notifications of the same
changes give the same ids, whether or not the webhook's ``timestamp`` and the
history's ``created`` are the same millisecond. A re-delivered notification
carries the same body and therefore gets the same ids. (Until this rule, the
id was ``jira-<issue.id>-<timestamp>-<status>``.)

Authentication: a webhook registered by a Jira admin with a secret is signed
with ``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>``
(https://developer.atlassian.com/cloud/jira/platform/webhooks/); see
``signatures.verify_jira``, re-exported here as ``verify_signature``.
``JiraAdapter`` serves the endpoint; ``JiraConfig`` and the default maps live
in ``jira_config`` and are re-exported here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar
from urllib.parse import quote

from schemas.events import MAX_TIME, MIN_TIME
from streams.gateway.adapters import signatures
from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.jira_config import DEFAULT_PRIORITY_MAP as DEFAULT_PRIORITY_MAP
from streams.gateway.adapters.jira_config import DEFAULT_STATUS_MAP as DEFAULT_STATUS_MAP
from streams.gateway.adapters.jira_config import JiraConfig as JiraConfig
from streams.gateway.adapters.payload import checked, optional_str, parse_json, require

SOURCE = "jira"
SIGNATURE_HEADER = signatures.JIRA_HEADER
verify_signature = signatures.verify_jira  # checked before the body is parsed
CONVERTED_EVENTS = frozenset({"jira:issue_created", "jira:issue_updated"})
_MAX_MS = (MAX_TIME - MIN_TIME) // timedelta(milliseconds=1)
_REST_SELF = re.compile(r"^(?P<base>https?://[^?#]+?)/rest/api/[^/?#]+/issue/[^/?#]+/?$")


@dataclass(frozen=True)
class JiraAdapter:
    """The ``Adapter`` of ``POST /webhooks/jira``.

    ``convert`` checks ``X-Hub-Signature`` against ``secrets`` (any one may
    match, for rotation) on the raw body, then converts it.
    """

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = False
    config: JiraConfig
    secrets: tuple[str, ...] = field(repr=False)

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return the ticket event of one signed notification, or why it is ignored."""
        verify_signature(body, headers.get(SIGNATURE_HEADER), self.secrets)
        return convert(parse_json(body), self.config)


def convert(payload: Any, config: JiraConfig) -> Converted:
    """Convert one Jira webhook body into at most one ticket event.

    Args:
        payload: The parsed JSON body.
        config: Status, priority and service mapping.

    Returns:
        ``Converted`` with one event, or with ``ignored`` set for a
        notification that is not converted (see the module docstring).

    Raises:
        PayloadError: The body is not a Jira issue notification (the message
            names the JSON path), or no service can be determined.
    """
    if not isinstance(payload, dict):
        msg = f"body: expected a JSON object, got {type(payload).__name__}"
        raise PayloadError(msg)
    kind = require(payload, "webhookEvent")
    if kind not in CONVERTED_EVENTS:
        return Converted(ignored=f"webhookEvent {kind!r} is not converted")
    timestamp = require(payload, "timestamp", int)
    issue_id = require(payload, "issue.id", (str, int))
    if not str(issue_id).strip():  # ids of different issues would collide
        msg = "issue.id: must not be blank"
        raise PayloadError(msg)
    key = require(payload, "issue.key")
    require(payload, "issue.fields", dict)
    if kind == "jira:issue_updated" and not _status_changed(payload):
        return Converted(ignored="jira:issue_updated without a status change")
    status_name = require(payload, "issue.fields.status.name")
    status = config.status_map.get(status_name.strip().casefold())
    if status is None:
        return Converted(ignored=f"Jira status {status_name!r} is not in the status map")
    change = "created"
    if kind == "jira:issue_updated":
        change = f"changelog-{require(payload, 'changelog.id', (str, int))}"
    service, service_path = _service(payload, config)
    event = {
        "event_id": f"jira-{issue_id}-{change}",
        "type": "ticket",
        "source": SOURCE,
        "service": service,
        "environment": config.environment,
        "occurred_at": _epoch_ms(timestamp),
        "ticket_id": key,
        "status": status,
        "severity": _severity(payload, config),
        "title": optional_str(payload, "issue.fields.summary"),
        "url": _browse_url(payload["issue"].get("self"), key),
    }
    paths = {
        "event_id": "issue.id",
        "service": service_path,
        "ticket_id": "issue.key",
        "title": "issue.fields.summary",
    }
    return Converted(events=[checked(event, paths)])


def _status_changed(payload: dict[str, Any]) -> bool:
    if payload.get("changelog") is None:
        return False
    items = require(payload, "changelog.items", list)
    for index in range(len(items)):
        item = require(payload, f"changelog.items.{index}", dict)
        if item.get("field") == "status" or item.get("fieldId") == "status":
            return True
    return False


def _epoch_ms(value: int) -> str:
    if not 0 <= value < _MAX_MS:  # checked before any datetime arithmetic can overflow
        msg = f"timestamp: {value} ms is outside 1970-01-01 .. 2100-01-01"
        raise PayloadError(msg)
    instant = MIN_TIME + timedelta(milliseconds=value)
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _service(payload: dict[str, Any], config: JiraConfig) -> tuple[str, str]:
    fields = payload["issue"]["fields"]
    for origin in config.service_from:
        values = fields.get(origin)
        if values is None:
            continue
        require(payload, f"issue.fields.{origin}", list)
        for index in range(len(values)):
            if origin == "components":
                path = f"issue.fields.components.{index}.name"
                name = require(payload, path)
                return config.component_map.get(name.strip().casefold(), name), path
            path = f"issue.fields.labels.{index}"
            label = require(payload, path)
            if label.casefold().startswith(config.label_prefix.casefold()):
                service = label[len(config.label_prefix) :]
                if service:
                    return service, path
    if config.default_service is not None:
        return config.default_service, "default_service"
    looked = {
        "components": "no component in issue.fields.components",
        "labels": f"no label starting with {config.label_prefix!r} in issue.fields.labels",
    }
    tried = ", ".join(looked[origin] for origin in config.service_from) or "no lookup enabled"
    msg = f"issue.fields: no service could be determined ({tried}; no default service)"
    raise PayloadError(msg)


def _severity(payload: dict[str, Any], config: JiraConfig) -> str | None:
    priority = payload["issue"]["fields"].get("priority")
    if priority is None:
        return None
    if isinstance(priority, str):  # older payloads carry the bare name
        name = priority
    elif isinstance(priority, dict):
        name = require(payload, "issue.fields.priority.name")
    else:
        msg = f"issue.fields.priority: expected object or str, got {type(priority).__name__}"
        raise PayloadError(msg)
    return config.priority_map.get(name.strip().casefold())


def _browse_url(self_url: Any, key: str) -> str | None:
    match = _REST_SELF.match(self_url) if isinstance(self_url, str) else None
    return f"{match.group('base')}/browse/{quote(key, safe='')}" if match else None
