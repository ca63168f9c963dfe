"""Event contract v1.1: the alert, deploy, ticket and change events producers publish.

v1.1 adds the deploy kind ``remediation`` (a runbook, job or script run against a
service, e.g. a restart), the ``change`` event (a change landed on the mainline,
for lead time: docs/metrics.md) and the ticket status ``postmortem`` (the incident's
review was published: docs/incident-model.md); every v1 event is still valid and
means the same.

The models are the single source of truth; ``schemas/json/*.schema.json`` are
generated from them (``mttr schemas``; ``--check`` verifies) and a test keeps them in sync.

Rules that matter for correct numbers:

* Every timestamp must be an RFC 3339 *string* with an offset (``Z`` or
  ``+02:00``). Naive timestamps and epoch numbers are rejected, because a
  guessed timezone silently shifts every duration.
* Timestamps are converted to UTC and truncated to whole milliseconds, the
  precision stored in ClickHouse, so the engine and the database agree.
* Timestamps must lie in [1970-01-01, 2100-01-01): anything else is a
  producer bug, not an incident.
* Unknown fields are rejected (``extra="forbid"``) so typos never vanish.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    model_validator,
)

SCHEMA_VERSION = "1.1"
"""Contract version (``major.minor``): a minor version only adds accepted values."""
MIN_TIME = datetime(1970, 1, 1, tzinfo=UTC)
MAX_TIME = datetime(2100, 1, 1, tzinfo=UTC)

Severity = Literal["critical", "high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")
"""The severities, most severe first: the one definition of their order.

``Severity`` spells the same values (a Literal cannot be built from a tuple);
tests/unit/schemas/test_severities.py checks they agree, and that the SQL orderings
(Grafana variables, severity targets) follow this order.
"""
SEVERITY_RANK: dict[str, int] = {
    severity: rank for rank, severity in enumerate(reversed(SEVERITIES))
}
"""Higher is more severe: low 0, medium 1, high 2, critical 3."""
EventType = Literal["alert", "deploy", "ticket", "change"]

# No control characters (C0, DEL, C1) or line/paragraph separators in ids and names.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?P<sep>[Tt ])\d{2}:\d{2}:\d{2}(\.\d{1,9})?"
    r"(?P<offset>[Zz]|[+-]\d{2}:\d{2})?$"
)
_FORMAT_HINT = "must be an RFC 3339 string with a UTC offset, e.g. 2026-03-01T12:00:00Z"
_NAIVE_HINT = "timestamp has no UTC offset (naive timestamps are rejected; add Z or +HH:MM)"


def _require_string(value: Any) -> Any:
    """Accept only RFC 3339 date-times (seconds required); name a missing offset precisely."""
    match = _DATETIME.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(_FORMAT_HINT)
    if match.group("offset") is None:
        raise ValueError(_NAIVE_HINT)
    if match.group("sep") == " ":
        raise ValueError(_FORMAT_HINT)
    return value


def _printable(value: str) -> str:
    if not value.strip():
        msg = "must not be blank"
        raise ValueError(msg)
    if _CONTROL.search(value):
        msg = "must not contain control characters or line breaks"
        raise ValueError(msg)
    return value


def _to_utc_ms(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:  # pragma: no cover - regex guards
        raise ValueError(_NAIVE_HINT)
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        msg = "timestamp is outside 1970-01-01 .. 2100-01-01"
        raise ValueError(msg) from None
    value = value.replace(microsecond=value.microsecond - value.microsecond % 1000)
    if not MIN_TIME <= value < MAX_TIME:
        msg = f"timestamp {value.isoformat()} is outside 1970-01-01 .. 2100-01-01"
        raise ValueError(msg)
    return value


Timestamp = Annotated[
    datetime,
    BeforeValidator(_require_string),
    Field(strict=False),
    AfterValidator(_to_utc_ms),
]
"""An RFC 3339 timestamp with offset, normalised to UTC milliseconds."""


Id = Annotated[
    str,
    StringConstraints(min_length=1, max_length=256),
    AfterValidator(_printable),
]
Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128),
    AfterValidator(_printable),
]
Text = Annotated[str, StringConstraints(max_length=4096)]


class EventBase(BaseModel):
    """Fields common to every event.

    Attributes:
        event_id: Unique id of this event; the deduplication key everywhere.
        service: The service the event concerns (1-128 printable characters).
        environment: Deployment environment, e.g. ``production``.
        occurred_at: When this status change happened (event time, UTC ms).
        source: The producing system, e.g. ``alertmanager`` or ``custom``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    event_id: Id
    service: Name
    environment: Name = "production"
    occurred_at: Timestamp
    source: Name = "custom"


