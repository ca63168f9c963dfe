"""Epoch timestamps of webhook payloads as contract times (UTC, millisecond precision).

Opsgenie, New Relic and Splunk send times as epoch numbers rather than RFC 3339
strings: Opsgenie milliseconds (``createdAt``) and nanoseconds (``updatedAt``),
New Relic milliseconds, Splunk seconds as a string (``_time``, sometimes with a
fraction, sometimes an ISO 8601 string). These helpers turn each into epoch
milliseconds, the unit the adapters put in event ids, and milliseconds into
the contract's timestamp string. Every failure is a ``PayloadError`` naming
the JSON path; a time outside the contract's range (1970-01-01 .. 2100-01-01)
is refused before any arithmetic can overflow.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from schemas.events import MAX_TIME, MIN_TIME
from streams.gateway.adapters.base import PayloadError

MAX_MS = (MAX_TIME - MIN_TIME) // timedelta(milliseconds=1)
_NS_PER_MS = 1_000_000
_MIN_NS = 10**17  # epoch nanoseconds after 1973; milliseconds stay below 10**14 until 5138


def iso_from_ms(value: int, path: str) -> str:
    """Return epoch ms as ``YYYY-MM-DDTHH:MM:SS.mmmZ``; ``PayloadError`` if out of range."""
    if not 0 <= value < MAX_MS:
        msg = f"{path}: {value} ms is outside 1970-01-01 .. 2100-01-01"
        raise PayloadError(msg)
    instant = MIN_TIME + timedelta(milliseconds=value)
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def ms_from_ms_or_ns(value: int, path: str) -> int:
    """Return epoch milliseconds from a value in milliseconds or nanoseconds (told by size).

    Opsgenie's webhook sends ``alert.updatedAt`` in nanoseconds
    (``1420452224764002246``) next to ``createdAt`` in milliseconds; nanoseconds
    are floored to the millisecond. A value in neither range (e.g. microseconds)
    is a ``PayloadError``.
    """
    if value >= _MIN_NS:
        value //= _NS_PER_MS
    elif value >= MAX_MS:
        msg = f"{path}: {value} is neither epoch milliseconds nor nanoseconds"
        raise PayloadError(msg)
    iso_from_ms(value, path)  # range check
    return value


def ms_from_datetime(value: datetime) -> int:
    """Return an aware datetime as epoch milliseconds (floored); ``ValueError`` if naive."""
    if value.tzinfo is None or value.utcoffset() is None:
        msg = f"{value.isoformat()}: naive datetime, an offset is required"
        raise ValueError(msg)
    return (value - MIN_TIME) // timedelta(milliseconds=1)


def ms_from_text(value: Any, path: str) -> int:
    """Return epoch milliseconds from epoch seconds or an ISO 8601 string with an offset.

    Accepted: ``"1483557272"``, ``"1483557272.125"``, ``1483557272`` and
    ``"2017-01-04T11:14:32.000+00:00"``. Sub-millisecond digits are floored.
    Raises ``PayloadError`` naming ``path`` for anything else, including a
    naive ISO string.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        msg = f"{path}: expected epoch seconds or an ISO 8601 time, got {type(value).__name__}"
        raise PayloadError(msg)
    text = str(value).strip()
    try:
        seconds = Decimal(text)
    except InvalidOperation:
        seconds = None
    if seconds is not None and seconds.is_finite():
        ms = int((seconds * 1000).to_integral_value(rounding="ROUND_FLOOR"))
    else:
        ms = _ms_from_iso(text, path)
    iso_from_ms(ms, path)  # range check
    return ms


def _ms_from_iso(text: str, path: str) -> int:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        msg = f"{path}: {text[:64]!r} is neither epoch seconds nor an ISO 8601 time"
        raise PayloadError(msg) from None
    if parsed.tzinfo is None:
        msg = f"{path}: {text[:64]!r} has no UTC offset (naive times are rejected)"
        raise PayloadError(msg)
    try:
        return ms_from_datetime(parsed)
    except OverflowError:  # pragma: no cover - fromisoformat years stay within datetime
        msg = f"{path}: {text[:64]!r} is outside 1970-01-01 .. 2100-01-01"
        raise PayloadError(msg) from None
