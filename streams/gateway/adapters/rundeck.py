"""Rundeck job notifications (webhook, JSON payload format) become remediation runs.

``POST /webhooks/rundeck``. Rundeck's built-in *Send Webhook* notification
posts XML unless the notification's payload format is JSON (job definition
``format: json``); only JSON is converted, XML gets a 400 saying so. The JSON
body (rundeck/rundeck ``NotificationService.createJsonNotificationPayload``) is
``{"trigger", "status", "executionId", "execution"}``, where ``execution`` is
the API's execution object (``id``, ``status``, ``date-started`` /
``date-ended`` as ``{"unixtime": <epoch ms>, "date": ...}``, ``job`` with
``id``, ``name``, ``group``, ``project``, ``options``, ...).

=========================================  ===================  =====================
``status`` (``trigger``)                   deploy ``status``    ``occurred_at``
=========================================  ===================  =====================
``running`` (``start``)                    ``started``          ``date-started``
``succeeded`` (``success``)                ``succeeded``        ``date-ended``
``failed``, ``aborted``, ``timedout``      ``failed``           ``date-ended``
(``failure``); ``failed-with-retry``
(``retryablefailure``)
=========================================  ===================  =====================

Ignored (HTTP 202): the ``avgduration`` trigger (a run that is still going
took longer than usual: no status change), the statuses ``scheduled``,
``queued``, ``missed`` and ``other`` (a custom exit status: neither success
nor failure), and jobs that are not mapped. A job is looked up in
``RundeckConfig.targets`` by its id (UUID), then ``group/name``, then name,
in any case; its environment likewise in the environments map, else the default.

Events: kind ``remediation``, ``deploy_id`` ``rundeck-<executionId>``,
``event_id`` ``rundeck-<executionId>-<status>`` (``remediation.Run``); times
are the execution's ``unixtime`` (milliseconds), never the arrival time.

Authentication: Rundeck's webhook posts to a URL and signs nothing that
covers the body (its optional ``X-RunDeck-Notification-SHA256-Digest`` hashes
only URL, trigger and execution id), so ``token_auth`` is set: the gateway's
shared token is checked for this route. Sources of the test fixtures:
tests/fixtures/rundeck/SOURCES.md; docs/sources/rundeck.md for the set-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.datetimes import epoch_millis
from streams.gateway.adapters.payload import optional_str, parse_json, require
from streams.gateway.adapters.remediation import JobTargets, Run, remediation_event

SOURCE = "rundeck"
STATUSES: Mapping[str, str] = {
    "running": "started",
    "succeeded": "succeeded",
    "failed": "failed",
    "aborted": "failed",
    "timedout": "failed",
    "failed-with-retry": "failed",
}
"""Rundeck execution status -> deploy status."""
IGNORED_STATUSES = frozenset({"scheduled", "queued", "missed", "other"})
IGNORED_TRIGGERS = frozenset({"avgduration"})


@dataclass(frozen=True)
class RundeckConfig:
    """Which Rundeck jobs are remediations: job id, ``group/name`` or name to service.

    Attributes:
        targets: Job key (id, ``group/name`` or name, any case) to service and
            environment; unmapped jobs are ignored.
    """

    targets: JobTargets = field(default_factory=JobTargets)


@dataclass(frozen=True)
class RundeckAdapter:
    """The ``Adapter`` of ``POST /webhooks/rundeck`` (JSON payload format only).

    Rundeck cannot sign the body, so the gateway checks its shared token for
    this route (``token_auth``) before ``convert`` runs.
    """

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = True
    config: RundeckConfig = field(default_factory=RundeckConfig)

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return the remediation event of one job notification, or why it is ignored."""
        if body.lstrip().startswith(b"<"):
            msg = (
                "body is XML: Rundeck's webhook notification sends XML unless its payload"
                " format is JSON (set Payload Format to JSON, or format: json in the job)"
            )
            raise PayloadError(msg)
        return convert(parse_json(body), self.config)


def convert(payload: Any, config: RundeckConfig) -> Converted:
    """Convert one Rundeck webhook notification (JSON format) into at most one event.

    Args:
        payload: The parsed JSON body.
        config: Which jobs are remediations of which service.

    Returns:
        ``Converted`` with the run's deploy event, or ``ignored`` for the
        ``avgduration`` trigger, a status that is no start or end, or an
        unmapped job.

    Raises:
        PayloadError: The body is not a Rundeck notification; the message
            names the JSON path, e.g. ``execution.date-ended: missing``.
    """
    if not isinstance(payload, dict):
        msg = f"body: expected a JSON object, got {type(payload).__name__}"
        raise PayloadError(msg)
    trigger = require(payload, "trigger")
    if trigger in IGNORED_TRIGGERS:
        return Converted(ignored=f"trigger {trigger} (average duration exceeded) is no status")
    state = require(payload, "status")
    if state in IGNORED_STATUSES:
        return Converted(ignored=f"status {state} is not a start or end of a run")
    status = STATUSES.get(state)
    if status is None:
        msg = f"status: unknown value {state!r}"
        raise PayloadError(msg)
    execution_id = require(payload, "executionId", int)
    keys = _job_keys(payload)
    found = config.targets.service_of(keys)
    if found is None:
        return Converted(ignored=f"job {keys[-2]!r} ({keys[0]}) is not mapped to a service")
    service = found[1]
    time_path = "execution.date-started" if status == "started" else "execution.date-ended"
    run = Run(
        source=SOURCE,
        run_id=str(execution_id),
        status=status,
        occurred_at=_time(payload, f"{time_path}.unixtime"),
        service=service,
        environment=config.targets.environment_of(keys),
        paths={"occurred_at": f"{time_path}.unixtime", "event_id": "executionId"},
    )
    return Converted(events=[remediation_event(run)])


def _job_keys(payload: dict[str, Any]) -> list[str]:
    """Return the keys the job is looked up by, in order: id, ``group/name``, name."""
    job_id = require(payload, "execution.job.id")
    name = require(payload, "execution.job.name")
    group = optional_str(payload, "execution.job.group") or ""
    full = f"{group.strip('/')}/{name}" if group.strip("/") else name
    return [job_id, full, name]


def _time(payload: dict[str, Any], path: str) -> str:
    """Return the epoch milliseconds at ``path`` as an RFC 3339 UTC string (``...Z``)."""
    return epoch_millis(require(payload, path, int), path)
