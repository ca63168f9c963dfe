"""The fast path of the event contract: msgspec first, the pydantic models only when needed.

``parse_event(raw)`` decodes JSON bytes with msgspec (``schemas.fast_fields``)
and returns the very ``AlertEvent``, ``DeployEvent``, ``TicketEvent`` or
``ChangeEvent`` that
``EVENT_ADAPTER.validate_python(orjson.loads(raw))`` returns: same field values
and types (aware UTC datetimes in whole milliseconds), same ``model_fields_set``,
built without validating a second time. It returns None for anything it does
not accept; the caller then runs the models, which stay the contract and the
only source of rejection reasons.

What keeps the two equal: the fast path is never looser than the models. Each
rule of ``schemas/events.py`` is checked at least as strictly:

* types, literals, required fields, unknown fields, lengths, the labels limits
  and ``commit_sha``: the structs of ``schemas.fast_fields``;
* ``_printable`` (ids and names): ``str.isprintable`` and not ``str.isspace``,
  or ``PRINTABLE`` for a string with a character ``isprintable`` refuses;
* timestamps: ``STAMP`` (upper-case ``T`` and ``Z``, seconds, an offset below
  24:00), then ``datetime.fromisoformat`` (the calendar), UTC, whole
  milliseconds and the 1970..2100 bounds;
* the alert's ``starts_at`` default, as the model's validator sets it, and the
  change's ``first_commit_at`` default (a ``first_commit_at`` after
  ``occurred_at`` is left to the models, which word the rejection).

What the models accept and the fast path leaves to them (``t`` or ``z`` in
lower case, a key given twice with a wrong first value) takes the slow path
and ends up the same. tests/unit/schemas/test_fast_events.py and
tests/unit/ingest/test_decode_equivalence.py check the equality.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TypeVar

import msgspec
from msgspec import UNSET

from schemas.events import (
    MAX_TIME,
    MIN_TIME,
    AlertEvent,
    AnyEvent,
    ChangeEvent,
    DeployEvent,
    EventBase,
    TicketEvent,
)
from schemas.fast_fields import AlertFields, ChangeFields, DeployFields, EventFields, TicketFields

PRINTABLE = re.compile("(?!\\s*\\Z)[^\x00-\x1f\x7f-\x9f\u2028\u2029]*\\Z")
"""``_printable`` of the models as a pattern: not only white space, no control characters."""
STAMP = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)\Z",
    re.ASCII,
)
"""The timestamps the fast path converts itself; ``fromisoformat`` checks the calendar."""

_DECODER = msgspec.json.Decoder(AlertFields | DeployFields | TicketFields | ChangeFields)
_BASE_SET = frozenset({"event_id", "service", "occurred_at", "type"})
_SET = {
    "alert": _BASE_SET | {"alert_id", "name", "status", "severity"},
    "deploy": _BASE_SET | {"deploy_id", "status"},
    "ticket": _BASE_SET | {"ticket_id", "status"},
    "change": _BASE_SET | {"change_id", "commit_sha"},
}
_set_attr = object.__setattr__
M = TypeVar("M", bound=EventBase)


class _Undecided(Exception):
    """The fast path leaves this input to the models."""


def parse_event(raw: bytes) -> AnyEvent | None:
    """Return the event the contract makes of ``raw``, or None to leave it to the models.

    Never raises on bad input: None means "not accepted here", not "invalid".
    """
    try:
        fields = _DECODER.decode(raw)
        if isinstance(fields, DeployFields):
            return _deploy(fields)
        if isinstance(fields, AlertFields):
            return _alert(fields)
        if isinstance(fields, ChangeFields):
            return _change(fields)
        return _ticket(fields)
    except (msgspec.MsgspecError, ValueError, RecursionError, _Undecided):  # not UTF-8, too deep
        return None


def _check_printable(*values: str) -> None:
    """Raise ``_Undecided`` unless every value passes the models' ``_printable``."""
    for value in values:
        if value.isprintable():
            if value.isspace():
                raise _Undecided
        elif PRINTABLE.match(value) is None:
            raise _Undecided


def _utc(value: str) -> datetime:
    """Return the models' value of a timestamp string; ``_Undecided`` if not sure."""
    if STAMP.match(value) is None:
        raise _Undecided
    try:
        moment = datetime.fromisoformat(value)
        if value[-1] != "Z":
            moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise _Undecided from None
    micro = moment.microsecond
    if micro % 1000:
        moment = moment.replace(microsecond=micro - micro % 1000)
    if not MIN_TIME <= moment < MAX_TIME:
        raise _Undecided
    return moment


