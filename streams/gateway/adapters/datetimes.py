"""Vendor date-time strings to the contract's RFC 3339 form (``2021-04-28T19:50:00Z``).

The contract accepts only RFC 3339 strings with an offset, so a sender whose
times are written differently is converted here, at the edge, with the
payload path in every error (``PayloadError``, HTTP 400):

=================  ===========================================  ==========================
function           accepts                                      examples
=================  ===========================================  ==========================
``ruby_time``      Ruby ``Time#to_s`` and ISO 8601 (GitLab)     ``2021-04-28 21:50:00 +0200``,
                                                                ``2016-08-12 15:23:28 UTC``,
                                                                ``2021-04-28T19:50:00.123Z``
``utc_wall_time``  ``YYYY-MM-DD HH:MM:SS`` known to be UTC      ``2024-05-02 09:15:00``
                   (ServiceNow ``GlideDateTime.getValue()``)
``epoch_millis``   integer milliseconds since 1970 (Jenkins)    ``1714641300000``
=================  ===========================================  ==========================

Each returns a string with an explicit offset; the contract then normalises it
to UTC milliseconds. Nothing is guessed: a time without an offset is refused
unless the sender's format defines it as UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from schemas.events import MAX_TIME, MIN_TIME
from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.epoch_time import iso_from_ms as epoch_millis

__all__ = ["epoch_millis", "ruby_time", "utc_wall_time"]  # epoch_millis: epoch_time's, shared

_RUBY = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[ T](?P<time>\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)"
    r"\s*(?P<zone>UTC|Z|z|[+-]\d{2}:?\d{2})"
)
_UTC_WALL = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2}) (?P<time>\d{2}:\d{2}:\d{2})")


def ruby_time(value: str, path: str) -> str:
    """Return GitLab's time ``value`` as RFC 3339; ``PayloadError`` naming ``path`` otherwise.

    GitLab writes hook times with Ruby's ``Time#to_s`` (``2021-04-28 21:50:00
    +0200``, ``... UTC``) and API times in ISO 8601; both are accepted.
    """
    match = _RUBY.fullmatch(value.strip())
    if match is None:
        msg = f"{path}: {value!r} is not a date-time with a zone (e.g. 2021-04-28 21:50:00 +0200)"
        raise PayloadError(msg)
    zone = match.group("zone")
    if zone in {"UTC", "Z", "z"}:
        zone = "Z"
    elif ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    return _valid(f"{match.group('date')}T{match.group('time')}{zone}", path)


def utc_wall_time(value: str, path: str) -> str:
    """Return ``YYYY-MM-DD HH:MM:SS`` (a UTC value) as ``YYYY-MM-DDTHH:MM:SSZ``.

    Raises:
        PayloadError: ``value`` has another shape, e.g. a display value in a
            user's format and timezone (``05/02/2024 11:15:00 AM``), or is not
            a real date; the message names ``path``.
    """
    match = _UTC_WALL.fullmatch(value.strip())
    if match is None:
        msg = f"{path}: {value!r} is not a UTC value 'YYYY-MM-DD HH:MM:SS' (send getValue())"
        raise PayloadError(msg)
    return _valid(f"{match.group('date')}T{match.group('time')}Z", path)


def _valid(text: str, path: str) -> str:
    """Return ``text`` if it names a real instant in the contract's range."""
    try:
        instant = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        msg = f"{path}: {text!r} is not a real date-time"
        raise PayloadError(msg) from None
    try:
        in_range = MIN_TIME <= instant.astimezone(UTC) < MAX_TIME
    except OverflowError:
        in_range = False
    if not in_range:
        msg = f"{path}: {text} is outside 1970-01-01 .. 2100-01-01"
        raise PayloadError(msg)
    return text
