"""Pure: the change event (contract v1.1) that the code-host adapters build.

A change event says a change landed on the mainline (``schemas/events.py``,
``ChangeEvent``): GitHub pushes and merged pull requests
(``github_changes``), GitLab pushes and merged merge requests
(``gitlab_changes``) and CDEvents ``change.merged`` (``cdevents_change``) all
end in ``change_event``, so every source fills the same fields the same way:
``environment`` is left at its default (the contract ignores it for changes).

``first_commit_at`` is a vendor's commit or creation time and may lie after
the landing time the same payload gives (clock skew between a laptop and the
server, a commit date set by hand); ``not_after`` cuts it to the landing
time, since the contract refuses a first commit after the landing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from schemas.events import Timestamp
from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.payload import checked

MAX_TITLE = 4096  # the contract's limit on a text field
_TIMESTAMP: TypeAdapter[datetime] = TypeAdapter(Timestamp)


def change_event(
    *,
    event_id: str,
    source: str,
    service: str,
    change_id: str,
    commit_sha: str,
    occurred_at: str,
    first_commit_at: str | None,
    title: str | None,
    paths: Mapping[str, str],
) -> dict[str, Any]:
    """Return the change event of these fields, checked against the contract.

    ``paths`` maps an event field to the payload path it came from, for the
    error message. ``first_commit_at`` None leaves it out (the contract then
    takes ``occurred_at``); a ``title`` longer than the contract allows is cut.

    Raises:
        PayloadError: The contract refuses a value (a commit id that is not
            hex, a blank id); the message names the payload path.
    """
    event: dict[str, Any] = {
        "event_id": event_id,
        "type": "change",
        "source": source,
        "service": service,
        "occurred_at": occurred_at,
        "change_id": change_id,
        "commit_sha": commit_sha,
    }
    if first_commit_at is not None:
        event["first_commit_at"] = first_commit_at
    if title is not None:
        event["title"] = title[:MAX_TITLE]
    return checked(event, paths)


def not_after(first: str, landed: str, path: str) -> str:
    """Return ``first`` (an RFC 3339 time), or ``landed`` when ``first`` is after it.

    Both are compared as instants in UTC milliseconds, as the contract stores them.

    Raises:
        PayloadError: ``first`` is not a contract timestamp; the message names
            ``path``. (``landed`` is checked with the event.)
    """
    first_at = _instant(first, path)
    try:
        landed_at = _TIMESTAMP.validate_python(landed)
    except ValidationError:
        return first  # the event's check names the landing time's own path
    return landed if first_at > landed_at else first


def latest(times: list[tuple[str, str]]) -> str:
    """Return the latest of ``(RFC 3339 time, path)`` pairs (the first of equal ones).

    Raises:
        PayloadError: A time is not a contract timestamp (its path named), or
            ``times`` is empty.
    """
    if not times:
        msg = "no time to take the latest of"
        raise PayloadError(msg)
    return max(times, key=lambda pair: _instant(*pair))[0]


def first_line(message: str | None) -> str | None:
    """Return the first non-blank line of a commit message (its subject), None if none."""
    if message is None:
        return None
    line = next((part.strip() for part in message.splitlines() if part.strip()), "")
    return line or None


def _instant(value: str, path: str) -> datetime:
    try:
        return _TIMESTAMP.validate_python(value)
    except ValidationError as exc:
        problem = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
        msg = f"{path}: {problem}"
        raise PayloadError(msg) from None