class AlertEvent(EventBase):
    """An alert changed status (fired or resolved).

    ``starts_at`` is when the condition began; on a firing alert it defaults
    to ``occurred_at``. On a resolved alert it stays empty unless given.
    """

    type: Literal["alert"]
    alert_id: Id
    name: Name
    status: Literal["firing", "resolved"]
    severity: Severity
    category: Literal["availability", "performance", "security", "other"] = "availability"
    starts_at: Timestamp | None = None
    summary: Text | None = None
    labels: dict[Annotated[str, StringConstraints(max_length=256)], Text] = Field(
        default_factory=dict, max_length=64
    )

    @model_validator(mode="after")
    def _default_starts_at(self) -> AlertEvent:
        if self.starts_at is None and self.status == "firing":
            object.__setattr__(self, "starts_at", self.occurred_at)
        return self


TicketStatus = Literal[
    "opened", "acknowledged", "identified", "mitigated", "resolved", "closed", "reopened",
    "postmortem",
]  # fmt: skip
"""A ticket's statuses; ``postmortem`` (v1.1): its incident's review was published."""
DeployKind = Literal["release", "rollback", "hotfix", "config", "remediation"]
"""What a deploy did: ``release``, ``rollback``, ``hotfix`` and ``config`` change the
service; ``remediation`` (v1.1) is an operational action on it (restart, scale, failover,
cache flush) that mitigates an incident but is no deployment in the DORA sense
(docs/incident-model.md, docs/metrics.md)."""


CommitSha = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{4,64}$")]
"""A commit id: 4 to 64 hexadecimal digits (compared lowercased and in full)."""


class DeployEvent(EventBase):
    """A deployment or remediation run changed status (started, succeeded or failed)."""

    type: Literal["deploy"]
    deploy_id: Id
    status: Literal["started", "succeeded", "failed"]
    kind: DeployKind = "release"
    version: Name | None = None
    commit_sha: CommitSha | None = None


class TicketEvent(EventBase):
    """An incident ticket changed status (opened, acknowledged, ..., closed, postmortem).

    ``postmortem`` (v1.1): the review of the ticket's incident was published.
    """

    type: Literal["ticket"]
    ticket_id: Id
    status: TicketStatus
    severity: Severity | None = None
    title: Text | None = None
    url: Annotated[str, StringConstraints(max_length=2048)] | None = None


class ChangeEvent(EventBase):
    """A change landed on the mainline (v1.1): a merged pull request or a direct push.

    ``occurred_at`` is when it landed; ``first_commit_at`` is its earliest commit
    (default ``occurred_at``, never after it); ``commit_sha`` is the commit that
    landed, the one a deploy names. ``service`` is the service the code belongs
    to; ``environment`` is accepted and ignored (a change is deployed to each
    environment in turn). Changes feed lead time (docs/metrics.md), never incidents.
    """

    type: Literal["change"]
    change_id: Id
    commit_sha: CommitSha
    first_commit_at: Timestamp | None = None
    title: Text | None = None

    @model_validator(mode="after")
    def _first_commit_not_after_landing(self) -> ChangeEvent:
        if self.first_commit_at is None:
            object.__setattr__(self, "first_commit_at", self.occurred_at)
        elif self.first_commit_at > self.occurred_at:
            msg = "first_commit_at must not be after occurred_at (when the change landed)"
            raise ValueError(msg)
        return self


AnyEvent = AlertEvent | DeployEvent | TicketEvent | ChangeEvent
"""Any event of the contract."""
IncidentEvent = AlertEvent | DeployEvent | TicketEvent
"""The events that correlate into incidents (a change only feeds lead time)."""
Event = Annotated[AnyEvent, Field(discriminator="type")]
EVENT_ADAPTER: TypeAdapter[AnyEvent] = TypeAdapter(Event)
MODELS: dict[str, type[EventBase]] = {
    "alert": AlertEvent,
    "deploy": DeployEvent,
    "ticket": TicketEvent,
    "change": ChangeEvent,
}


def subject_id(event: AnyEvent) -> str:
    """Return the id of the alert series, deploy, ticket or change the event is about."""
    if isinstance(event, AlertEvent):
        return event.alert_id
    if isinstance(event, DeployEvent):
        return event.deploy_id
    if isinstance(event, ChangeEvent):
        return event.change_id
    return event.ticket_id
