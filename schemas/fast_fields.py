"""The event fields as msgspec checks them: the declarative half of ``schemas.fast``.

One struct per event type, with the types, literals, required fields, defaults
(``UNSET``, so ``schemas.fast`` knows which fields were given), length limits and
``extra="forbid"`` (``forbid_unknown_fields``) of the models in
``schemas/events.py``. JSON types are strict, as in the models. Ids, names and
timestamps are plain strings here; ``schemas.fast`` checks them, because a
msgspec pattern costs more than the same check in Python.
"""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import UNSET, Meta, Struct, UnsetType

COMMIT_SHA = r"\A[0-9a-fA-F]{4,64}\Z"
"""The model's pattern; anchored with ``\\Z`` as the model's (Rust) ``$`` is, where
Python's ``$`` would also let a trailing newline through."""

Id = Annotated[str, Meta(min_length=1, max_length=256)]
Name = Annotated[str, Meta(min_length=1, max_length=128)]
Text = Annotated[str, Meta(max_length=4096)]
Labels = Annotated[dict[Annotated[str, Meta(max_length=256)], Text], Meta(max_length=64)]
Severity = Literal["critical", "high", "medium", "low"]


class EventFields(Struct, kw_only=True, forbid_unknown_fields=True, tag_field="type", gc=False):
    """The fields every event has; ``type`` is the tag that picks the struct."""

    event_id: Id
    service: Name
    environment: Name | UnsetType = UNSET
    occurred_at: str
    source: Name | UnsetType = UNSET


class AlertFields(EventFields, tag="alert"):
    """An alert event as msgspec checks it (strings checked in ``schemas.fast``)."""

    alert_id: Id
    name: Name
    status: Literal["firing", "resolved"]
    severity: Severity
    category: Literal["availability", "performance", "security", "other"] | UnsetType = UNSET
    starts_at: str | None | UnsetType = UNSET
    summary: Text | None | UnsetType = UNSET
    labels: Labels | UnsetType = UNSET


class DeployFields(EventFields, tag="deploy"):
    """A deploy event as msgspec checks it (strings checked in ``schemas.fast``)."""

    deploy_id: Id
    status: Literal["started", "succeeded", "failed"]
    kind: Literal["release", "rollback", "hotfix", "config", "remediation"] | UnsetType = UNSET
    version: Name | None | UnsetType = UNSET
    commit_sha: Annotated[str, Meta(pattern=COMMIT_SHA)] | None | UnsetType = UNSET


class TicketFields(EventFields, tag="ticket"):
    """A ticket event as msgspec checks it (strings checked in ``schemas.fast``)."""

    ticket_id: Id
    status: Literal[
        "opened",
        "acknowledged",
        "identified",
        "mitigated",
        "resolved",
        "closed",
        "reopened",
        "postmortem",
    ]
    severity: Severity | None | UnsetType = UNSET
    title: Text | None | UnsetType = UNSET
    url: Annotated[str, Meta(max_length=2048)] | None | UnsetType = UNSET


class ChangeFields(EventFields, tag="change"):
    """A change event as msgspec checks it (strings checked in ``schemas.fast``)."""

    change_id: Id
    commit_sha: Annotated[str, Meta(pattern=COMMIT_SHA)]
    first_commit_at: str | None | UnsetType = UNSET
    title: Text | None | UnsetType = UNSET
