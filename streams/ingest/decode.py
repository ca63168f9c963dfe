"""Decode at the edge: raw Kafka bytes become a valid event or an ``Invalid`` record.

This module is pure (no I/O): ``decode()`` never raises on bad input; it
returns ``Invalid`` with a human-readable reason instead, which the worker
sends to the dead-letter topic.

Two validators, one verdict: ``decode()`` first tries ``schemas.fast`` (msgspec,
a few microseconds), which accepts only events the pydantic models accept and
builds the same model instance. Whatever it does not accept goes through
``decode_by_models`` (orjson and the models, several times slower), which
decides and words every rejection, so a dead-letter reason is the models' own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import orjson
from pydantic import ValidationError

from schemas.events import EVENT_ADAPTER, MODELS, AnyEvent
from schemas.fast import parse_event

MAX_REASON_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a message came from: ``topic[partition]@offset``."""

    topic: str
    partition: int
    offset: int

    def __str__(self) -> str:
        return f"{self.topic}[{self.partition}]@{self.offset}"


@dataclass(frozen=True, slots=True)
class Invalid:
    """A message that is not a valid event, with the reason it was rejected."""

    raw: bytes
    reason: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class Decoded:
    """A valid event with its original bytes and origin (for the audit trail)."""

    event: AnyEvent
    raw: bytes
    origin: Origin


def format_validation_error(exc: ValidationError) -> str:
    """Return a one-line, human-readable summary of a pydantic error.

    Example: ``occurred_at: timestamp has no UTC offset; service: String should
    have at least 1 character``. The discriminator prefix (``alert.``) is dropped.
    """
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = [str(p) for p in err["loc"]]
        if loc and loc[0] in MODELS:
            loc = loc[1:]
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{'.'.join(loc)}: {msg}" if loc else msg)
    return "; ".join(parts)


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"


def _truncate(reason: str) -> str:
    r"""Return a one-line reason of bounded length.

    Control characters copied from a message are escaped (``\x0a``), so a
    sender cannot forge log lines or header content.
    """
    reason = _UNPRINTABLE.sub(_escape, reason)
    return reason if len(reason) <= MAX_REASON_CHARS else reason[: MAX_REASON_CHARS - 1] + "…"


def decode(
    raw: bytes | None,
    origin: Origin,
    *,
    expected_type: str | None,
    max_bytes: int,
) -> Decoded | Invalid:
    """Parse and validate one message.

    Args:
        raw: The message value exactly as consumed.
        origin: Topic, partition and offset, kept for the dead-letter headers.
        expected_type: The event ``type`` the source topic carries, or None to
            accept any type (e.g. for the HTTP ingest path).
        max_bytes: Messages longer than this are rejected before parsing.

    Returns:
        ``Decoded`` for a valid event, ``Invalid`` with a reason otherwise.
    """
    if raw is None:
        return Invalid(b"", "empty message (null value)", origin)
    if len(raw) > max_bytes:
        return Invalid(
            raw, f"message of {len(raw)} bytes exceeds the {max_bytes} byte limit", origin
        )
    event = parse_event(raw)
    if event is None:
        return decode_by_models(raw, origin, expected_type=expected_type)
    if expected_type is not None and event.type != expected_type:
        return Invalid(raw, _wrong_topic(event.type, origin), origin)
    return Decoded(event, raw, origin)


def _wrong_topic(kind: str, origin: Origin) -> str:
    return f"event type {kind!r} does not belong on topic {origin.topic!r}"


def decode_by_models(raw: bytes, origin: Origin, *, expected_type: str | None) -> Decoded | Invalid:
    """Parse with orjson and validate with the pydantic models: the slow path and the contract.

    ``decode()`` ends here for everything ``schemas.fast`` does not accept, so
    every ``Invalid`` reason comes from here. Same arguments and result as ``decode()``
    without the null and size checks.
    """
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Invalid(raw, _truncate(f"not valid JSON: {exc}"), origin)
    if not isinstance(data, dict):
        return Invalid(raw, f"expected a JSON object, got {type(data).__name__}", origin)
    kind = data.get("type")
    if (
        expected_type is not None
        and kind != expected_type
        and isinstance(kind, str)
        and kind in MODELS
    ):
        return Invalid(raw, _wrong_topic(kind, origin), origin)
    try:
        event = EVENT_ADAPTER.validate_python(data)
    except ValidationError as exc:
        return Invalid(raw, _truncate(format_validation_error(exc)), origin)
    except (ValueError, TypeError, OverflowError) as exc:  # defensive: never crash on input
        return Invalid(raw, _truncate(f"invalid event: {exc}"), origin)
    return Decoded(event, raw, origin)


def decode_line(line: bytes, *, max_bytes: int) -> AnyEvent | str:
    """Validate one JSON line for ``mttr publish``: the event, or the reason it is invalid."""
    result = decode(line, Origin("-", 0, 0), expected_type=None, max_bytes=max_bytes)
    return result.event if isinstance(result, Decoded) else result.reason