def _common(fields: EventFields, seen: set[str], *names: str) -> tuple[str, str]:
    """Check the ids and names (the base fields' and ``names``); return environment and source."""
    environment, source = fields.environment, fields.source
    if environment is UNSET:
        environment = "production"
    else:
        seen.add("environment")
    if source is UNSET:
        source = "custom"
    else:
        seen.add("source")
    _check_printable(fields.event_id, fields.service, environment, source, *names)
    return environment, source


def _build(model: type[M], values: dict[str, object], seen: set[str]) -> M:
    """Return a model instance holding validated ``values`` (what ``model_construct`` does).

    ``values`` are in the model's field order, as validation would store them.
    """
    event = model.__new__(model)
    _set_attr(event, "__dict__", values)
    _set_attr(event, "__pydantic_fields_set__", seen)
    _set_attr(event, "__pydantic_extra__", None)
    _set_attr(event, "__pydantic_private__", None)
    return event


def _alert(fields: AlertFields) -> AlertEvent:
    seen = set(_SET["alert"])
    environment, source = _common(fields, seen, fields.alert_id, fields.name)
    occurred_at = _utc(fields.occurred_at)
    category, starts, summary, labels = (
        fields.category, fields.starts_at, fields.summary, fields.labels
    )  # fmt: skip
    if category is UNSET:
        category = "availability"
    else:
        seen.add("category")
    if starts is UNSET:
        starts = None
    else:
        seen.add("starts_at")
    starts_at = _utc(starts) if starts is not None else None
    if starts_at is None and fields.status == "firing":
        starts_at = occurred_at
    if summary is UNSET:
        summary = None
    else:
        seen.add("summary")
    if labels is UNSET:
        labels = {}
    else:
        seen.add("labels")
    values: dict[str, object] = {
        "event_id": fields.event_id,
        "service": fields.service,
        "environment": environment,
        "occurred_at": occurred_at,
        "source": source,
        "type": "alert",
        "alert_id": fields.alert_id,
        "name": fields.name,
        "status": fields.status,
        "severity": fields.severity,
        "category": category,
        "starts_at": starts_at,
        "summary": summary,
        "labels": labels,
    }
    return _build(AlertEvent, values, seen)


def _deploy(fields: DeployFields) -> DeployEvent:
    seen = set(_SET["deploy"])
    environment, source = _common(fields, seen, fields.deploy_id)
    occurred_at = _utc(fields.occurred_at)
    kind, version, commit_sha = fields.kind, fields.version, fields.commit_sha
    if kind is UNSET:
        kind = "release"
    else:
        seen.add("kind")
    if version is UNSET:
        version = None
    else:
        seen.add("version")
        if version is not None:
            _check_printable(version)
    if commit_sha is UNSET:
        commit_sha = None
    else:
        seen.add("commit_sha")
    values: dict[str, object] = {
        "event_id": fields.event_id,
        "service": fields.service,
        "environment": environment,
        "occurred_at": occurred_at,
        "source": source,
        "type": "deploy",
        "deploy_id": fields.deploy_id,
        "status": fields.status,
        "kind": kind,
        "version": version,
        "commit_sha": commit_sha,
    }
    return _build(DeployEvent, values, seen)


def _ticket(fields: TicketFields) -> TicketEvent:
    seen = set(_SET["ticket"])
    environment, source = _common(fields, seen, fields.ticket_id)
    occurred_at = _utc(fields.occurred_at)
    severity, title, url = fields.severity, fields.title, fields.url
    if severity is UNSET:
        severity = None
    else:
        seen.add("severity")
    if title is UNSET:
        title = None
    else:
        seen.add("title")
    if url is UNSET:
        url = None
    else:
        seen.add("url")
    values: dict[str, object] = {
        "event_id": fields.event_id,
        "service": fields.service,
        "environment": environment,
        "occurred_at": occurred_at,
        "source": source,
        "type": "ticket",
        "ticket_id": fields.ticket_id,
        "status": fields.status,
        "severity": severity,
        "title": title,
        "url": url,
    }
    return _build(TicketEvent, values, seen)


def _change(fields: ChangeFields) -> ChangeEvent:
    seen = set(_SET["change"])
    environment, source = _common(fields, seen, fields.change_id)
    occurred_at = _utc(fields.occurred_at)
    first, title = fields.first_commit_at, fields.title
    if first is UNSET:
        first = None
    else:
        seen.add("first_commit_at")
    first_commit_at = _utc(first) if first is not None else occurred_at
    if first_commit_at > occurred_at:
        raise _Undecided  # the models reject it, with their reason
    if title is UNSET:
        title = None
    else:
        seen.add("title")
    values: dict[str, object] = {
        "event_id": fields.event_id,
        "service": fields.service,
        "environment": environment,
        "occurred_at": occurred_at,
        "source": source,
        "type": "change",
        "change_id": fields.change_id,
        "commit_sha": fields.commit_sha,
        "first_commit_at": first_commit_at,
        "title": title,
    }
    return _build(ChangeEvent, values, seen)
